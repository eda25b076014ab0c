"""The input of a decision on a screening hit, for the JSON API and the page's forms alike.

A decision names the hit as the screening gives it: the name screened (``query``), the
list and the listed entry (``list``, ``entity_id``, the keys of a hit in the screening
document), and says what the analyst concluded. It names no analyst (the signed-in user
is the analyst), no time (it is made when received) and no case (the address gives it).
"""

from __future__ import annotations

from pydantic import ConfigDict, Field, field_validator

from backchannel.model.limits import CheckedText
from backchannel.screening.decisions import Verdict

#: Longest name, list id and entry id accepted: far above any real one, and bounded.
MAX_NAME = 500
MAX_ID = 100
MAX_NOTE = 5_000


class DecisionIn(CheckedText):
    """An analyst's verdict on one hit of the case's screening."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    query: str = Field(
        min_length=1,
        max_length=MAX_NAME,
        description="The name that was screened: one of the names or aliases of the actor.",
    )
    list_id: str = Field(
        alias="list",
        min_length=1,
        max_length=MAX_ID,
        description="The hit's list, as the screening gives it (``un-sc``, ``ofac-sdn``).",
    )
    entity_id: str = Field(
        min_length=1, max_length=MAX_ID, description="The listed entry's id on that list."
    )
    verdict: Verdict
    note: str | None = Field(
        default=None,
        max_length=MAX_NOTE,
        description="Why; sensitive: stored encrypted and shown only to those who get the "
        "full brief.",
    )

    @field_validator("query", "list_id", "entity_id")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        stripped = value.strip()
        if not stripped:
            raise ValueError("must not be blank")
        return stripped

    @field_validator("note")
    @classmethod
    def _blank_note_is_none(cls, value: str | None) -> str | None:
        # a textarea left empty is "no note", not an empty one stored encrypted
        if value is None:
            return None
        return value.strip() or None
