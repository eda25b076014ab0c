"""Which actor a name means: the actors the event data name, the UCDP actor list, and links.

An actor is named differently by each source and in each field: GED's ``side_a`` and
``side_b`` (with UCDP ids), ACLED's ``actor1`` and ``actor2`` and the ``;``-separated
``assoc_actor_1`` and ``assoc_actor_2``, and the UCDP actor list (acronyms, full names in
the group's language and in English). ``actor_activity`` counts every name of every field
by country and year; ``build_candidates`` gathers the names that mean one actor into an
``ActorCandidate``; ``resolve_actor`` finds the candidate a query means, or says that
several could be meant and lists them, never guessing.

Names that mean one actor: every GED name carrying a UCDP id belongs to that UCDP actor;
an event name spelt like exactly one UCDP actor's name (case, accents and punctuation
aside) belongs to it, unless an analyst rejected that link in the crosswalk; an ACLED name
that the crosswalk links to a UCDP actor (status ``confirmed``) belongs to it. Any other
event name is an actor of its own, shared by the sources and fields that spell it alike.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import ibis

from backchannel.errors import AmbiguousNameError, NameCandidate, NotFoundError
from backchannel.events.crosswalk_csv import CrosswalkRow, LinkStatus
from backchannel.events.ucdp_actors import UcdpActor
from backchannel.screening.normalise import (
    fold,
    initialism_runs,
    is_article,
    is_organisation_word,
    make_token,
    tokens,
    words,
)

__all__ = [
    "UCDP_LIST",
    "ActorCandidate",
    "NameActivity",
    "Resolution",
    "SourceName",
    "actor_activity",
    "build_candidates",
    "name_census",
    "name_parts",
    "resolve_actor",
]

UCDP_LIST = "ucdp-list"
FIELD_LABELS: dict[tuple[str, str], str] = {
    ("ged", "actor1"): "GED side_a",
    ("ged", "actor2"): "GED side_b",
    ("acled", "actor1"): "ACLED actor1",
    ("acled", "actor2"): "ACLED actor2",
    ("acled", "assoc_actor1"): "ACLED assoc_actor_1",
    ("acled", "assoc_actor2"): "ACLED assoc_actor_2",
    (UCDP_LIST, "name"): "UCDP actor list",
}
EVENT_FIELDS = ("actor1", "actor2", "assoc_actor1", "assoc_actor2")
ASSOCIATED_FIELDS = frozenset({"assoc_actor1", "assoc_actor2"})
NOTED_NEAR_MATCHES = 5
_BRACKETED = re.compile(r"[(\[]([^)\]]*)[)\]]")
_UCDP_ID_QUERY = re.compile(r"^\s*ucdp\s*:\s*(\d+)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class NameActivity:
    """How many events name ``name`` in one field of one source, in one country and year."""

    source: str
    field: str
    name: str
    ucdp_id: int | None
    country: str
    year: int
    events: int


@dataclass(frozen=True)
class SourceName:
    """A name as one source writes it in one field, and how many events name it there."""

    name: str
    source: str
    field: str
    events: int
    ucdp_id: int | None = None
    linked_by: str = ""

    @property
    def label(self) -> str:
        """Where the name is written: ``ACLED assoc_actor_1``, ``UCDP actor list``..."""
        return FIELD_LABELS.get((self.source, self.field), f"{self.source} {self.field}")

    def describe(self) -> str:
        """``ACLED actor1: 'Ex-Seleka: UPC', 141 events``."""
        if self.source == UCDP_LIST:
            return f"{self.label}: {self.name!r}"
        return f"{self.label}: {self.name!r}, {self.events} events"


def actor_activity(connection: Any, events: ibis.Table) -> list[NameActivity]:
    """Every actor name of every field, with its events by country and year.

    The associated-actor fields are split at ``;`` and each name trimmed; an event that
    names an actor twice in one field counts once.
    """
    parts = []
    for column in EVENT_FIELDS:
        values = events[column]
        if column in ASSOCIATED_FIELDS:
            listed = events.filter(values.notnull())
            named = listed.select(
                "source", "event_id", "country", "year", name=listed[column].split(";").unnest()
            ).mutate(ucdp_id=ibis.null().cast("int64"))
            named = named.mutate(name=named["name"].strip())
        else:
            ids = events[f"{column}_ucdp_id"]
            named = events.filter(values.notnull()).select(
                "source", "event_id", "country", "year", name=values.strip(), ucdp_id=ids
            )
        named = named.filter(named["name"] != "").mutate(field=ibis.literal(column))
        parts.append(
            named.select("source", "field", "name", "ucdp_id", "country", "year", "event_id")
        )
    union = parts[0].union(*parts[1:], distinct=False)
    counted = union.group_by(["source", "field", "name", "ucdp_id", "country", "year"]).aggregate(
        events=union.event_id.nunique()
    )
    rows: list[dict[str, Any]] = connection.to_pyarrow(counted).to_pylist()
    return [
        NameActivity(
            source=str(r["source"]),
            field=str(r["field"]),
            name=str(r["name"]),
            ucdp_id=None if r["ucdp_id"] is None else int(r["ucdp_id"]),
            country=str(r["country"]),
            year=int(r["year"]),
            events=int(r["events"]),
        )
        for r in rows
    ]


def name_census(activity: Iterable[NameActivity]) -> list[SourceName]:
    """Each name of each field of each source with its number of events, most named first."""
    totals: dict[tuple[str, str, str, int | None], int] = defaultdict(int)
    for row in activity:
        totals[(row.source, row.field, row.name, row.ucdp_id)] += row.events
    census = [
        SourceName(name=name, source=source, field=column, events=count, ucdp_id=ucdp_id)
        for (source, column, name, ucdp_id), count in totals.items()
    ]
    return sorted(census, key=lambda s: (-s.events, s.source, s.field, s.name))


@dataclass(frozen=True)
class ActorCandidate:
    """One actor a name can mean: a UCDP actor with the event names linked to it, or an
    event name that no UCDP actor claims (with its spellings in other fields and sources).

    ``name`` is how to ask for it exactly: the UCDP list's name, else the event name.
    """

    name: str
    ucdp_id: int | None
    ucdp_actor: UcdpActor | None
    source_names: tuple[SourceName, ...]

    @property
    def events(self) -> int:
        """Events naming it, summed over fields (an event naming it in two fields counts
        twice: a figure for choosing between candidates, not a count of events)."""
        return sum(s.events for s in self.source_names if s.source != UCDP_LIST)

    def names_in(self, source: str) -> tuple[str, ...]:
        """The names under which ``source``'s events name it."""
        return tuple(dict.fromkeys(s.name for s in self.source_names if s.source == source))

    @property
    def sources(self) -> tuple[str, ...]:
        """The event sources that name it, GED first."""
        found = {s.source for s in self.source_names if s.source != UCDP_LIST and s.events}
        return tuple(sorted(found, key=lambda s: (s != "ged", s != "acled", s)))

    @property
    def match_names(self) -> tuple[str, ...]:
        """Every name a query may match: the UCDP list's forms and the event names."""
        listed = self.ucdp_actor.names if self.ucdp_actor else ()
        return tuple(dict.fromkeys([*listed, *(s.name for s in self.source_names)]))

    def as_name_candidate(self, by_id: bool = False) -> NameCandidate:
        """How an ambiguity error lists it: where it is named and how often; ``by_id``
        offers ``ucdp:ID`` to ask for it (for UCDP actors that share a name)."""
        details = []
        if self.ucdp_actor is not None:
            details.append(
                f"UCDP {self.ucdp_id} {self.ucdp_actor.name!r}, {self.ucdp_actor.location}"
            )
        elif self.ucdp_id is not None:
            details.append(f"UCDP {self.ucdp_id}")
        details += [
            f"{s.label}: {s.events} events" if s.name == self.name else s.describe()
            for s in self.source_names
            if s.source != UCDP_LIST
        ]
        if not self.events:
            details.append("no events in the data")
        ask = f"ucdp:{self.ucdp_id}" if by_id and self.ucdp_id is not None else self.name
        return NameCandidate(ask, tuple(details))


class _Builder:
    """The candidates being assembled, keyed by UCDP id or by folded event name."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}
        self.ucdp: dict[str, UcdpActor | None] = {}
        self.ids: dict[str, int | None] = {}
        self.members: dict[str, list[SourceName]] = defaultdict(list)

    def ensure(self, key: str, name: str, ucdp_id: int | None, actor: UcdpActor | None) -> str:
        if key not in self.names:
            self.names[key], self.ids[key], self.ucdp[key] = name, ucdp_id, actor
        return key

    def add(self, key: str, member: SourceName) -> None:
        self.members[key].append(member)

    def freeze(self) -> list[ActorCandidate]:
        return [
            ActorCandidate(
                name=self.names[key],
                ucdp_id=self.ids[key],
                ucdp_actor=self.ucdp[key],
                source_names=tuple(
                    sorted(self.members[key], key=lambda s: (s.source == UCDP_LIST, -s.events))
                ),
            )
            for key in self.names
        ]


def build_candidates(
    census: Sequence[SourceName],
    ucdp_actors: Sequence[UcdpActor] = (),
    crosswalk: Sequence[CrosswalkRow] = (),
) -> list[ActorCandidate]:
    """Every actor a name can mean, from the event names, the UCDP list and the crosswalk
    (see the module docstring for which names are linked to one actor)."""
    build = _Builder()
    by_id = {actor.actor_id: actor for actor in ucdp_actors}
    ids_by_name: dict[str, set[int]] = defaultdict(set)
    for actor in ucdp_actors:
        key = build.ensure(f"ucdp:{actor.actor_id}", actor.name, actor.actor_id, actor)
        build.add(key, SourceName(actor.name, UCDP_LIST, "name", 0, actor.actor_id))
        for name in actor.names:
            ids_by_name[fold(name)].add(actor.actor_id)
    for entry in census:
        if entry.ucdp_id is not None:
            ids_by_name[fold(entry.name)].add(entry.ucdp_id)
    confirmed, rejected = _crosswalk_links(crosswalk, ids_by_name)
    for entry in census:
        links = _links(entry, ids_by_name, confirmed, rejected)
        for ucdp_id, how, ucdp_name in links:
            listed = by_id.get(ucdp_id)
            name = listed.name if listed else ucdp_name or entry.name
            build.add(build.ensure(f"ucdp:{ucdp_id}", name, ucdp_id, listed), _linked(entry, how))
        if not links:
            key = build.ensure(f"name:{fold(entry.name)}", entry.name, None, None)
            build.add(key, entry)
    return build.freeze()


def _linked(entry: SourceName, how: str) -> SourceName:
    return SourceName(entry.name, entry.source, entry.field, entry.events, entry.ucdp_id, how)


_Link = tuple[int, str, str]  # UCDP id, how the link was made, the UCDP name if known


def _crosswalk_links(
    crosswalk: Sequence[CrosswalkRow], ids_by_name: dict[str, set[int]]
) -> tuple[dict[str, list[_Link]], set[tuple[str, int]]]:
    """Confirmed links by folded ACLED name, and the (name, id) pairs rejected."""
    confirmed: dict[str, list[_Link]] = defaultdict(list)
    rejected: set[tuple[str, int]] = set()
    for row in crosswalk:
        if row.status not in (LinkStatus.CONFIRMED, LinkStatus.REJECTED):
            continue
        ids = (
            [row.ucdp_id]
            if row.ucdp_id is not None
            else sorted(ids_by_name.get(fold(row.ucdp_actor), ()))
        )
        for ucdp_id in ids:
            if row.status is LinkStatus.REJECTED:
                rejected.add((fold(row.acled_actor), ucdp_id))
            else:
                where = f"crosswalk line {row.line}" if row.line else "crosswalk"
                confirmed[fold(row.acled_actor)].append((ucdp_id, where, row.ucdp_actor))
    return confirmed, rejected


def _links(
    entry: SourceName,
    ids_by_name: dict[str, set[int]],
    confirmed: dict[str, list[_Link]],
    rejected: set[tuple[str, int]],
) -> list[_Link]:
    """The UCDP actors an event name belongs to, and why; empty when none."""
    if entry.ucdp_id is not None:
        return [(entry.ucdp_id, "UCDP id in GED", "")]
    key = fold(entry.name)
    if entry.source == "acled" and key in confirmed:
        return [link for link in confirmed[key] if (key, link[0]) not in rejected]
    same = [i for i in ids_by_name.get(key, ()) if (key, i) not in rejected]
    if len(same) == 1:
        return [(same[0], "same name as the UCDP actor", "")]
    return []


# --------------------------------------------------------------------------- matching


@dataclass(frozen=True)
class Resolution:
    """The actor a query resolved to, the name that matched it, and how."""

    query: str
    candidate: ActorCandidate
    matched_name: str
    exact: bool
    reason: str
    notes: tuple[str, ...] = field(default_factory=tuple)


@lru_cache(maxsize=65_536)
def name_parts(name: str) -> tuple[tuple[str, str], ...]:
    """The shorter names a name contains, each with where it stands in it.

    ACLED writes a group after its family or acronym and a colon ("Ex-Seleka: UPC",
    "3R: Return, Reclamation, Rehabilitation"); lists put acronyms and qualifiers in
    brackets ("Self-Defense Mujahidin (CAR)", "Military Forces of Chad (2021-)"). Returns
    ``(form, role)`` pairs, roles such as ``after the colon``, ``before the colon``,
    ``without its brackets`` and ``in brackets``; the name itself is not among them.
    """
    if ":" in name:
        before, _, after = name.partition(":")
        pieces = [(after.strip(), "after the colon"), (before.strip(), "before the colon")]
    else:
        pieces = [(name, "")]
    found: list[tuple[str, str]] = []
    for text, role in pieces:
        found.append((text, role))
        inside = [m.group(1) for m in _BRACKETED.finditer(text)]
        outside = _BRACKETED.sub(" ", text)
        for form, where in [
            (outside, "without its brackets"),
            *((i, "in brackets") for i in inside),
        ]:
            if any(c.isalpha() for c in form):  # "(2016-)" is a period, not a name
                found.append((" ".join(form.split()), f"{where}, {role}" if role else where))
    seen: set[str] = {fold(name)}
    unique = []
    for form, role in found:
        key = fold(form)
        if key and key not in seen:
            seen.add(key)
            unique.append((form, role))
    return tuple(unique)


def is_initialism_of(short: str, name: str) -> bool:
    """Whether ``short`` (one word) spells the initials of every significant word of
    ``name`` (articles may give their letter or not): "CPC" of "Coalition of Patriots
    for Change"."""
    short_words = words(short)
    if len(short_words) != 1:
        return False
    long_tokens = tokens(name)
    significant = [i for i, t in enumerate(long_tokens) if not t.article]
    if len(significant) < 2:
        return False
    return any(
        start <= significant[0] and end > significant[-1]
        for start, end in initialism_runs(make_token(short_words[0]), long_tokens)
    )


def _significant(query_words: Sequence[str]) -> bool:
    return any(not is_article(w) and not is_organisation_word(w) for w in query_words)


def partial_reason(query: str, name: str) -> str | None:
    """Why ``name`` partly matches ``query``, or ``None``: a shorter name it contains
    (after a colon, in brackets), the query's words as whole words inside it, or an
    acronym of it. A query of only articles and generic words ("forces") never matches.
    """
    wanted = fold(query)
    query_words = wanted.split(" ") if wanted else []
    if not query_words or not _significant(query_words):
        return None
    for form, role in name_parts(name):
        if fold(form) == wanted:
            return f"{form!r} {role} in {name!r}"
    name_words = fold(name).split(" ")
    span = len(query_words)
    if any(name_words[i : i + span] == query_words for i in range(len(name_words) - span + 1)):
        return f"whole words of {name!r}"
    for form in (name, *(f for f, _ in name_parts(name))):
        if is_initialism_of(query, form):
            return f"{query!r} spells the initials of {form!r}"
        if is_initialism_of(form, query):
            return f"{form!r} ({name!r}) spells the initials of {query!r}"
    return None


def resolve_actor(
    query: str, candidates: Sequence[ActorCandidate], *, exact_only: bool = False
) -> Resolution:
    """The one actor ``query`` means.

    An exact match (case, accents and punctuation aside) of any of an actor's names comes
    first, then a partial match (see ``partial_reason``) unless ``exact_only``; actors the
    events name come before actors only the UCDP list knows. ``ucdp:ID`` asks for a UCDP
    actor by id. Several actors at the first level that matches raise
    ``AmbiguousNameError`` listing them; none raises ``NotFoundError`` with the closest
    names.
    """
    by_id = _UCDP_ID_QUERY.match(query)
    if by_id:
        wanted_id = int(by_id.group(1))
        for candidate in candidates:
            if candidate.ucdp_id == wanted_id:
                return Resolution(query, candidate, candidate.name, True, "UCDP actor id")
        raise NotFoundError(f"no UCDP actor has the id {wanted_id} in the list or the events")
    wanted = fold(query)
    exact: list[tuple[ActorCandidate, str, str]] = []
    partial: list[tuple[ActorCandidate, str, str]] = []
    for candidate in candidates:
        names = candidate.match_names
        hit = next((n for n in names if fold(n) == wanted), None)
        if hit is not None:
            exact.append((candidate, hit, "exact name"))
            continue
        if exact_only:
            continue
        for name in names:
            reason = partial_reason(query, name)
            if reason:
                partial.append((candidate, name, reason))
                break
    tiers = [
        [m for m in exact if m[0].events],
        [m for m in partial if m[0].events],
        [m for m in exact if not m[0].events],
        [m for m in partial if not m[0].events],
    ]
    for level, tier in enumerate(tiers):
        if len(tier) > 1:
            ordered = sorted(tier, key=lambda m: (-m[0].events, m[0].name))
            shared = _shared_names([m[0] for m in ordered])
            raise AmbiguousNameError(
                query, [m[0].as_name_candidate(fold(m[0].name) in shared) for m in ordered]
            )
        if tier:
            candidate, name, reason = tier[0]
            notes = _near_matches(candidate, partial) if level == 0 else ()
            return Resolution(query, candidate, name, level in (0, 2), reason, notes)
    raise NotFoundError(_not_found(query, candidates))


def _shared_names(candidates: list[ActorCandidate]) -> set[str]:
    """Folded names that more than one of ``candidates`` goes by."""
    seen: set[str] = set()
    shared: set[str] = set()
    for candidate in candidates:
        key = fold(candidate.name)
        (shared if key in seen else seen).add(key)
    return shared


def _near_matches(
    chosen: ActorCandidate, partial: list[tuple[ActorCandidate, str, str]]
) -> tuple[str, ...]:
    """Actors named in the events that partly match the query but are not counted."""
    others = sorted(
        (m for m in partial if m[0] is not chosen and m[0].events), key=lambda m: -m[0].events
    )
    notes = [
        f"not counted, partly matching: {c.name!r} ({reason}; {c.events} events): ask for it "
        "by name for its own profile"
        + (
            ", or confirm it in the crosswalk if it is the same actor"
            if c.names_in("acled")
            else ""
        )
        for c, _, reason in others[:NOTED_NEAR_MATCHES]
    ]
    if len(others) > NOTED_NEAR_MATCHES:
        notes.append(f"... and {len(others) - NOTED_NEAR_MATCHES} more partly matching actors")
    return tuple(notes)


def _not_found(query: str, candidates: Sequence[ActorCandidate]) -> str:
    names = {fold(n): n for c in candidates for n in c.match_names}
    close = difflib.get_close_matches(fold(query), list(names), n=3, cutoff=0.75)
    hint = f"; did you mean {', '.join(repr(names[c]) for c in close)}?" if close else ""
    return f"no actor in the event data or the UCDP actor list is named like {query!r}{hint}"
