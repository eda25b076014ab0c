"""Cross-record checks of a case: unique ids per collection, and every reference resolves.

Ids must be unique within each collection; relations, engagements, commitments, Island of
Agreement entries, positions and common positions must name actors, engagements, red lines
and sources that exist in the case; a review must review a machine suggestion on the same
subject; two relations of one kind between the same actors must not overlap in time.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import TYPE_CHECKING

from backchannel.errors import Problem
from backchannel.model.vocabulary import JudgementOrigin

if TYPE_CHECKING:
    from backchannel.model.case import Case, Relation


def integrity_problems(case: Case) -> list[Problem]:
    """Cross-record checks: unique ids per collection, and every reference resolves."""
    problems: list[Problem] = []
    for collection in ("sources", *case.COLLECTIONS):
        records = getattr(case, collection)
        counts = Counter(r.id for r in records)
        first_seen: set[str] = set()
        for position, record in enumerate(records):
            if counts[record.id] > 1:
                if record.id in first_seen:
                    problems.append(
                        Problem(
                            f"{collection}[{position}].id",
                            f"duplicate id {record.id!r}: ids must be unique among {collection}",
                        )
                    )
                first_seen.add(record.id)

    actor_ids = {a.id for a in case.actors}
    source_ids = {s.id for s in case.sources}
    engagement_ids = {e.id for e in case.engagements}

    def expect(ids: set[str], value: str | None, location: str, what: str) -> None:
        if value is not None and value not in ids:
            problems.append(
                Problem(location, f"{value!r} is not the id of any {what} in this case")
            )

    for i, relation in enumerate(case.relations):
        expect(actor_ids, relation.source, f"relations[{i}].source", "actor")
        expect(actor_ids, relation.target, f"relations[{i}].target", "actor")
        if relation.source == relation.target:
            problems.append(
                Problem(f"relations[{i}].target", "a relation must join two different actors")
            )
    problems.extend(_duplicate_relations(case.relations))
    for i, engagement in enumerate(case.engagements):
        expect(actor_ids, engagement.by, f"engagements[{i}].by", "actor")
        for j, counterpart in enumerate(engagement.counterparts):
            expect(actor_ids, counterpart, f"engagements[{i}].counterparts[{j}]", "actor")
    for i, commitment in enumerate(case.commitments):
        expect(actor_ids, commitment.party, f"commitments[{i}].party", "actor")
        expect(engagement_ids, commitment.engagement, f"commitments[{i}].engagement", "engagement")
        for k, change in enumerate(commitment.status_history):
            for j, reference in enumerate(change.references):
                expect(
                    source_ids,
                    reference,
                    f"commitments[{i}].status_history[{k}].references[{j}]",
                    "source",
                )
    problems.extend(_negotiation_problems(case, actor_ids, engagement_ids, source_ids))
    judgements = {j.id: j for j in case.judgements}
    for i, judgement in enumerate(case.judgements):
        if judgement.reviews is None:
            continue
        reviewed = judgements.get(judgement.reviews)
        if reviewed is None:
            expect(set(judgements), judgement.reviews, f"judgements[{i}].reviews", "judgement")
        elif reviewed.origin is not JudgementOrigin.MACHINE:
            problems.append(
                Problem(
                    f"judgements[{i}].reviews",
                    f"{judgement.reviews!r} is an analyst's judgement; only machine-suggested "
                    "judgements are reviewed (record a later judgement to revise an analyst's)",
                )
            )
        elif reviewed.subject != judgement.subject:
            problems.append(
                Problem(
                    f"judgements[{i}].subject",
                    f"a review must judge the same subject as the suggestion it reviews "
                    f"({reviewed.subject!r})",
                )
            )
    for collection, position, record in case.records():
        for j, reference in enumerate(getattr(record, "references", [])):
            expect(source_ids, reference, f"{collection}[{position}].references[{j}]", "source")
    return problems


def _negotiation_problems(
    case: Case, actor_ids: set[str], engagement_ids: set[str], source_ids: set[str]
) -> list[Problem]:
    """References of the mandate, the Island of Agreement, the positions, the common
    positions and the commitments' monitoring entries."""
    problems: list[Problem] = []

    def expect(ids: set[str], value: str | None, location: str, what: str) -> None:
        if value is not None and value not in ids:
            problems.append(
                Problem(location, f"{value!r} is not the id of any {what} in this case")
            )

    if case.mandate is not None:
        for j, reference in enumerate(case.mandate.references):
            expect(source_ids, reference, f"mandate.references[{j}]", "source")
    red_lines = {line.id for line in case.red_lines}
    for i, entry in enumerate(case.island_of_agreement):
        expect(actor_ids, entry.counterpart, f"island_of_agreement[{i}].counterpart", "actor")
        expect(
            engagement_ids, entry.engagement, f"island_of_agreement[{i}].engagement", "engagement"
        )
    for i, position in enumerate(case.positions):
        expect(actor_ids, position.counterpart, f"positions[{i}].counterpart", "actor")
        expect(engagement_ids, position.engagement, f"positions[{i}].engagement", "engagement")
        for j, line in enumerate(position.crosses_red_lines):
            expect(red_lines, line, f"positions[{i}].crosses_red_lines[{j}]", "red line")
    for i, common in enumerate(case.common_positions):
        for j, engager in enumerate(common.engagers):
            expect(actor_ids, engager, f"common_positions[{i}].engagers[{j}]", "actor")
        for j, counterpart in enumerate(common.counterparts):
            expect(actor_ids, counterpart, f"common_positions[{i}].counterparts[{j}]", "actor")
    for i, commitment in enumerate(case.commitments):
        for k, observation in enumerate(commitment.monitoring):
            for j, reference in enumerate(observation.references):
                expect(
                    source_ids,
                    reference,
                    f"commitments[{i}].monitoring[{k}].references[{j}]",
                    "source",
                )
    return problems


def _windows_overlap(a: Relation, b: Relation) -> bool:
    start = max(a.valid_from or dt.date.min, b.valid_from or dt.date.min)
    end = min(a.valid_to or dt.date.max, b.valid_to or dt.date.max)
    return start <= end


def _duplicate_relations(relations: list[Relation]) -> list[Problem]:
    """Two relations of one kind between the same actors must not be in force together.

    Such a pair would count one tie twice in every analysis; the analyst either merges them
    or gives them disjoint validity windows (a tie that lapsed and was renewed).
    """
    problems = []
    seen: dict[tuple[str, str, str], list[tuple[int, Relation]]] = {}
    for i, relation in enumerate(relations):
        key = (relation.source, relation.target, relation.kind.value)
        for j, earlier in seen.get(key, []):
            if _windows_overlap(earlier, relation):
                problems.append(
                    Problem(
                        f"relations[{i}]",
                        f"duplicate relation: {relation.kind.value} from {relation.source!r} to "
                        f"{relation.target!r} is already recorded as relations[{j}] "
                        f"({earlier.id!r}) for overlapping dates; merge the two or give them "
                        "disjoint validity windows",
                    )
                )
                break
        seen.setdefault(key, []).append((i, relation))
    return problems
