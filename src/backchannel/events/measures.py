"""What the event indicators count and the lines they test against: the measures, their
labels, the alert minimums, and the UCDP and EWP thresholds with their sources."""

from __future__ import annotations

from typing import Literal

from backchannel.events.schema import ViolenceType

GRID_CELL_DEGREES = 0.5
"""Side of the grid cells counted as distinct locations: PRIO-GRID's 0.5 degree cells,
the resolution UCDP GED itself links events to (``priogrid_gid``)."""

UNKNOWN_ADMIN1 = "(admin1 unknown)"
"""Area label for events without a first-level administrative area, so they still count
in admin-1 series (a null key would drop out of the zero-filling join)."""

COUNT_MEASURES: tuple[str, ...] = ("events", "civilian_events")
"""Measures that count events; every other measure counts deaths."""

DEATH_MEASURES: tuple[str, ...] = (
    "deaths_best",
    "deaths_low",
    "deaths_high",
    "civilian_deaths",
    "civilian_deaths_any_type",
    "organised_violence_deaths",
)

MIN_COUNT_FOR_ALERT: dict[str, int] = {
    # an alert is for something an analyst can act on: at least 10 killed in the month
    # (convention, uncalibrated; the minimum the first, Poisson alerts used)
    **dict.fromkeys(DEATH_MEASURES, 10),
    # 3 events keeps a stray report or two from alerting
    "events": 3,
    "civilian_events": 3,
}
"""Minimum current-month count before an escalation alert fires, per measure."""

RATE_RATIO_CONTINUITY = 0.5
"""Added to numerator and denominator of the rate ratio so that zero baselines give a
finite ratio (the usual 0.5 continuity correction for counts)."""

TREND_MONTHS = 6
"""Months (current one included) over which the least-squares trend slope is taken."""

UCDP_DEATH_THRESHOLD = 25
"""UCDP's threshold of 25 battle-related deaths in a calendar year for an armed conflict
(and the same 25 deaths for non-state conflict and one-sided violence). UCDP Definitions,
https://www.pcr.uu.se/research/ucdp/definitions/ ."""

EWP_MASS_KILLING_THRESHOLD = 1000
"""Early Warning Project's mass-killing definition: 1,000 or more non-combatant civilians
deliberately killed by armed forces of one group in 12 months or less. EWP methodology,
https://earlywarningproject.ushmm.org/methodology ."""

ROLLING_MONTHS = 12
"""Rolling window of the threshold crossings. UCDP counts calendar years; a rolling 12
months (EWP's own window) sees a crossing as soon as it happens rather than at year end."""

ORGANISED_VIOLENCE: tuple[str, ...] = (
    ViolenceType.STATE_BASED.value,
    ViolenceType.NON_STATE.value,
    ViolenceType.ONE_SIDED.value,
)

Measure = Literal[
    "events",
    "civilian_events",
    "deaths_best",
    "deaths_low",
    "deaths_high",
    "civilian_deaths",
    "civilian_deaths_any_type",
    "organised_violence_deaths",
]

MEASURE_LABELS: dict[str, str] = {
    "events": "Events",
    "civilian_events": "Attacks on civilians",
    "deaths_best": "Deaths",
    "deaths_low": "Deaths (low estimate)",
    "deaths_high": "Deaths (high estimate)",
    "civilian_deaths": "Civilian deaths",
    "civilian_deaths_any_type": "Civilians killed in any kind of violence",
    "organised_violence_deaths": "Deaths in organised violence",
}
"""How the texts name each measure."""
