"""Evidence of a rise in counts of violence, allowing for overdispersion, and its words.

The escalation test of :mod:`backchannel.events.indicators` and the talks comparison of
:mod:`backchannel.events.alerts` both end here: a p-value for a rise from a baseline span to
an observed span (:func:`rise_p_value`), the dispersion it allows for
(:func:`pooled_dispersion`, :func:`per_event_floor`), the grade in words
(:func:`evidence_strength`) and the plain numbers the texts use (:func:`plain_number`).

The test. Counts whose variance is ``dispersion`` times their mean (quasi-Poisson) have the
quasi-likelihood of a Poisson count divided by the dispersion (McCullagh & Nelder,
*Generalized Linear Models*, 2nd ed., 1989, ch. 9). The dispersion is a method-of-moments
estimate, the variance of the monthly counts over their mean: for the year before a month
under test, from the steps between successive months, so that a rise already under way is
not taken for dispersion (:func:`escalation`); for talks and the span before them, Pearson's
statistic with each span around its own mean (:func:`pooled_dispersion`). Where the counts
vary no more than a Poisson count the test is the Poisson one. Deaths never get a
dispersion below twice their mean number per event (:func:`per_event_floor`): if events
came as a Poisson process, each killing D people, monthly deaths would have a variance of
E[D^2] / E[D] times their mean, which is 2 E[D] for exponentially spread sizes
(:data:`DEATHS_SIZE_SPREAD`); so a few lumps of deaths weigh no more than the few events
they are. Two Poisson rates are compared exactly by
conditioning on their total, which makes the count of the later span binomial (Przyborowski
& Wilenski, *Biometrika* 31, 1940); here that binomial test is applied to the counts divided
by the dispersion (:func:`rise_p_value`). It allows for the length of the baseline (a month
against one quiet month is weak evidence, against twelve much stronger) and needs no floor
on a zero baseline rate. The p-value is then graded in words from the p-value, the rate
ratio and the number of events behind the count (:func:`evidence_strength`), so that deaths
from one or two incidents are never strong evidence.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import special

Strength = Literal["weak", "moderate", "strong"]

STRENGTHS: tuple[Strength, ...] = ("weak", "moderate", "strong")
"""The grades of evidence of a rise, weakest first; ``None`` means no evidence of a rise."""

WEAK_P_VALUE = 0.05
"""Below this p-value a rise is weak evidence. Convention, uncalibrated: the customary 5%
level of significance. Weak evidence is reported but raises no alert: the test runs on every
unit-month, and at 5% forty actors over thirty years would give hundreds of chance alerts."""

MODERATE_P_VALUE = 0.01
"""Below this p-value (and with :data:`MODERATE_RATE_RATIO`) a rise is moderate evidence,
enough for an alert. Convention, uncalibrated: the customary 1% level."""

STRONG_P_VALUE = 0.001
"""Strong evidence needs a p-value below this, with :data:`STRONG_RATE_RATIO` and
:data:`STRONG_MIN_EVENTS`. Convention, uncalibrated: the customary 0.1% level."""

MODERATE_RATE_RATIO = 1.5
"""Moderate evidence needs the month at least half as high again as its baseline (rate
ratio, with the 0.5 continuity terms). Convention, uncalibrated: in a unit with hundreds of
events a month a rise of a few percent can be significant and is still no escalation."""

STRONG_RATE_RATIO = 3.0
"""Strong evidence needs the month at three times its baseline or more. Convention,
uncalibrated."""

STRONG_MIN_EVENTS = 5
"""Strong evidence needs at least this many separate events behind the count (for deaths:
events with deaths), so that deaths from one or two incidents are never strong evidence of
a rise, however many were killed. Convention, uncalibrated."""

DOMINANT_EVENT_SHARE = 0.5
"""When one event carries more than this share of a month's deaths, the deaths are one
incident and cannot be strong evidence (the text says "one event accounts for most
deaths"). Convention, uncalibrated."""

ALERT_P_VALUE = MODERATE_P_VALUE
"""The p-value an escalation alert needs: that of moderate evidence. An alert also needs the
grade itself (moderate or strong, :func:`evidence_strength`) and the minimum count of
:data:`MIN_COUNT_FOR_ALERT`."""

ALERT_STRENGTHS: tuple[Strength, ...] = ("moderate", "strong")
"""The grades at which an escalation alert fires."""

DEATHS_SIZE_SPREAD = 2.0
"""E[D^2] / E[D]^2 assumed for the deaths D of one event: the dispersion floor for deaths
is this times the mean deaths per event. Monthly deaths from Poisson-arriving events vary
E[D^2] / E[D] times more than a Poisson count; with exponentially distributed event sizes
that is twice the mean size, hence 2. Event sizes in GED are more spread still (for the
one-sided events of the Central African Republic in GED 23.1, E[D^2] / E[D] is 15 times the
mean), so this floor is a lower bound, and tests on deaths stay somewhat over-confident
where a few very large events dominate (benchmarks/escalation_tests.py measures by how
much). Basis: the second moment of the exponential distribution; convention, uncalibrated
for GED."""


def rise_p_value(
    observed: npt.ArrayLike,
    baseline_total: npt.ArrayLike,
    baseline_months: npt.ArrayLike,
    dispersion: npt.ArrayLike,
    observed_months: npt.ArrayLike = 1,
) -> npt.NDArray[np.float64]:
    """One-sided p-value of a rise from a baseline span to an observed span, element-wise.

    ``observed`` counts fall in ``observed_months`` months and ``baseline_total`` in
    ``baseline_months``; ``dispersion`` is the variance-to-mean ratio of the monthly counts
    (1: Poisson). If both spans had the same rate, a Poisson count would be, given the
    total T, binomial with the observed span's share of the time, pi; the p-value is the
    upper tail P(X >= observed). With overdispersion both counts are divided by the
    dispersion first (the quasi-Poisson scaling), and the tail is the regularized incomplete
    beta function I_pi(x, T - x + 1), which equals the binomial tail at whole counts and
    continues it between them.

    An observed count of 0 gives 1. NaN where an input is missing or there is no baseline.
    The p-value falls as ``observed`` rises and, for a count above its baseline rate, rises
    with ``dispersion``. It is
    approximate: with the dispersion estimated from a year of very lumpy months it is still
    somewhat over-confident in the far tail, one reason the grading in words asks for a rate
    ratio and a number of events too.
    """
    x = np.asarray(observed, dtype=np.float64)
    baseline = np.asarray(baseline_total, dtype=np.float64)
    months = np.asarray(baseline_months, dtype=np.float64)
    phi = np.asarray(dispersion, dtype=np.float64)
    span = np.asarray(observed_months, dtype=np.float64)
    missing = np.isnan(x) | np.isnan(baseline) | np.isnan(months) | np.isnan(phi)
    usable = ~missing & (months > 0) & (phi > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = span / (span + months)
        a = np.where(usable & (x > 0), x / phi, 1.0)
        b = np.where(usable, np.maximum(baseline, 0.0) / phi + 1.0, 1.0)
        tail = special.betainc(a, b, np.where(usable, share, 0.5))
    p = np.where(x > 0, tail, 1.0)
    return np.where(usable, np.clip(p, 0.0, 1.0), np.nan).astype(np.float64)


def per_event_floor(total: float, events: float, spread: float = DEATHS_SIZE_SPREAD) -> float:
    """The least dispersion of deaths that come in events: ``spread`` times their mean per
    event, at least 1 (1 where there are no events).

    A month's deaths from Poisson-arriving events of D deaths each vary E[D^2] / E[D] times
    more than a Poisson count; ``spread`` is the assumed E[D^2] / E[D]^2
    (:data:`DEATHS_SIZE_SPREAD`). With ``spread`` 1 and a count of events the floor is 1.
    """
    return max(spread * total / events, 1.0) if events > 0 else 1.0


def pooled_dispersion(periods: Sequence[Sequence[float]], floor: float = 1.0) -> float:
    """Pearson dispersion of monthly counts, each period around its own mean, floored.

    The quasi-Poisson estimate for a model with one rate per period: the sum over months of
    (count - period mean)^2 / period mean, over the months less the number of periods.
    Periods with a zero mean add nothing. Where that leaves no degree of freedom, or the
    counts vary no more than a Poisson count, the dispersion is 1; never below ``floor``.
    Meant for short periods, each with its own mean (talks and the span before them); the
    long escalation baseline uses successive differences instead (:func:`escalation`).
    """
    pearson = 0.0
    months = 0
    for period in periods:
        counts = np.asarray(period, dtype=np.float64)
        months += counts.size
        mean = float(counts.mean()) if counts.size else 0.0
        if mean > 0:
            pearson += float(((counts - mean) ** 2).sum() / mean)
    degrees = months - len(periods)
    estimated = pearson / degrees if degrees > 0 else 1.0
    return max(estimated, 1.0, floor)


def evidence_strength(
    p_value: float, rate_ratio: float, event_count: int, largest_share: float | None = None
) -> Strength | None:
    """Grade the evidence of a rise in words: ``strong``, ``moderate``, ``weak`` or None.

    - strong: p below :data:`STRONG_P_VALUE`, rate ratio at least
      :data:`STRONG_RATE_RATIO`, at least :data:`STRONG_MIN_EVENTS` events, and no single
      event with more than :data:`DOMINANT_EVENT_SHARE` of the deaths (``largest_share``,
      None for counts of events);
    - moderate: p below :data:`MODERATE_P_VALUE` and rate ratio at least
      :data:`MODERATE_RATE_RATIO`;
    - weak: p below :data:`WEAK_P_VALUE` and a rate ratio above 1;
    - None: no evidence of a rise (also where there is no p-value).

    The grade never falls when the count rises with the rest unchanged.
    """
    if math.isnan(p_value) or p_value >= WEAK_P_VALUE or not rate_ratio > 1:
        return None
    one_incident = largest_share is not None and largest_share > DOMINANT_EVENT_SHARE
    if (
        p_value < STRONG_P_VALUE
        and rate_ratio >= STRONG_RATE_RATIO
        and event_count >= STRONG_MIN_EVENTS
        and not one_incident
    ):
        return "strong"
    if p_value < MODERATE_P_VALUE and rate_ratio >= MODERATE_RATE_RATIO:
        return "moderate"
    return "weak"


def strength_rank(strength: str | None) -> int:
    """0 for no evidence, then 1, 2, 3 for weak, moderate, strong: to compare grades."""
    return 0 if strength is None else STRENGTHS.index(strength) + 1


def plain_number(value: float) -> str:
    """A count in words for a reader: at most two significant digits, "about" if rounded.

    ``72`` stays ``72``; ``494`` becomes ``about 490``, ``1293`` ``about 1,300`` and ``4.08``
    ``about 4.1``.
    """
    if value == 0:
        return "0"
    rounded = round(value, 1 - math.floor(math.log10(abs(value))))
    if rounded == int(rounded):
        text = f"{int(rounded):,}"
    else:
        text = f"{rounded:.{max(1 - math.floor(math.log10(abs(rounded))), 0)}f}"
    return text if rounded == value else f"about {text}"


def monthly_rate_words(mean: float | None) -> str:
    """A baseline's monthly mean in words: "none", "fewer than one a month", "about 4 a month"."""
    if not mean:
        return "none"
    if mean < 1:
        return "fewer than one a month"
    number = plain_number(mean)
    return f"{number if number.startswith('about') else 'about ' + number} a month"


def evidence_words(strength: str | None, what: str = "") -> str:
    """``strong evidence of a rise`` (or ``no evidence of a rise``), then ``what``."""
    grade = "no" if strength is None else strength
    return f"{grade} evidence of a rise{' ' + what if what else ''}"


def lump_note(total: int, event_count: int, largest: int | None) -> str:
    """A remark when deaths come from one incident: all in one event, or most of them."""
    if largest is None or total <= 0:
        return ""
    if event_count == 1:
        return " (all in one event)"
    if largest / total > DOMINANT_EVENT_SHARE:
        return " (one event accounts for most deaths)"
    return ""
