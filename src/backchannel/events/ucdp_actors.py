"""The UCDP actor list: ids, names in every form UCDP gives, and name matching.

Source: UCDP Actor Dataset 22.1 (Uppsala Conflict Data Program, CC BY 4.0). A group is
known by many names (an acronym, the full name in its own language, the English
translation, a later name after it renamed itself); a query matches any of them once
accents, case and punctuation are set aside. The list also codes ties between actors
(splits, alliances, joining, coalitions), which ``UcdpActor`` keeps as lists of ids.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from backchannel.csv_records import csv_records
from backchannel.errors import InvalidInputError, NotFoundError, Problem

NAME_COLUMNS = (
    "NameData",
    "NameOrig",
    "NameOrigFull",
    "NameOrigFullEng",
    "NewName",
    "NewNameFullMotherTongue",
    "NewNameFullEng",
)
REQUIRED = ("ActorId", "NameData", "Org", "Location")


@dataclass(frozen=True)
class UcdpActor:
    """One actor of the UCDP list, with the ties the list codes from it to other actors.

    ``splinter_of_ids`` (``ActorIdPrev``): the actors it split from; ``split_temp_ids``
    (``ActorIdSplitTemp``): actors it split from for a time, as a faction;
    ``alliance_ids`` (``ActorIdAlliance``): alliances it belongs to that UCDP codes as
    actors themselves; ``joined_ids`` (``ActorIdGroup``): actors it joined or was absorbed
    into; ``coalition_ids`` (``OSCoalitionID`` then ``NSCoalitionID``): the ad-hoc
    coalitions under which GED records it acting jointly with others.
    """

    actor_id: int
    name: str
    names: tuple[str, ...]
    organisation_type: int
    location: str
    alliance_ids: tuple[int, ...]
    splinter_of_ids: tuple[int, ...]
    # defaults keep actors built by hand (for an id GED knows but the list does not) short
    split_temp_ids: tuple[int, ...] = ()
    joined_ids: tuple[int, ...] = ()
    coalition_ids: tuple[int, ...] = ()


def normalise(name: str) -> str:
    """Casefolded, accent-free, punctuation-free form of a name, for comparison."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[^0-9a-z]+", " ", plain.casefold()).strip()


def parse_ids(text: str | None) -> tuple[int, ...]:
    """Every actor id in a UCDP id list ("1144, 6845"); none for an empty cell."""
    return tuple(int(part) for part in re.findall(r"\d+", text or ""))


def read_actor_list(path: str | Path) -> list[UcdpActor]:
    """Read the UCDP actor CSV (UTF-8 with BOM); rows without an id are reported."""
    source = str(path)
    with open(path, encoding="utf-8-sig", newline="") as handle:
        records = csv_records(handle, source, skip_blank_cells=False)
        header = next(records, (0, []))[1]
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            raise InvalidInputError(
                source,
                [Problem(c, "required column of the UCDP actor list is missing") for c in missing],
            )
        actors = []
        problems = []
        for line, fields in records:
            # a short row's last cells are blank; the last of two columns of one name wins
            row = {name: fields[at] if at < len(fields) else "" for at, name in enumerate(header)}
            if not (row["ActorId"] or "").strip().isdigit():
                problems.append(Problem("ActorId", f"not an actor id: {row['ActorId']!r}", line))
                continue
            names = tuple(
                dict.fromkeys(
                    n.strip()
                    for c in NAME_COLUMNS
                    if (n := row.get(c) or "").strip() and n.strip() != "n/a"
                )
            )
            actors.append(
                UcdpActor(
                    actor_id=int(row["ActorId"]),
                    name=(row.get("NewName") or "").strip() or row["NameData"].strip(),
                    names=names,
                    organisation_type=int(row["Org"]) if (row["Org"] or "").isdigit() else 0,
                    location=row["Location"],
                    alliance_ids=parse_ids(row.get("ActorIdAlliance")),
                    splinter_of_ids=parse_ids(row.get("ActorIdPrev")),
                    split_temp_ids=parse_ids(row.get("ActorIdSplitTemp")),
                    joined_ids=parse_ids(row.get("ActorIdGroup")),
                    coalition_ids=tuple(
                        dict.fromkeys(
                            parse_ids(row.get("OSCoalitionID"))
                            + parse_ids(row.get("NSCoalitionID"))
                        )
                    ),
                )
            )
    if problems:
        raise InvalidInputError(source, problems)
    return actors


@dataclass(frozen=True)
class ActorMatch:
    """The actor a query resolved to, and how."""

    actor: UcdpActor
    matched_name: str
    exact: bool


def match_actor(query: str, actors: list[UcdpActor], location: str | None = None) -> ActorMatch:
    """The actor whose name best matches ``query``: an exact match of any name form first,
    else the closest name (difflib ratio >= 0.8). ``location`` prefers actors located there.
    """
    wanted = normalise(query)
    candidates = [
        a for a in actors if location is None or location.casefold() in a.location.casefold()
    ] or actors
    for actor in candidates:
        for name in actor.names:
            if normalise(name) == wanted:
                return ActorMatch(actor, name, exact=True)
    by_name = {normalise(name): (actor, name) for actor in candidates for name in actor.names}
    close = difflib.get_close_matches(wanted, list(by_name), n=1, cutoff=0.8)
    if close:
        actor, name = by_name[close[0]]
        return ActorMatch(actor, name, exact=False)
    raise NotFoundError(f"no UCDP actor is named like {query!r}")
