"""The brief's legal section: who the lists designate among the counterparts, and what the
planned engagement exposes the organisation to, per activity and jurisdiction."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from backchannel.screening.case_screening import CaseScreening

#: Hits listed per actor in the brief; the command line lists them all.
HITS_SHOWN = 3


class LegalSection(BaseModel):
    """What the brief shows of the case's screening."""

    model_config = ConfigDict(frozen=True)

    as_of: str
    lists: list[dict[str, Any]]
    activities: list[str]
    jurisdictions: list[str]
    actors: list[dict[str, Any]]
    clear: list[str]
    notes: list[str]
    disclaimer: str


def build_legal_section(screening: CaseScreening) -> LegalSection:
    """The section from a case screening: actors with hits in full, the rest named as clear."""
    actors = []
    clear = []
    for actor in screening.actors:
        if not actor.hits:
            clear.append(actor.name)
            continue
        matrix: dict[str, dict[str, str]] = {}
        obtain: list[str] = []
        if actor.exposure is not None:
            for cell in actor.exposure.cells:
                matrix.setdefault(cell.activity, {})[cell.jurisdiction] = cell.level.value
                obtain.extend(o for o in cell.obtain_first if o not in obtain)
        actors.append(
            {
                "name": actor.name,
                "hits": [
                    {
                        "list": h.hit.list,
                        "name": h.hit.name,
                        "matched_alias": h.hit.matched_alias,
                        "score": h.hit.score,
                        "programmes": list(h.entity.programmes),
                        "listed_on": h.entity.listed_on.isoformat() if h.entity.listed_on else None,
                        "decision": h.decision.verdict.value if h.decision else None,
                    }
                    for h in actor.hits[:HITS_SHOWN]
                ],
                "matrix": matrix,
                "obtain_first": obtain,
            }
        )
    return LegalSection(
        as_of=screening.as_of.isoformat(),
        lists=screening.lists,
        activities=screening.activities,
        jurisdictions=list(
            dict.fromkeys(
                j for a in screening.actors if a.exposure for j in a.exposure.jurisdictions
            )
        )
        or screening.jurisdictions,
        actors=actors,
        clear=clear,
        notes=screening.notes,
        disclaimer=screening.disclaimer,
    )
