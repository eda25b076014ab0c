"""Limits on what a case record may hold, shared by the case model and the web inputs.

Every text that comes from outside (a case file, the API, a form) is bounded: names and
short labels by ``MAX_NAME_LENGTH``, free texts by ``MAX_TEXT_LENGTH``, lists of names or
ids by ``MAX_LIST_ITEMS``. No text may hold a NUL character, which PostgreSQL cannot store
in a text column. A moment in time must say its time zone: a naive one cannot be compared
with the others of the case.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, Field, field_validator
from pydantic_core import PydanticCustomError

#: What a record id looks like; nothing else can name a record (or a case).
RECORD_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,79}$"
#: Longest name, title or short label (an actor's name, a source's title, a region): far
#: above any real one, short enough to sit in a table cell or a brief's heading.
MAX_NAME_LENGTH = 300
#: Longest free text (a summary, a finding, evidence, notes, a commitment as worded):
#: several pages, while one record stays small enough to encrypt, store and print at once.
MAX_TEXT_LENGTH = 20_000
#: Most items in a list of names or ids (aliases, participants, regions, references).
MAX_LIST_ITEMS = 200
#: Longest URL of a source (browsers and servers commonly stop near 2,000 characters).
MAX_URL_LENGTH = 2_000
#: Most events one judgement cites: a machine suggestion cites every attack on civilians
#: recorded for an actor, and the most active groups have a few thousand.
MAX_EVENT_REFERENCES = 20_000

#: A required name or title: not empty, at most ``MAX_NAME_LENGTH`` characters.
Name = Annotated[str, Field(min_length=1, max_length=MAX_NAME_LENGTH)]
#: An optional short label (a publisher, a place, a participant, a region).
Label = Annotated[str, Field(max_length=MAX_NAME_LENGTH)]
#: Free text: at most ``MAX_TEXT_LENGTH`` characters.
Text = Annotated[str, Field(max_length=MAX_TEXT_LENGTH)]


def _require_time_zone(moment: dt.datetime) -> dt.datetime:
    # A moment without a zone cannot be compared with one that has it: a single naive
    # value would break every later ordering of the case's judgements.
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise PydanticCustomError(
            "timezone_required",
            "a time zone is required: add Z or +00:00 (e.g. 2021-01-01T09:00:00Z)",
        )
    return moment


#: A moment in time with its time zone (``2021-01-01T09:00:00Z``); one without is refused.
AwareTime = Annotated[
    dt.datetime,
    AfterValidator(_require_time_zone),
    Field(description="Date and time with a time zone (Z or an offset such as +01:00)."),
]


def _checked_text(text: str, item: int | None) -> None:
    where = "" if item is None else f"item {item}: "
    if "\x00" in text:
        # PostgreSQL cannot store it in text, and no real name or note holds one
        raise PydanticCustomError(
            "nul_character",
            "{where}must not contain a NUL character (\\x00); remove it",
            {"where": where},
        )
    if len(text) > MAX_TEXT_LENGTH:
        raise PydanticCustomError(
            "text_too_long",
            "{where}has {length} characters; at most {limit} are allowed",
            {"where": where, "length": len(text), "limit": MAX_TEXT_LENGTH},
        )


class CheckedText(BaseModel):
    """Base of models that take text from outside: every text field, and every text in a
    list field, is refused if it holds a NUL character or more than ``MAX_TEXT_LENGTH``
    characters (fields may set tighter limits of their own)."""

    @field_validator("*", mode="after")
    @classmethod
    def _storable_text(cls, value: Any) -> Any:
        if isinstance(value, str):
            _checked_text(value, None)
        elif isinstance(value, list):
            for position, item in enumerate(value):
                if isinstance(item, str):
                    _checked_text(item, position)
        return value
