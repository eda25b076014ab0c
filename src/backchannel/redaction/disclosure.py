"""What a redacted output may show of a case: which actors are masked, and how.

``Disclosure.of(case)`` applies the redaction rules (``redaction.yaml``) to a whole case:

- an actor is **masked** when its kind is sensitive (intermediaries, religious and
  community leaders, civil society, diaspora), or when it holds a channel, a negotiation
  or influence over a counterpart, or held an engagement with one; never our own
  organisation nor a counterpart itself; and not when the analyst marked its role public
  (``disclosed``, with the reason);
- a masked actor gets a numbered label per kind ("Intermediary 1", "Religious leader 2"),
  in the order of the case, the same in every document made from the case, and its
  identifying forms (``forms.name_forms``) are replaced by it in every text;
- every record id is replaced by an opaque label ("relation-3"), in structured fields and
  in texts, since ids are often slugs of names. An actor's id that only repeats its public
  name stays as it is: it tells nothing the name does not;
- fields the case model marks sensitive, and those the rules add (an engagement's
  location, a source's address), are left out.

Decide sensitivity on the whole case, not a replay's cut of it: an actor whose channel
began after the replay's day is still masked in that replay's brief, which is written now.
The labels are kept away from every form and id of the case, so masking twice changes
nothing and a label is never taken for a leak.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any, TypeVar

import pycountry
from pydantic import BaseModel

from backchannel.actors.counterparts import ARMED_KINDS
from backchannel.model.attribution import own_ids
from backchannel.model.case import Actor, Case, Record
from backchannel.model.vocabulary import ActorKind, RelationKind
from backchannel.redaction.forms import (
    Matcher,
    Vocabulary,
    composed,
    joined,
    name_forms,
    replace_found,
    tokens,
)
from backchannel.redaction.rules import RedactionRules, packaged_rules

#: What a redacted document shows in place of a field it leaves out.
WITHHELD = "[redacted]"
#: Fields whose values are images, not text (base64): never masked nor searched.
IMAGE_SUFFIX = "_base64"
#: The label prefix of each collection's record ids.
RECORD_PREFIXES = {
    "actors": "actor",
    "relations": "relation",
    "engagements": "engagement",
    "commitments": "commitment",
    "judgements": "judgement",
    "sources": "source",
}
#: How a reason to mask words a relation kind whose name is not a verb.
_VERBS = {RelationKind.CHANNEL: "is a channel to", RelationKind.FUNDS: "funds"}
#: Words that join two mentions of one masked actor into one ("X and Y" of a platform).
_JOINING = frozenset({"and", "et", "y", "e", "or", "ou", "o"})

T = TypeVar("T")


@dataclass(frozen=True)
class MaskedActor:
    """An actor a redacted output masks, its labels, and why it is masked."""

    id: str
    label: str
    record_label: str
    kind: ActorKind
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class LeakHit:
    """A sensitive form found in a text: as written there, and what it identifies."""

    found: str
    whose: str


def _words(kind: Enum) -> str:
    return str(kind.value).replace("_", " ")


def _slug(label: str) -> str:
    return "-".join(label.lower().split())


class Disclosure:
    """The redaction of one case: who is masked, their labels and forms, the record labels.

    Build it with ``Disclosure.of``; ``counterparts`` adds actors a user named as the
    counterpart to the armed actors that always count as counterparts.
    """

    def __init__(
        self,
        case: Case,
        *,
        counterparts: Iterable[str] = (),
        rules: RedactionRules | None = None,
    ) -> None:
        self.rules = rules or packaged_rules()
        self.case_id = case.id
        self.masked: dict[str, MaskedActor] = {}
        self.disclosed: dict[str, tuple[str, ...]] = {}
        reasons = self._reasons(case, frozenset(counterparts))
        public = [a for a in case.actors if not reasons.get(a.id) or a.disclosed]
        vocabulary = Vocabulary(
            particles=self.rules.particles,
            titles=self.rules.title_words,
            generic=self.rules.generic_words,
            ordinary=self.rules.ordinary_words,
            public=_public_words(case, public),
        )
        forms: dict[str, dict[str, str]] = {}
        for actor in case.actors:
            why = reasons.get(actor.id)
            if not why:
                continue
            if actor.disclosed:
                self.disclosed[actor.id] = why
                continue
            own = name_forms([actor.name, *actor.aliases], vocabulary)
            identifier = joined(actor.id)
            if len(identifier) >= 3:
                own.setdefault(identifier, actor.id)
            forms[actor.id] = own
        every_form = Matcher({form: actor_id for actor_id, own in forms.items() for form in own})
        exempt = _exempt_ids(case, public, every_form)
        owners: dict[str, set[str]] = {}
        for actor_id, own in forms.items():
            for form in own:
                owners.setdefault(form, set()).add(actor_id)
        for collection in RECORD_PREFIXES:
            for record in getattr(case, collection):
                if record.id not in exempt:
                    owners.setdefault(joined(record.id), set()).add(record.id)
        self._label_masked(case, reasons, forms, owners)
        taken = set(owners)
        self.record_labels = self._label_records(case, exempt, taken)
        self.exempt_ids = frozenset(exempt)
        owner: dict[str, str] = {}
        for actor_id, own in forms.items():
            label = joined(self.masked[actor_id].label)
            for form in own:
                if form != label:
                    owner.setdefault(form, actor_id)
        self.forms: dict[str, str] = {
            form: written for own in forms.values() for form, written in own.items()
        }
        self._names = Matcher(owner)
        self._ids = Matcher(
            {
                joined(record_id): record_id
                for record_id in self.record_labels
                if record_id not in self.masked
                and record_id not in exempt
                and len(joined(record_id)) >= 3
            },
            inside=False,
        )
        self.source_urls = frozenset(s.url for s in case.sources if s.url)

    @classmethod
    def of(
        cls, case: Case, *, counterparts: Iterable[str] = (), rules: RedactionRules | None = None
    ) -> Disclosure:
        """The redaction of ``case`` under the packaged rules (or ``rules``)."""
        return cls(case, counterparts=counterparts, rules=rules)

    # ------------------------------------------------------------------ who is masked

    def _reasons(self, case: Case, named: frozenset[str]) -> dict[str, tuple[str, ...]]:
        """Each actor's reasons to be masked (disclosed or not), in plain words."""
        kinds = self.rules.kinds
        talking = self.rules.relation_kinds
        counterparts = {a.id for a in case.actors if a.kind in ARMED_KINDS} | set(named)
        ours = own_ids(case)
        names = {a.id: a.name for a in case.actors}
        reasons: dict[str, list[str]] = {a.id: [] for a in case.actors}
        for actor in case.actors:
            if actor.id in ours:
                continue
            if actor.kind in kinds:
                reasons[actor.id].append(f"its kind ({_words(actor.kind)}) is masked by default")
        for relation in case.relations:
            source = relation.source
            if source in ours or source in counterparts or relation.kind not in talking:
                continue
            if relation.target in counterparts:
                verb = _VERBS.get(relation.kind, _words(relation.kind))
                reasons[source].append(
                    f"it {verb} counterpart {names.get(relation.target, relation.target)}"
                )
        for engagement in case.engagements:
            holder = engagement.by
            if holder is None or holder in ours or holder in counterparts:
                continue
            if any(c in counterparts for c in engagement.counterparts):
                reasons[holder].append("it held an engagement with a counterpart")
        return {k: tuple(dict.fromkeys(v)) for k, v in reasons.items() if v}

    def _label_masked(
        self,
        case: Case,
        reasons: Mapping[str, tuple[str, ...]],
        forms: Mapping[str, Mapping[str, str]],
        owners: Mapping[str, set[str]],
    ) -> None:
        """Number the masked actors per kind, skipping any label that is a form of another
        actor or another record's id (a map read back from a redacted export has them)."""
        counters: dict[ActorKind, int] = {}
        for actor in case.actors:
            if actor.id not in forms:
                continue
            number = counters.get(actor.kind, 0)
            while True:
                number += 1
                label = f"{_words(actor.kind).capitalize()} {number}"
                if not owners.get(joined(label), set()) - {actor.id}:
                    break
            counters[actor.kind] = number
            self.masked[actor.id] = MaskedActor(
                actor.id, label, _slug(label), actor.kind, reasons[actor.id]
            )

    def _label_records(self, case: Case, exempt: set[str], taken: set[str]) -> dict[str, str]:
        """Each record id to its opaque label, numbered per collection in case order."""
        labels: dict[str, str] = {}
        used = set(taken) | {joined(m.label) for m in self.masked.values()}
        for collection, prefix in RECORD_PREFIXES.items():
            number = 0
            for record in getattr(case, collection):
                if record.id in labels:
                    continue
                if record.id in self.masked:
                    labels[record.id] = self.masked[record.id].record_label
                    continue
                if record.id in exempt:
                    labels[record.id] = record.id
                    continue
                while True:
                    number += 1
                    label = f"{prefix}-{number}"
                    if joined(label) not in used:
                        break
                labels[record.id] = label
        return labels

    # ------------------------------------------------------------------ asking

    def is_masked(self, actor_id: str) -> bool:
        """Whether the actor is masked in redacted outputs."""
        return actor_id in self.masked

    def label(self, actor_id: str) -> str | None:
        """The label a masked actor is shown by, or ``None`` for an actor not masked."""
        masked = self.masked.get(actor_id)
        return masked.label if masked else None

    def record_label(self, record_id: str) -> str:
        """The opaque label of a record id (the id itself when it only repeats a name)."""
        return self.record_labels.get(record_id, record_id)

    def hidden_fields(self, record: Record) -> frozenset[str]:
        """The fields of ``record`` a redacted output leaves out (identity aside)."""
        model = record.sensitive_fields() - {"name", "aliases"}
        kind = type(record).__name__.lower()
        if isinstance(record, Actor) and not self.is_masked(record.id):
            return model
        return model | self.rules.hidden(kind)

    # ------------------------------------------------------------------ masking

    def mask_text(self, text: str) -> str:
        """``text`` with every form of a masked actor replaced by its label, and every
        record id by its record label."""
        text = composed(text)
        if text in self.record_labels:
            return self.record_labels[text]
        text = replace_found(text, self._ids.find(text), self.record_label)
        return replace_found(
            text,
            self._names.find(text),
            lambda actor_id: self.masked[actor_id].label,
            absorbed=self.rules.title_words,
            joining=_JOINING,
        )

    def redact(self, value: T) -> T:
        """``value`` (text, lists, dicts, pydantic models, dataclasses) with every text
        masked (``mask_text``); images (fields ending in ``_base64``) are left alone."""
        return self._redact(value)  # type: ignore[no-any-return]

    def _redact(self, value: Any) -> Any:
        if isinstance(value, Enum):
            return value
        if isinstance(value, str):
            return self.mask_text(value)
        if isinstance(value, BaseModel):
            update = {
                name: self._redact(getattr(value, name))
                for name in type(value).model_fields
                if not name.endswith(IMAGE_SUFFIX)
            }
            return value.model_copy(update=update)
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            update = {
                f.name: self._redact(getattr(value, f.name))
                for f in dataclasses.fields(value)
                if f.init and not f.name.endswith(IMAGE_SUFFIX)
            }
            return dataclasses.replace(value, **update)
        if isinstance(value, dict):
            return {
                self._redact(k): v
                if isinstance(k, str) and k.endswith(IMAGE_SUFFIX)
                else self._redact(v)
                for k, v in value.items()
            }
        if isinstance(value, list | tuple | set | frozenset):
            return type(value)(self._redact(v) for v in value)
        return value

    def record_view(self, record: Record, hidden: Any = WITHHELD) -> dict[str, Any]:
        """``record`` as a JSON-ready document for a redacted output: hidden fields set to
        ``hidden`` (lists to ``[hidden]``, or empty when ``hidden`` is None), a masked
        actor named by its label, and every text and id masked."""
        document = record.model_dump(mode="json")
        for name in self.hidden_fields(record):
            value = document.get(name)
            if value is None or value in ([], ""):
                continue
            if isinstance(value, list):
                document[name] = [] if hidden is None else [hidden]
            else:
                document[name] = None if isinstance(value, int | float) else hidden
        masked = self.masked.get(getattr(record, "id", ""))
        if isinstance(record, Actor) and masked is not None:
            document |= {"name": masked.label, "aliases": [], "disclosed_reason": None}
        return self.redact(document)

    def masked_actor(self, actor: Actor) -> Actor:
        """``actor`` as a redacted export carries it: relabelled, notes left out, and a
        masked actor named by its label with its aliases, UCDP id and sources dropped."""
        update: dict[str, Any] = {name: None for name in self.hidden_fields(actor)}
        if "references" in update:
            update["references"] = []
        update["id"] = self.record_label(actor.id)
        masked = self.masked.get(actor.id)
        if masked is not None:
            update |= {"name": masked.label, "aliases": [], "disclosed_reason": None}
        else:
            update |= {
                "name": self.mask_text(actor.name),
                "aliases": [self.mask_text(a) for a in actor.aliases],
                "references": [],
            }
            if actor.disclosed_reason:
                update["disclosed_reason"] = self.mask_text(actor.disclosed_reason)
        return actor.model_copy(update=update)

    # ------------------------------------------------------------------ leaks

    def leaks_in(self, text: str) -> list[LeakHit]:
        """The sensitive forms still in ``text``: masked actors' forms, record ids that are
        not labels, and the addresses of the case's sources."""
        text = composed(text)
        parts = tokens(text)
        hits = [
            LeakHit(text[f.start : f.end], f"a form of {self.masked[f.key].label}")
            for f in self._names.find(text, parts)
        ]
        hits += [
            LeakHit(text[f.start : f.end], f"the id of {self.record_label(f.key)}")
            for f in self._ids.find(text, parts)
        ]
        hits += [
            LeakHit(url, "the address of a source")
            for url in sorted(self.source_urls)
            if url in text
        ]
        return hits


def _public_words(case: Case, public: Iterable[Actor]) -> frozenset[str]:
    """Folded words public anyway: the country's names, the regions, and the names and
    aliases of actors that are not masked."""
    texts: list[str] = list(case.context.regions)
    code = case.context.country
    country = pycountry.countries.get(alpha_3=code) if len(code) == 3 else None
    if country is not None:
        texts += [
            str(getattr(country, name))
            for name in ("name", "official_name", "common_name")
            if getattr(country, name, None)
        ]
    for actor in public:
        texts += [actor.name, *actor.aliases]
    return frozenset(t.text for text in texts for t in tokens(composed(text)))


def _exempt_ids(case: Case, public: Iterable[Actor], forms: Matcher) -> set[str]:
    """Ids that only repeat what their record shows anyway: an actor's id that is its
    public name ("anti-balaka"), a source's that is its publisher and date
    ("reuters-2010-01-05"). Never one that holds a form of a masked actor."""
    shown: list[tuple[str, str]] = [
        (actor.id, " | ".join([actor.name, *actor.aliases])) for actor in public
    ]
    shown += [
        (source.id, f"{source.title} | {source.publisher or ''} {source.date or ''}")
        for source in case.sources
    ]
    exempt = set()
    for record_id, text in shown:
        own = Matcher({joined(record_id): record_id}, inside=False)
        if own.find(composed(text)) and not forms.find(composed(record_id)):
            exempt.add(record_id)
    return exempt
