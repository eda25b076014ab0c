"""Relations proposed from UCDP data, dated and with their evidence.

Two kinds of source: the actor list codes ties directly (``ActorIdPrev`` and
``ActorIdSplitTemp`` a splinter, ``ActorIdAlliance`` membership of an alliance coded as an
actor, ``ActorIdGroup`` having joined another actor) but gives no date, so the activity of
the two actors bounds it; the dyadic data and GED give fighting and acting together, one
relation per spell of consecutive years.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from backchannel.actors.seed_actors import Cast
from backchannel.actors.seed_inputs import SeedSources
from backchannel.actors.seed_output import Evidence, RelationProposal, counted
from backchannel.actors.seed_ties import Observations, Sighting, Tie, spells, window
from backchannel.model.case import Relation
from backchannel.model.vocabulary import RelationKind

__all__ = ["ListTie", "list_ties", "relation_proposals"]

_ID_LENGTH = 80  # the longest record id the case model takes


@dataclass(frozen=True)
class ListTie:
    """A tie the actor list codes between two actors, undated."""

    source: int
    target: int
    kind: RelationKind
    joined: bool  # ``ActorIdGroup``: the source joined the target
    evidence: Evidence


@dataclass(frozen=True)
class _Draft:
    """A relation before it gets its record id."""

    source: int
    target: int
    kind: RelationKind
    start: dt.date | None
    end: dt.date | None
    evidence: list[Evidence]


def list_ties(
    cast: Cast, actor_ids: Iterable[int], sources: SeedSources
) -> tuple[list[ListTie], list[str]]:
    """Ties the actor list codes from these actors: splinters, factions, alliances, joining;
    and notes on ids it codes that are not another actor of the list.

    Only these actors are followed, one step: a parent or an alliance outside the country
    is proposed as the other end of the tie, but not its own ties.
    """
    ties: list[ListTie] = []
    notes: list[str] = []
    for actor_id in actor_ids:
        actor = cast.by_id.get(actor_id)
        if actor is None:
            continue
        coded = (
            (actor.splinter_of_ids, RelationKind.SPLINTER_OF, "a splinter of", "ActorIdPrev"),
            (actor.split_temp_ids, RelationKind.SPLINTER_OF, "a temporary split from",
             "ActorIdSplitTemp"),
            (actor.alliance_ids, RelationKind.MEMBER_OF, "a member of the alliance",
             "ActorIdAlliance"),
            (actor.joined_ids, RelationKind.MEMBER_OF, "having joined", "ActorIdGroup"),
        )  # fmt: skip
        for targets, kind, phrase, column in coded:
            for target in targets:
                if target not in cast.by_id or target == actor_id:
                    notes.append(
                        f"ActorId {actor_id}: {column} {target} is not another actor of "
                        "the actor list; tie left out"
                    )
                    continue
                statement = f"UCDP codes {actor.name} as {phrase} {cast.by_id[target].name}."
                ties.append(
                    ListTie(
                        actor_id,
                        target,
                        kind,
                        column == "ActorIdGroup",
                        Evidence(
                            sources.actors.id,
                            statement,
                            (f"ActorId {actor_id} ({column} {target})",),
                        ),
                    )
                )
    return ties, notes


def relation_proposals(
    ties: Iterable[ListTie],
    seen: Observations,
    cast: Cast,
    sources: SeedSources,
    ids: Mapping[int, str],
) -> tuple[RelationProposal, ...]:
    """Every relation: the actor list's ties, then each spell of fighting and of acting
    together; sorted by source, kind, target and start, with unique readable ids."""
    drafts: list[_Draft] = []
    for tie in ties:
        start, dating = _list_tie_start(tie, seen, sources)
        drafts.append(_Draft(tie.source, tie.target, tie.kind, start, None, [tie.evidence, dating]))
    tables = ((RelationKind.FIGHTS, seen.fights), (RelationKind.ALLIED, seen.alliances))
    for kind, table in tables:
        for pair, found in table.items():
            a, b = _oriented(pair, found, cast)
            for spell in spells(found.sightings):
                start, end = window(spell)
                evidence = _spell_evidence(kind, (a, b), found, spell, cast=cast, sources=sources)
                drafts.append(_Draft(a, b, kind, start, end, evidence))
    drafts.sort(key=lambda d: (ids[d.source], d.kind.value, ids[d.target], d.start or dt.date.min))

    def base(draft: _Draft) -> str:
        return f"r-{ids[draft.source]}-{draft.kind.value.replace('_', '-')}-{ids[draft.target]}"

    repeated = Counter(base(d) for d in drafts)
    proposals: list[RelationProposal] = []
    for draft in drafts:
        # a pair with several spells: each relation id names the year its spell starts
        suffix = f"-{draft.start.year}" if repeated[base(draft)] > 1 and draft.start else ""
        proposals.append(
            RelationProposal(
                Relation(
                    id=base(draft)[: _ID_LENGTH - len(suffix)] + suffix,
                    source=ids[draft.source],
                    target=ids[draft.target],
                    kind=draft.kind,
                    valid_from=draft.start,
                    valid_to=draft.end,
                    references=sorted({e.source for e in draft.evidence}),
                ),
                tuple(draft.evidence),
            )
        )
    return tuple(_unique_ids(proposals))


def _list_tie_start(
    tie: ListTie, seen: Observations, sources: SeedSources
) -> tuple[dt.date | None, Evidence]:
    """When a tie from the actor list began: the list gives no date, the events bound it.

    A split or a membership cannot predate either actor's first recorded activity; a
    group that joined one it fought did so after their last recorded fighting.
    """
    fought = seen.fights.get(frozenset((tie.source, tie.target)))
    if tie.joined and fought is not None and fought.sightings:
        last = window(fought.sightings)[1]
        return last, Evidence(
            sources.events_id,
            "The actor list gives no date; dated from the last recorded fighting between "
            f"the two ({last.isoformat()}), the earliest it can have happened.",
        )
    firsts = [d for d in (seen.first_seen(tie.source), seen.first_seen(tie.target)) if d]
    if not firsts:
        return None, Evidence(
            sources.actors.id, "The actor list gives no date, and no activity bounds it."
        )
    start = max(firsts)
    return start, Evidence(
        sources.events_id,
        "The actor list gives no date; dated from the later of the two actors' first "
        f"recorded activity ({start.isoformat()}), the earliest it can have happened.",
    )


def _oriented(pair: frozenset[int], tie: Tie, cast: Cast) -> tuple[int, int]:
    """Source and target: the government first, else the side the data put first most."""
    a, b = sorted(pair)
    if b in cast.own_government and a not in cast.own_government:
        return b, a
    if a in cast.own_government:
        return a, b
    return max([(a, b), (b, a)], key=lambda o: (tie.orientation[o], o == (a, b)))


def _spell_evidence(
    kind: RelationKind,
    pair: tuple[int, int],
    tie: Tie,
    spell: list[Sighting],
    *,
    cast: Cast,
    sources: SeedSources,
) -> list[Evidence]:
    """What the dyadic data, then GED (one piece per coalition), say of one spell of the
    tie between ``pair`` (source, target)."""
    a, b = pair
    evidence: list[Evidence] = []
    years = tuple(sorted({s.year for s in spell}))
    dyad_rows = [s for s in spell if not s.precise]
    if dyad_rows and sources.dyadic is not None:
        dyads = sorted({d for d, rows in tie.dyads.items() if any(r.year in years for r in rows)})
        if kind is RelationKind.FIGHTS:
            statement = (
                f"UCDP Dyadic: state-based armed conflict (dyad {', '.join(map(str, dyads))}) "
                f"in {_years_text(s.year for s in dyad_rows)}."
            )
            supporters = sorted({n for y in years for n in tie.supporters.get(y, set())})
            if supporters:
                statement += (
                    f" Secondary warring parties ({len(supporters)}): {', '.join(supporters)}."
                )
        else:
            statement = (
                f"UCDP Dyadic: {cast.actor(a).name} fought beside {cast.actor(b).name} as a "
                f"secondary warring party in {_years_text(s.year for s in dyad_rows)}."
            )
        evidence.append(
            Evidence(
                sources.dyadic.id,
                statement,
                tuple(s.row for s in dyad_rows),
                tuple(sorted({s.year for s in dyad_rows})),
            )
        )
    events = [s for s in spell if s.precise]
    for coalition in dict.fromkeys(s.coalition for s in events):
        group = [s for s in events if s.coalition == coalition]
        deaths = sum(s.deaths for s in group)
        what = "of fighting" if kind is RelationKind.FIGHTS else "acting together"
        statement = (
            f"UCDP GED: {counted(len(group), 'event')} {what} in "
            f"{_years_text(s.year for s in group)}, "
            f"{deaths} deaths (best estimate)"
        )
        statement += f", as coalition {coalition!r}." if coalition else "."
        evidence.append(
            Evidence(
                sources.events_id,
                statement,
                tuple(dict.fromkeys(s.row for s in group)),
                tuple(sorted({s.year for s in group})),
                deaths,
            )
        )
    return evidence


def _years_text(years: Iterable[int]) -> str:
    """Years as runs: "2003-2005, 2008"."""
    ordered = sorted(set(years))
    if not ordered:
        return "no year"
    parts: list[str] = []
    run_start = previous = ordered[0]
    for year in [*ordered[1:], None]:
        if year is not None and year == previous + 1:
            previous = year
            continue
        parts.append(str(run_start) if run_start == previous else f"{run_start}-{previous}")
        if year is not None:
            run_start = previous = year
    return ", ".join(parts)


def _unique_ids(proposals: list[RelationProposal]) -> Iterator[RelationProposal]:
    """Relation ids made unique (two spells can start in one year only by odd data)."""
    seen: Counter[str] = Counter()
    for proposal in proposals:
        record = proposal.relation
        seen[record.id] += 1
        if seen[record.id] > 1:
            suffix = f"-{seen[record.id]}"
            record = record.model_copy(
                update={"id": record.id[: _ID_LENGTH - len(suffix)] + suffix}
            )
        yield RelationProposal(record, proposal.evidence)
