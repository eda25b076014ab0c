"""Legal exposure of a planned engagement: per activity and jurisdiction, what is at stake.

Two steps. ``designations.designations_of`` turns screening hits into the designations the
rules know, remembering which lists were searched. ``assess_exposure`` then takes those
designations, the planned activities, the jurisdictions the organisation acts from and the date
of the case, and for each activity in each jurisdiction reports a level with the provisions at
stake, the exemptions that may apply and their conditions, what to obtain first, and the
reasons. It never reports a jurisdiction as clear when the lists that would bring its
provisions into play were not screened: that is "unknown", with the list to check named.

Levels: ``prohibited`` (within a prohibition and no exemption or routine licence route in force
can lift it), ``licence_needed`` (prohibited unless a licence or authorisation is obtained first),
``exposed`` (may fall within a prohibition on the facts, or an exemption in force may cover it if
its conditions hold), ``permitted`` (no provision at stake reaches it), ``unknown`` (the lists
that decide were not screened).

The UN row is always assessed: Security Council measures bind every member state, so whatever
jurisdictions the organisation names, the UN asset freezes reach it through their implementing
law (the rules mark the UN jurisdiction ``always_assessed``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from backchannel.errors import InvalidInputError, Problem
from backchannel.screening.designations import Designations
from backchannel.screening.law import (
    Activity,
    Exemption,
    ExemptionKind,
    Law,
    Provision,
    Treatment,
    load_law,
)


class Level(StrEnum):
    """How exposed one activity is in one jurisdiction."""

    PROHIBITED = "prohibited"
    LICENCE_NEEDED = "licence_needed"
    EXPOSED = "exposed"
    PERMITTED = "permitted"
    UNKNOWN = "unknown"


# the worse of two known levels wins; unknown is decided apart, from screening coverage
_SEVERITY = {
    Level.PERMITTED: 0,
    Level.EXPOSED: 1,
    Level.LICENCE_NEEDED: 2,
    Level.PROHIBITED: 3,
}


# -------------------------------------------------------------------- the assessment's parts


@dataclass(frozen=True)
class ExemptionOption:
    """An exemption, licence, defence or authorisation that may apply, with its conditions."""

    id: str
    kind: str
    title: str
    citation: str
    who_may_rely: str
    actors: tuple[str, ...]
    conditions: tuple[str, ...]
    source_url: str
    effective_from: dt.date | None
    verified: bool
    note: str | None


@dataclass(frozen=True)
class AuthorityCited:
    """A court decision that settles how the provision reads for the activity."""

    id: str
    citation: str
    summary: str
    source_url: str


@dataclass(frozen=True)
class ProvisionFinding:
    """One provision at stake for one activity: its treatment, and the level after exemptions."""

    provision: str
    citation: str
    title: str
    designations: tuple[str, ...]  # the designations that brought it into play
    treatment: str  # before exemptions: prohibited / exposed / permitted
    level: Level  # after exemptions in force on the case date
    reason: str
    exemptions: tuple[ExemptionOption, ...]  # every option in force for this activity
    lifted_by: tuple[str, ...]  # the options that moved the level off "prohibited"
    authorities: tuple[AuthorityCited, ...]
    source_url: str
    verified: bool
    note: str | None


@dataclass(frozen=True)
class ScreeningGap:
    """A designation that would bring a jurisdiction's provisions into play, not screened."""

    jurisdiction: str  # whose list it is
    designation: str
    list_name: str
    basis: str
    source_url: str

    @property
    def message(self) -> str:
        """What the analyst must do about it."""
        return f"not screened: check this list yourself: {self.list_name} ({self.basis})"


@dataclass(frozen=True)
class ActivityExposure:
    """One planned activity in one jurisdiction: the level and everything behind it."""

    activity: str
    jurisdiction: str
    level: Level
    provisions: tuple[ProvisionFinding, ...]
    obtain_first: tuple[str, ...]
    not_screened: tuple[ScreeningGap, ...]
    reasons: tuple[str, ...]

    @property
    def exemptions(self) -> tuple[ExemptionOption, ...]:
        """Every exemption that may apply, across the provisions at stake, once each."""
        seen: dict[str, ExemptionOption] = {}
        for finding in self.provisions:
            for option in finding.exemptions:
                seen.setdefault(option.id, option)
        return tuple(seen.values())


@dataclass(frozen=True)
class Exposure:
    """The whole assessment: every activity in every jurisdiction, and its limits."""

    as_of: dt.date  # the case date the law was applied at
    rules_as_of: dt.date  # when the rules were researched
    activities: tuple[str, ...]
    jurisdictions: tuple[str, ...]
    designations: tuple[str, ...]  # in force on the case date
    cells: tuple[ActivityExposure, ...]
    not_screened: tuple[ScreeningGap, ...]
    notes: tuple[str, ...]
    disclaimer: str

    def cell(self, activity: str, jurisdiction: str) -> ActivityExposure:
        """The result for one activity in one jurisdiction."""
        for cell in self.cells:
            if cell.activity == activity and cell.jurisdiction == jurisdiction:
                return cell
        raise KeyError((activity, jurisdiction))

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (dates as ISO text)."""
        result: dict[str, Any] = _jsonable(dataclasses.asdict(self))
        return result


# -------------------------------------------------------------------- the assessment


def assess_exposure(
    designations: Designations,
    activities: Sequence[str],
    jurisdictions: Sequence[str],
    as_of: dt.date,
    *,
    law: Law | None = None,
    organisation: Sequence[str] | None = None,
) -> Exposure:
    """Each planned activity's exposure in each jurisdiction on the case date ``as_of``.

    ``activities`` are activity ids from the rules; ``jurisdictions`` the ids of the legal
    orders the organisation acts from (the always-assessed UN row is added); ``organisation``
    optionally the engaging organisation's kinds ("ngo", "un_system", ...), so that exemptions
    open only to others are set aside. Without it every exemption is shown with who may rely
    on it. Unknown ids of any kind are refused with the known ones listed.
    """
    law = law or load_law()
    _check_ids("activities", "activity", activities, law.activities)
    _check_ids("jurisdictions", "jurisdiction", jurisdictions, law.jurisdictions)
    if organisation is not None:
        _check_ids("organisation", "organisation kind", organisation, law.organisation_kinds)
    assessed = list(dict.fromkeys(jurisdictions))
    assessed += [
        j.id for j in law.jurisdictions.values() if j.always_assessed and j.id not in assessed
    ]
    assessed_ids = tuple(assessed)

    in_force, notes = _designations_in_force(designations, as_of, law)
    known = designations.ids  # listed later still counts as screened: we know the status
    context = _Context(law, as_of, in_force, known, designations.screened, organisation)
    cells = [
        context.cell(law.activities[activity], jurisdiction)
        for activity in dict.fromkeys(activities)
        for jurisdiction in assessed_ids
    ]
    gaps = tuple(dict.fromkeys(gap for j in assessed_ids for gap in context.gaps(j)))
    return Exposure(
        as_of=as_of,
        rules_as_of=law.as_of,
        activities=tuple(dict.fromkeys(activities)),
        jurisdictions=assessed_ids,
        designations=tuple(sorted(in_force)),
        cells=tuple(cells),
        not_screened=gaps,
        notes=tuple(notes),
        disclaimer=law.disclaimer,
    )


def _check_ids(what: str, noun: str, given: Sequence[str], known: dict[str, Any]) -> None:
    """Refuse ids the rules do not know, naming the ones they do."""
    problems = [
        Problem(f"{what}[{index}]", f"unknown {noun} {value!r}; known: {sorted(known)}")
        for index, value in enumerate(given)
        if value not in known
    ]
    if problems:
        raise InvalidInputError(what, problems)


def _designations_in_force(
    designations: Designations, as_of: dt.date, law: Law
) -> tuple[frozenset[str], list[str]]:
    """The designations in force on the case date, and notes on those listed only later."""
    in_force = set(designations.declared)
    later: dict[str, dt.date] = {}
    for hit in designations.hits:
        if hit.listed_on is None or hit.listed_on <= as_of:
            in_force.add(hit.designation)
        else:
            earliest = later.get(hit.designation)
            later[hit.designation] = min(hit.listed_on, earliest or hit.listed_on)
    notes = [
        f"{law.designations[d].name}: listed on {day.isoformat()}, after the case date "
        f"{as_of.isoformat()}; its provisions are not applied."
        for d, day in sorted(later.items())
        if d not in in_force
    ]
    return frozenset(in_force), notes


@dataclass(frozen=True)
class _Context:
    """One assessment's fixed inputs, and the reasoning for one cell at a time."""

    law: Law
    as_of: dt.date
    in_force: frozenset[str]  # designations in force on the case date
    known: frozenset[str]  # designations found, whatever their date: their status is known
    screened: frozenset[str]  # list ids searched
    organisation: Sequence[str] | None  # the engaging organisation's kinds, when given

    # -- coverage --------------------------------------------------------------------------

    def is_screened(self, designation: str) -> bool:
        """Whether we know the designation's status: found, or a list that holds it searched."""
        rule = self.law.designations[designation]
        return designation in self.known or bool(set(rule.screened_by) & self.screened)

    def gaps(self, jurisdiction: str) -> list[ScreeningGap]:
        """Designations that could bring the jurisdiction's provisions into play, unscreened."""
        wanted = dict.fromkeys(t for p in self.law.provisions_in(jurisdiction) for t in p.triggers)
        return [self._gap(d) for d in wanted if not self.is_screened(d)]

    def _gap(self, designation: str) -> ScreeningGap:
        rule = self.law.designations[designation]
        return ScreeningGap(rule.jurisdiction, rule.id, rule.list_name, rule.basis, rule.source_url)

    # -- one cell --------------------------------------------------------------------------

    def cell(self, activity: Activity, jurisdiction: str) -> ActivityExposure:
        """The activity's exposure in the jurisdiction, with every reason."""
        findings: list[ProvisionFinding] = []
        reasons: list[str] = []
        routes: list[tuple[str, Level]] = []
        possible: list[tuple[Provision, Treatment, str]] = []
        for provision in self.law.provisions_in(jurisdiction):
            triggered = tuple(t for t in provision.triggers if t in self.in_force)
            if triggered and not provision.in_force(self.as_of):
                day = provision.effective_from.isoformat() if provision.effective_from else "?"
                reasons.append(
                    f"{provision.citation}: not applied, in force only from {day}, after the "
                    f"case date {self.as_of.isoformat()}."
                )
                continue
            if triggered:
                finding = self._finding(provision, activity, triggered, reasons, routes)
                findings.append(finding)
                continue
            unscreened = [t for t in provision.triggers if not self.is_screened(t)]
            ruling = activity.ruling_for(provision)
            if unscreened and ruling is not None and provision.in_force(self.as_of):
                lists = "; ".join(self.law.designations[t].list_name for t in unscreened)
                possible.append((provision, ruling.treatment, lists))

        gaps = tuple(self.gaps(jurisdiction))
        reaching = [p for p in possible if p[1] is not Treatment.PERMITTED]
        level = self._level(findings, reaching)
        reasons[:0] = [self._finding_reason(f) for f in findings]
        if not findings:
            reasons.append(self._no_provision_reason(jurisdiction, possible, reaching))
        reasons += self._hints(possible)
        note = self.law.jurisdictions[jurisdiction].coverage_note
        if note:
            reasons.append(note)
        return ActivityExposure(
            activity=activity.id,
            jurisdiction=jurisdiction,
            level=level,
            provisions=tuple(findings),
            obtain_first=self._obtain(level, routes, gaps),
            not_screened=gaps,
            reasons=tuple(reasons),
        )

    def _finding(
        self,
        provision: Provision,
        activity: Activity,
        triggered: tuple[str, ...],
        reasons: list[str],
        routes: list[tuple[str, Level]],
    ) -> ProvisionFinding:
        """One triggered provision's treatment of the activity, after exemptions in force."""
        ruling = activity.ruling_for(provision)
        if ruling is None:  # the loader refuses gaps; this guards hand-built Law values
            raise InvalidInputError(
                "rules", [Problem(activity.id, f"no ruling for provision {provision.id!r}")]
            )
        options: list[Exemption] = []
        for exemption in self.law.exemptions_for(provision.id, activity.id):
            if exemption.only_for_designations and not (
                set(exemption.only_for_designations) & set(triggered)
            ):
                reasons.append(
                    f"{exemption.citation} does not reach this designation "
                    f"({', '.join(triggered)}); not applied."
                )
                continue
            if not exemption.in_force(self.as_of):
                reasons.append(self._not_in_force(exemption))
                continue
            if self.organisation is not None and not exemption.open_to(self.organisation):
                reasons.append(
                    f"{exemption.citation}: not applied, open only to "
                    f"{', '.join(exemption.actors)}, not to this organisation."
                )
                continue
            options.append(exemption)
        level, lifted_by = self._after_exemptions(ruling.treatment, options)
        if ruling.treatment is not Treatment.PERMITTED:
            routes += [
                (option.obtain, level)
                for option in options
                if option.kind is ExemptionKind.AUTHORISATION and option.obtain
            ]
        shown = options if ruling.treatment is not Treatment.PERMITTED else []
        authorities = []
        for authority in self.law.authorities_for(provision.id, activity.id):
            if authority.decided <= self.as_of:
                authorities.append(
                    AuthorityCited(
                        authority.id, authority.citation, authority.summary, authority.source_url
                    )
                )
            else:
                reasons.append(
                    f"{authority.citation} was decided on {authority.decided.isoformat()}, "
                    "after the case date; not cited."
                )
        return ProvisionFinding(
            provision=provision.id,
            citation=provision.citation,
            title=provision.title,
            designations=triggered,
            treatment=ruling.treatment.value,
            level=level,
            reason=ruling.reason,
            exemptions=tuple(_option(e) for e in shown),
            lifted_by=tuple(e.id for e in lifted_by),
            authorities=tuple(authorities),
            source_url=provision.source_url,
            verified=provision.verified,
            note=provision.note,
        )

    @staticmethod
    def _after_exemptions(
        treatment: Treatment, options: list[Exemption]
    ) -> tuple[Level, list[Exemption]]:
        """The level once exemptions in force are taken into account, and what moved it.

        A standing exemption, general licence, defence or scope limit can only make a
        prohibited activity exposed: whether its conditions hold is for the organisation to
        show. A routine licensing route makes it licence_needed. An exceptional approval (one
        organisations cannot count on) leaves it prohibited.
        """
        if treatment is Treatment.PERMITTED:
            return Level.PERMITTED, []
        if treatment is Treatment.EXPOSED:
            return Level.EXPOSED, []
        standing = [o for o in options if o.kind is not ExemptionKind.AUTHORISATION]
        if standing:
            return Level.EXPOSED, standing
        routes = [o for o in options if o.kind is ExemptionKind.AUTHORISATION and o.routine]
        if routes:
            return Level.LICENCE_NEEDED, routes
        return Level.PROHIBITED, []

    @staticmethod
    def _level(
        findings: list[ProvisionFinding], reaching: list[tuple[Provision, Treatment, str]]
    ) -> Level:
        """The cell's level: the worst finding, or unknown when what decides was not screened.

        ``reaching`` are provisions whose designations were not screened and which would
        reach the activity if the group were listed: while any remains, a result that would
        otherwise be "permitted" is "unknown", never clear.
        """
        if not findings:
            return Level.UNKNOWN if reaching else Level.PERMITTED
        worst = max((f.level for f in findings), key=_SEVERITY.__getitem__)
        if worst is Level.PERMITTED and reaching:
            return Level.UNKNOWN
        return worst

    @staticmethod
    def _hints(possible: list[tuple[Provision, Treatment, str]]) -> list[str]:
        """One line per unsearched list: what each provision would make of the activity."""
        by_list: dict[str, list[str]] = {}
        for provision, treatment, lists in possible:
            by_list.setdefault(lists, []).append(f"{provision.citation}: {treatment.value}")
        return [
            f"Not screened: check this list yourself: {lists}. If the group is on it: "
            + "; ".join(effects)
            + "."
            for lists, effects in by_list.items()
        ]

    def _finding_reason(self, finding: ProvisionFinding) -> str:
        text = f"{finding.citation}: {finding.treatment}; {finding.reason}"
        if finding.lifted_by:
            names = " and ".join(
                o.citation for o in finding.exemptions if o.id in finding.lifted_by
            )
            verb = "may lift it" if finding.level is Level.EXPOSED else "can authorise it"
            text += f" In force on the case date, {names} {verb}: {finding.level.value}."
        for authority in finding.authorities:
            text += f" See {authority.citation}."
        return text

    def _no_provision_reason(
        self,
        jurisdiction: str,
        possible: list[tuple[Provision, Treatment, str]],
        reaching: list[tuple[Provision, Treatment, str]],
    ) -> str:
        name = self.law.jurisdictions[jurisdiction].name
        if reaching:
            return (
                f"No designation screened brings {name} provisions into play, but lists that "
                "could were not searched; the result is unknown, not clear."
            )
        if possible:
            return (
                f"Lists that could bring {name} provisions into play were not searched, but "
                "none of those provisions reaches this activity whatever the listing."
            )
        lists = ", ".join(sorted(self.screened)) or "none"
        return (
            f"No designation that brings {name} provisions into play was found on the lists "
            f"screened ({lists}). Some of these laws also reach groups that are not listed."
        )

    def _not_in_force(self, exemption: Exemption) -> str:
        if exemption.effective_from is not None and self.as_of < exemption.effective_from:
            return (
                f"{exemption.citation}: not applied, in force only from "
                f"{exemption.effective_from.isoformat()}, after the case date "
                f"{self.as_of.isoformat()}."
            )
        until = exemption.effective_until.isoformat() if exemption.effective_until else "?"
        return f"{exemption.citation}: not applied, it ceased to apply after {until}."

    def _obtain(
        self, level: Level, routes: list[tuple[str, Level]], gaps: tuple[ScreeningGap, ...]
    ) -> tuple[str, ...]:
        """What to obtain before acting: by level, the named licence routes, and screening.

        A route is plainly required where its provision stays prohibited or needs a licence;
        where an exemption may cover the activity or the facts decide, it is the fallback.
        """
        items: list[str] = list(self.law.obtain_by_level.get(level.value, ()))
        items += [
            text if route_level is not Level.EXPOSED else f"Where no exemption covers it: {text}"
            for text, route_level in routes
        ]
        if gaps and level is not Level.UNKNOWN:
            items += self.law.obtain_by_level.get(Level.UNKNOWN.value, ())
        return tuple(dict.fromkeys(items))


def _option(exemption: Exemption) -> ExemptionOption:
    return ExemptionOption(
        id=exemption.id,
        kind=exemption.kind.value,
        title=exemption.title,
        citation=exemption.citation,
        who_may_rely=exemption.who_may_rely,
        actors=exemption.actors,
        conditions=exemption.conditions,
        source_url=exemption.source_url,
        effective_from=exemption.effective_from,
        verified=exemption.verified,
        note=exemption.note,
    )


def _jsonable(value: Any) -> Any:
    """Dates to ISO text, enums to their values, tuples to lists, recursively."""
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
