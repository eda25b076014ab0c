"""The brief's legal section: who the lists designate among the counterparts, and what the
planned engagement exposes the organisation to, per activity and jurisdiction; and which
copy of each list was screened, with its publication date (or that it is undated) and
whether it was stale on the day screened."""

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
    lists: list[dict[str, Any]]  # each with ``publication``: the copy's date and age, in words
    activities: list[str]
    jurisdictions: list[str]
    actors: list[dict[str, Any]]
    clear: list[str]
    notes: list[str]
    disclaimer: str
    list_warnings: list[str] = []  # the copies too old, or undated, to support a clearance


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
    currency = {c.list_id: c for c in screening.currency}
    lists = []
    for entry in screening.lists:
        listed = currency.get(str(entry.get("list")))
        if listed is None:
            publication = f"published {entry.get('published') or 'undated'}"
        elif listed.published is None:
            publication = "undated"
        else:
            publication = listed.text.removeprefix(f"{listed.list_id} was ")
        lists.append({**entry, "publication": publication})
    return LegalSection(
        as_of=screening.as_of.isoformat(),
        lists=lists,
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
        list_warnings=[w for c in screening.limiting_lists() if (w := c.warning) is not None],
    )
