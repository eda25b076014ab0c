"""The shapes of the law that decides a planned engagement's exposure.

Frozen records, one per thing a rule file names: a jurisdiction and how a designation is
detected, a provision and the exemptions and authorities that bear on it, an activity and
how each provision treats it, and the whole ``Law`` that ``backchannel.screening.law``
reads and checks from the packaged YAML.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from backchannel.screening.entity import ListedEntity

ALL_ACTIVITIES = "all"  # an exemption that covers every activity writes `activities: [all]`
ANY_ACTOR = "any"  # an exemption open to anyone writes `actors: [any]`


class Treatment(StrEnum):
    """How one provision treats one activity, before any exemption."""

    PROHIBITED = "prohibited"
    EXPOSED = "exposed"
    PERMITTED = "permitted"


class ExemptionKind(StrEnum):
    """What an exemption is, which decides what it does to an activity's level.

    ``exemption`` and ``general_licence`` apply without asking when their conditions hold;
    ``defence`` must be proved by the person charged; ``scope_limit`` says the provision was
    not meant to reach the activity (a recital, say); ``authorisation`` must be applied for.
    """

    EXEMPTION = "exemption"
    GENERAL_LICENCE = "general_licence"
    DEFENCE = "defence"
    SCOPE_LIMIT = "scope_limit"
    AUTHORISATION = "authorisation"


# what the assessment must say to do first, per level; activities.yaml gives the texts
OBTAIN_LEVELS = ("prohibited", "licence_needed", "exposed", "unknown")


@dataclass(frozen=True)
class Jurisdiction:
    """A legal order whose rules an engagement may fall under."""

    id: str
    name: str
    reach: str
    always_assessed: bool = False  # the UN row: binds every member state
    coverage_note: str | None = None  # what the encoded rules leave out


@dataclass(frozen=True)
class Detector:
    """Which list entries establish a designation: their list, and programme or reference."""

    list_ids: tuple[str, ...]
    programmes: tuple[str, ...] = ()
    reference_prefixes: tuple[str, ...] = ()

    def matches(self, entity: ListedEntity) -> bool:
        """Whether the entry is on one of the lists and, if filters are given, passes one."""
        if entity.list_id not in self.list_ids:
            return False
        if not self.programmes and not self.reference_prefixes:
            return True
        wanted = {p.casefold() for p in self.programmes}
        if any(p.casefold() in wanted for p in entity.programmes):
            return True
        reference = entity.reference or ""
        return any(reference.startswith(prefix) for prefix in self.reference_prefixes)


@dataclass(frozen=True)
class DesignationRule:
    """A designation that brings provisions into play (a "trigger"), and how we detect it."""

    id: str
    jurisdiction: str
    name: str
    list_name: str
    basis: str
    source_url: str
    detected_by: tuple[Detector, ...]
    screened_by: tuple[str, ...]  # list ids whose search tells us; empty: we hold no such list
    fallback: bool = False  # claims only entries no other designation on the list claimed


@dataclass(frozen=True)
class Provision:
    """A prohibition at stake when engaging a designated group."""

    id: str
    jurisdiction: str
    title: str
    citation: str
    summary: str
    covers: str
    triggers: tuple[str, ...]
    source_url: str
    as_of: dt.date
    verified: bool
    family: str | None = None
    effective_from: dt.date | None = None
    note: str | None = None

    def in_force(self, on: dt.date) -> bool:
        """Whether the provision applied on that date (unknown start: assumed in force)."""
        return self.effective_from is None or self.effective_from <= on


@dataclass(frozen=True)
class Exemption:
    """An exemption, licence, defence or authorisation that may lift a provision."""

    id: str
    jurisdiction: str
    kind: ExemptionKind
    title: str
    citation: str
    summary: str
    applies_to: tuple[str, ...]
    activities: tuple[str, ...]
    who_may_rely: str
    actors: tuple[str, ...]  # organisation kinds that may rely on it
    conditions: tuple[str, ...]
    source_url: str
    as_of: dt.date
    verified: bool
    only_for_designations: tuple[str, ...] = ()
    obtain: str | None = None
    routine: bool = False  # an authorisation organisations can realistically obtain
    effective_from: dt.date | None = None
    effective_until: dt.date | None = None
    note: str | None = None

    def covers(self, activity: str, provision: str) -> bool:
        """Whether the exemption is written for this activity under this provision."""
        return provision in self.applies_to and (
            ALL_ACTIVITIES in self.activities or activity in self.activities
        )

    def open_to(self, kinds: Iterable[str]) -> bool:
        """Whether an organisation of these kinds may rely on it."""
        return ANY_ACTOR in self.actors or bool(set(self.actors) & set(kinds))

    def in_force(self, on: dt.date) -> bool:
        """Whether the exemption had effect on that date."""
        if self.effective_from is not None and on < self.effective_from:
            return False
        return self.effective_until is None or on <= self.effective_until


@dataclass(frozen=True)
class Authority:
    """A court decision that settles how a provision reads for some activities."""

    id: str
    jurisdiction: str
    title: str
    citation: str
    summary: str
    effect: str
    provisions: tuple[str, ...]
    activities: tuple[str, ...]
    decided: dt.date
    source_url: str
    as_of: dt.date
    verified: bool
    note: str | None = None


@dataclass(frozen=True)
class Ruling:
    """How one provision (or provision family) treats one activity, and why."""

    treatment: Treatment
    reason: str


@dataclass(frozen=True)
class Activity:
    """An activity a team may plan, with each provision's treatment of it."""

    id: str
    name: str
    description: str
    rulings: dict[str, Ruling]  # keyed by provision id or provision family

    def ruling_for(self, provision: Provision) -> Ruling | None:
        """The provision's own ruling, else its family's."""
        ruling = self.rulings.get(provision.id)
        if ruling is None and provision.family is not None:
            ruling = self.rulings.get(provision.family)
        return ruling


@dataclass(frozen=True)
class Law:
    """Every rule the exposure assessment reads, checked."""

    as_of: dt.date
    disclaimer: str
    primary_sources: tuple[str, ...]
    organisation_kinds: dict[str, str]
    jurisdictions: dict[str, Jurisdiction]
    designations: dict[str, DesignationRule]
    provisions: dict[str, Provision]
    exemptions: dict[str, Exemption]
    authorities: dict[str, Authority]
    activities: dict[str, Activity]
    obtain_by_level: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def provisions_in(self, jurisdiction: str) -> list[Provision]:
        """The jurisdiction's provisions, in file order."""
        return [p for p in self.provisions.values() if p.jurisdiction == jurisdiction]

    def exemptions_for(self, provision: str, activity: str) -> list[Exemption]:
        """Exemptions written for this activity under this provision, in file order."""
        return [e for e in self.exemptions.values() if e.covers(activity, provision)]

    def authorities_for(self, provision: str, activity: str) -> list[Authority]:
        """Decisions that settle how this provision reads for this activity."""
        return [
            a
            for a in self.authorities.values()
            if provision in a.provisions and activity in a.activities
        ]
