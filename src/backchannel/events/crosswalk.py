"""Proposes which UCDP actor each ACLED actor is: a crosswalk for analysts to review.

ACLED and UCDP name the same armed groups differently ("Ex-Seleka: UPC" and "UPC";
"Military Forces of the Central African Republic (2016-)" and "Government of Central
African Republic"). For every actor of the ACLED events, this scores the UCDP actors
known from the GED events present and from the UCDP actor list on three things:

- **names** (the strongest rule that applies, see ``NAME_RULES``): a name in common, once
  case, accents and punctuation are set aside, or a shorter name one contains (the part
  after ACLED's colon, the text outside brackets); initials; state forces of a country
  and the government of that country; words in common;
- **countries**: the countries of each source's events (and the locations the UCDP list
  gives); no country in common lowers the score a lot, unknown countries a little;
- **periods**: years in which both sources record the actor raise the score a little,
  no year in common lowers it (one source may simply record a group after the other's
  coverage ends, so this is never decisive).

Every proposal carries its score and the reasons behind it; nothing is linked until an
analyst confirms it in the CSV (``crosswalk_csv``).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import pycountry

from backchannel.events.actor_names import NameActivity, is_initialism_of, name_parts
from backchannel.events.crosswalk_csv import CrosswalkRow, LinkStatus
from backchannel.events.ucdp_actors import UcdpActor
from backchannel.screening.normalise import fold, is_article, is_organisation_word

__all__ = [
    "NAME_RULES",
    "PROPOSE_AT",
    "ActorRecord",
    "acled_records",
    "country_key",
    "propose_crosswalk",
    "ucdp_records",
]

PROPOSE_AT = 0.5
PROPOSALS_PER_ACTOR = 3
NO_COMMON_COUNTRY = 0.5
UNKNOWN_COUNTRIES = 0.85
YEARS_IN_COMMON = 0.05
NO_COMMON_YEAR = -0.1
WEAK_WORD_WEIGHT = 0.3

# ACLED's collective categories, which are not organised actors UCDP codes.
_GENERIC = re.compile(r"^(civilians|protesters|rioters|unidentified|sole perpetrator)\b")
_STATE_FORCES = re.compile(
    r"^(?:military|police|armed|security|defen[cs]e|gendarmerie|national guard|presidential "
    r"guard)(?: and \w+)? forces of (?:the )?(?P<country>.+)$"
)
_GOVERNMENT = re.compile(r"^government of (?:the )?(?P<country>.+)$")
_BRACKETED = re.compile(r"\([^)]*\)")
# Country names UCDP and ACLED write that ISO 3166 does not give (folded).
_COUNTRY_SPELLINGS = {
    "democratic republic of congo": "COD",
    "dr congo": "COD",
    "dr congo zaire": "COD",
    "republic of congo": "COG",
    "ivory coast": "CIV",
    "cote d ivoire": "CIV",
    "cape verde": "CPV",
    "russia": "RUS",
    "russia soviet union": "RUS",
    "turkey": "TUR",
    "palestine": "PSE",
    "kosovo": "XKX",
    "macedonia fyr": "MKD",
    "north macedonia": "MKD",
    "serbia yugoslavia": "SRB",
    "bosnia herzegovina": "BIH",
    "brunei": "BRN",
    "micronesia": "FSM",
    "swaziland": "SWZ",
    "kingdom of eswatini swaziland": "SWZ",
    "east timor": "TLS",
}


@lru_cache(maxsize=1)
def _iso_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for country in pycountry.countries:
        for attribute in ("name", "common_name", "official_name"):
            value = getattr(country, attribute, None)
            if value:
                names.setdefault(fold(str(value)), str(country.alpha_3))
    return names


@lru_cache(maxsize=4_096)
def country_key(name: str) -> str:
    """One key for a country however a source spells it: its ISO alpha-3 code when
    known ("DR Congo (Zaire)" and "Democratic Republic of Congo" are both COD), else
    its folded name."""
    for text in (name, _BRACKETED.sub(" ", name)):
        folded = fold(text)
        found = _COUNTRY_SPELLINGS.get(folded) or _iso_names().get(folded)
        if found:
            return found
    return fold(name)


def _location_countries(location: str) -> list[str]:
    """The countries of a UCDP list ``Location`` cell ("Uganda, DR Congo (Zaire), Sudan")."""
    protected = location.replace("Macedonia, FYR", "Macedonia FYR")
    return [part.strip() for part in protected.split(",") if part.strip()]


@dataclass(frozen=True)
class ActorRecord:
    """One actor as a source records it: its names, and where and when it is active.

    ``countries`` maps country keys to the names the source writes; ``years`` are the
    years of its events (empty when only the UCDP list knows it).
    """

    name: str
    names: tuple[str, ...]
    ucdp_id: int | None
    countries: dict[str, str]
    years: frozenset[int]
    events: int


def acled_records(activity: Iterable[NameActivity]) -> list[ActorRecord]:
    """Every ACLED actor name (any field) but ACLED's collective categories (civilians,
    protesters, rioters, unidentified groups), most named first."""
    grouped: dict[str, list[NameActivity]] = defaultdict(list)
    for row in activity:
        if row.source == "acled" and not _GENERIC.match(fold(row.name)):
            grouped[row.name].append(row)
    records = [_record(name, (name,), None, rows) for name, rows in grouped.items()]
    return sorted(records, key=lambda r: (-r.events, r.name))


def ucdp_records(
    activity: Iterable[NameActivity], ucdp_actors: Sequence[UcdpActor] = ()
) -> list[ActorRecord]:
    """The UCDP actors: those of the GED events (by id, with their names, countries and
    years) and those of the UCDP list (names and locations; years from GED when present).
    GED names without an id are actors of their own."""
    ged: dict[int | str, list[NameActivity]] = defaultdict(list)
    for row in activity:
        if row.source == "ged":
            ged[row.ucdp_id if row.ucdp_id is not None else row.name].append(row)
    listed = {actor.actor_id: actor for actor in ucdp_actors}
    records = []
    for key in dict.fromkeys([*listed, *ged]):
        rows = ged.get(key, [])
        actor = listed.get(key) if isinstance(key, int) else None
        ged_names = tuple(dict.fromkeys(r.name for r in rows))
        names = tuple(dict.fromkeys([*(actor.names if actor else ()), *ged_names]))
        name = actor.name if actor else ged_names[0]
        record = _record(name, names, key if isinstance(key, int) else None, rows)
        if actor:
            located = {country_key(c): c for c in _location_countries(actor.location)}
            record = ActorRecord(
                name, names, record.ucdp_id, {**located, **record.countries}, record.years,
                record.events,
            )  # fmt: skip
        records.append(record)
    return records


def _record(
    name: str, names: tuple[str, ...], ucdp_id: int | None, rows: list[NameActivity]
) -> ActorRecord:
    return ActorRecord(
        name=name,
        names=names,
        ucdp_id=ucdp_id,
        countries={country_key(r.country): r.country for r in rows},
        years=frozenset(r.year for r in rows),
        events=sum(r.events for r in rows),
    )


# --------------------------------------------------------------------------- name rules


@dataclass(frozen=True)
class _Form:
    """A name or a shorter name inside one, with how strongly it stands for the actor."""

    text: str
    key: str
    strength: float
    said: str  # how to quote it in a reason


def _acled_forms(name: str) -> list[_Form]:
    """An ACLED name and the names inside it. After a colon ACLED writes the group and
    before it the family it belongs to ("Ex-Seleka: UPC"), unless one part is the other's
    acronym ("CPC: Coalition of Patriots for Change"), when both name the group."""
    forms = [_Form(name, fold(name), 1.0, repr(name))]
    before, colon, after = name.partition(":")
    acronym_pair = bool(colon) and (
        is_initialism_of(before, after) or is_initialism_of(after, before)
    )
    for form, role in name_parts(name):
        if "before the colon" in role and not acronym_pair:
            strength = 0.4
        elif role.startswith("in brackets"):
            strength = 0.5
        else:
            strength = 0.95 if acronym_pair else 0.9
        forms.append(_Form(form, fold(form), strength, f"{form!r} ({role} in {name!r})"))
    return forms


def _ucdp_forms(record: ActorRecord) -> list[_Form]:
    forms = [_Form(n, fold(n), 1.0, repr(n)) for n in record.names]
    for name in record.names:
        for form, role in name_parts(name):
            strength = 0.5 if role.startswith("in brackets") else 0.8
            forms.append(_Form(form, fold(form), strength, f"{form!r} ({role} in {name!r})"))
    return forms


_Rule = Callable[[list[_Form], list[_Form], ActorRecord], tuple[float, str] | None]


def same_name(
    acled: list[_Form], ucdp: list[_Form], record: ActorRecord
) -> tuple[float, str] | None:
    """The same name in both sources, case, accents and punctuation aside, or a shorter
    name inside one (the part after ACLED's colon, the text outside brackets): as strong
    as the weaker of the two forms."""
    best: tuple[float, str] | None = None
    for a in acled:
        for u in ucdp:
            if a.key and a.key == u.key:
                score = min(a.strength, u.strength)
                if best is None or score > best[0]:
                    best = (score, f"same name: {a.said} = UCDP {u.said}")
    return best


def initials(
    acled: list[_Form], ucdp: list[_Form], record: ActorRecord
) -> tuple[float, str] | None:
    """One name spells the initials of the other ("CPC", "Coalition of Patriots for
    Change"): good evidence, below a name in common, since short acronyms recur. Country
    names and their initials ("Central African Republic", "CAR") are not compared."""
    places = _iso_names()
    for a in acled:
        for u in ucdp:
            if a.key in places or u.key in places:  # "CAR" is a country, not a group
                continue
            if is_initialism_of(a.text, u.text) or is_initialism_of(u.text, a.text):
                return (0.8 * min(a.strength, u.strength), f"initials: {a.said} and UCDP {u.said}")
    return None


def state_forces(
    acled: list[_Form], ucdp: list[_Form], record: ActorRecord
) -> tuple[float, str] | None:
    """ACLED names a state's forces ("Military Forces of Chad (2021-)", "Police Forces
    of ..."); UCDP codes the state as its government ("Government of Chad")."""
    forces = {
        country_key(found.group("country")): a.text
        for a in acled
        if (found := _STATE_FORCES.match(fold(_BRACKETED.sub(" ", a.text))))
    }
    for u in ucdp:
        government = _GOVERNMENT.match(u.key)
        if government and (name := forces.get(country_key(government.group("country")))):
            return 0.9, f"state forces: {name!r} are the forces of UCDP's {u.text!r}"
    return None


def shared_words(
    acled: list[_Form], ucdp: list[_Form], record: ActorRecord
) -> tuple[float, str] | None:
    """Words in common, weighted: generic words ("forces", "movement") and the words of
    country names ("central", "african") count for less, articles not at all; needs half
    the weight in common and one word that is neither generic nor a place. An ACLED name
    is compared by the group's own name, not its family before a colon ("Ex-Seleka")."""
    own = [f for f in acled[1:] if f.strength >= 0.9]
    family = any("before the colon" in f.said for f in acled[1:] if f.strength < 0.9)
    compared = own if family and own else acled[:1] + own
    best: tuple[float, str] | None = None
    for a in compared:
        ours = _weighted(a.key)
        for u in ucdp:
            theirs = _weighted(u.key)
            common = set(ours) & set(theirs)
            if not any(ours[w] == 1.0 for w in common):
                continue
            overlap = sum(ours[w] for w in common) / sum({**ours, **theirs}.values())
            if overlap >= 0.5 and (best is None or 0.8 * overlap > best[0]):
                said = ", ".join(sorted(common))
                best = (0.8 * overlap, f"words in common with UCDP {u.said}: {said}")
    return best


def _weighted(key: str) -> dict[str, float]:
    return {
        w: WEAK_WORD_WEIGHT if is_organisation_word(w) or w in _place_words() else 1.0
        for w in key.split(" ")
        if w and not is_article(w)
    }


@lru_cache(maxsize=1)
def _place_words() -> frozenset[str]:
    """The words of country names ("central", "african", "republic", "congo")."""
    names = [*_iso_names(), *_COUNTRY_SPELLINGS]
    return frozenset(word for name in names for word in name.split(" ") if not is_article(word))


NAME_RULES: tuple[_Rule, ...] = (same_name, state_forces, initials, shared_words)
"""The name rules, each returning a score from 0 to 1 and its reason; the best one counts."""


# --------------------------------------------------------------------------- proposal


def propose_crosswalk(
    acled: Sequence[ActorRecord], ucdp: Sequence[ActorRecord]
) -> list[CrosswalkRow]:
    """For each ACLED actor, the UCDP actors it likely is (score >= ``PROPOSE_AT``, the
    best ``PROPOSALS_PER_ACTOR``) as ``proposed`` rows, else one ``unmatched`` row saying
    what came closest. Rows follow the ACLED actors, most named first."""
    index = _Index(ucdp)
    rows: list[CrosswalkRow] = []
    for record in acled:
        forms = _acled_forms(record.name)
        scored = []
        for candidate in index.candidates(forms):
            found = _score(record, forms, candidate, index.ucdp_forms(candidate))
            if found:
                scored.append((found[0], candidate, found[1]))
        scored.sort(key=lambda s: (-s[0], -s[1].events, s[1].name))
        proposed = [s for s in scored if s[0] >= PROPOSE_AT][:PROPOSALS_PER_ACTOR]
        for score, candidate, reasons in proposed:
            rows.append(_row(record, candidate, score, reasons, LinkStatus.PROPOSED))
        if not proposed:
            rows.append(_unmatched(record, scored[0] if scored else None))
    return rows


class _Index:
    """UCDP actors by the words and the initials of their names, and by the country they
    govern: the only ones worth scoring against an ACLED actor."""

    def __init__(self, records: Sequence[ActorRecord]) -> None:
        self.forms = {id(r): _ucdp_forms(r) for r in records}
        self.by_word: dict[str, list[ActorRecord]] = defaultdict(list)
        self.by_initials: dict[str, list[ActorRecord]] = defaultdict(list)
        self.governments: dict[str, list[ActorRecord]] = defaultdict(list)
        for record in records:
            for form in self.forms[id(record)]:
                for word in set(form.key.split(" ")):
                    if word and not is_article(word):
                        self.by_word[word].append(record)
                for letters in _initials(form.key):
                    self.by_initials[letters].append(record)
                government = _GOVERNMENT.match(form.key)
                if government:
                    self.governments[country_key(government.group("country"))].append(record)

    def candidates(self, forms: list[_Form]) -> list[ActorRecord]:
        found: dict[int, ActorRecord] = {}
        for form in forms:
            keys = [w for w in form.key.split(" ") if w and not is_article(w)]
            hits = [self.by_word.get(w, []) for w in keys]
            hits += [self.by_initials.get(w, []) for w in keys]
            hits += [self.by_word.get(letters, []) for letters in _initials(form.key)]
            forces = _STATE_FORCES.match(fold(_BRACKETED.sub(" ", form.text)))
            if forces:
                hits.append(self.governments.get(country_key(forces.group("country")), []))
            for records in hits:
                for record in records:
                    found[id(record)] = record
        return list(found.values())

    def ucdp_forms(self, record: ActorRecord) -> list[_Form]:
        return self.forms[id(record)]


def _initials(key: str) -> set[str]:
    """The initials of a name of several words, with and without its articles."""
    words = [w for w in key.split(" ") if w]
    if len(words) < 2:
        return set()
    return {
        "".join(w[0] for w in words),
        "".join(w[0] for w in words if not is_article(w)),
    }


def _score(
    acled: ActorRecord, forms: list[_Form], ucdp: ActorRecord, ucdp_forms: list[_Form]
) -> tuple[float, list[str]] | None:
    results = [r for rule in NAME_RULES if (r := rule(forms, ucdp_forms, ucdp))]
    if not results:
        return None
    name_score, name_reason = max(results, key=lambda r: r[0])
    reasons = [name_reason]
    common = set(acled.countries) & set(ucdp.countries)
    if common:
        factor = 1.0
        reasons.append("both in " + ", ".join(sorted(acled.countries[c] for c in common)))
    elif not ucdp.countries:
        factor = UNKNOWN_COUNTRIES
        reasons.append("UCDP countries unknown")
    else:
        factor = NO_COMMON_COUNTRY
        reasons.append(
            f"no country in common (ACLED: {', '.join(sorted(acled.countries.values()))}; "
            f"UCDP: {', '.join(sorted(ucdp.countries.values()))})"
        )
    adjustment = 0.0
    if not ucdp.years:
        reasons.append("no GED events: years not compared")
    elif acled.years & ucdp.years:
        adjustment = YEARS_IN_COMMON
        reasons.append(f"active in both in {year_ranges(acled.years & ucdp.years)}")
    else:
        adjustment = NO_COMMON_YEAR
        reasons.append("no year in common")
    return round(min(1.0, max(0.0, name_score * factor + adjustment)), 2), reasons


def _row(
    acled: ActorRecord,
    ucdp: ActorRecord,
    score: float,
    reasons: list[str],
    status: LinkStatus,
) -> CrosswalkRow:
    common = set(acled.countries) & set(ucdp.countries)
    if common:
        countries = ", ".join(sorted(acled.countries[c] for c in common))
    else:
        countries = (
            f"ACLED: {', '.join(sorted(acled.countries.values()))}; "
            f"UCDP: {', '.join(sorted(ucdp.countries.values())) or 'unknown'}"
        )
    return CrosswalkRow(
        acled_actor=acled.name,
        ucdp_actor=ucdp.name,
        ucdp_id=ucdp.ucdp_id,
        status=status,
        score=score,
        basis="; ".join(reasons),
        countries=countries,
        acled_years=year_ranges(acled.years),
        ucdp_years=year_ranges(ucdp.years),
    )


def _unmatched(
    acled: ActorRecord, closest: tuple[float, ActorRecord, list[str]] | None
) -> CrosswalkRow:
    if closest is None:
        basis = "no UCDP actor shares a name, a distinctive word or initials with it"
    else:
        score, record, reasons = closest
        basis = f"closest: {record.name!r} at {score:.2f} ({'; '.join(reasons)})"
    return CrosswalkRow(
        acled_actor=acled.name,
        ucdp_actor="",
        ucdp_id=None,
        status=LinkStatus.UNMATCHED,
        basis=basis,
        countries=", ".join(sorted(acled.countries.values())),
        acled_years=year_ranges(acled.years),
    )


def year_ranges(years: Iterable[int]) -> str:
    """Years as ranges: ``2013-2016, 2019``."""
    ordered = sorted(set(years))
    runs: list[list[int]] = []
    for year in ordered:
        if runs and year == runs[-1][-1] + 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    return ", ".join(f"{r[0]}-{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs)
