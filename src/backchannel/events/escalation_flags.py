"""Grading executed escalation tests: the p-value, the strength in words, the alert, the why.

:func:`backchannel.events.indicators.escalation` builds each unit-month's test inputs as an
Ibis expression; once it has run, :func:`flag_escalations` adds the p-value and its grade
(:mod:`backchannel.events.rise_evidence`), whether an alert fires, and a sentence saying
what rose and how strongly, without p-values.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from backchannel.events.indicators import MEASURE_LABELS, MIN_COUNT_FOR_ALERT
from backchannel.events.rise_evidence import (
    ALERT_STRENGTHS,
    evidence_strength,
    evidence_words,
    lump_note,
    monthly_rate_words,
    plain_number,
    rise_p_value,
)


def flag_escalations(scored: pa.Table, *, min_count: int | None = None) -> pa.Table:
    """Add ``p_value``, ``strength``, ``alert`` and ``reason`` to an executed
    :func:`escalation` result.

    ``p_value`` is :func:`rise_p_value` of the month against its baseline with the row's
    dispersion (null where there is no baseline: the data's first month); ``strength`` its
    grade (:func:`evidence_strength`). An alert fires at moderate or strong evidence when
    the month's count reaches ``min_count`` (by default :data:`MIN_COUNT_FOR_ALERT` of the
    row's measure). ``reason`` says in words, without p-values, what rose and how strongly
    (null where there is no evidence of a rise); ``event_ids`` in the table are its evidence.
    """
    observed = _floats(scored, "observed")
    months = _floats(scored, "baseline_months_observed")
    mean = _floats(scored, "baseline_mean")
    p_values = rise_p_value(observed, mean * months, months, _floats(scored, "dispersion"))
    keys = [k for k in ("actor", "admin1", "country") if k in scored.column_names]
    wanted = ("measure", "month", "observed", "event_count", "largest_event", "rate_ratio")
    columns = scored.select([*keys, *wanted, "baseline_mean", "baseline_months_observed"])
    strengths: list[str | None] = []
    alerts: list[bool] = []
    reasons: list[str | None] = []
    for row, p in zip(columns.to_pylist(), p_values, strict=True):
        share = _largest_share(row["observed"], row["largest_event"])
        strength = (
            None
            if row["rate_ratio"] is None
            else evidence_strength(float(p), row["rate_ratio"], row["event_count"], share)
        )
        needed = MIN_COUNT_FOR_ALERT[row["measure"]] if min_count is None else min_count
        strengths.append(strength)
        alerts.append(strength in ALERT_STRENGTHS and row["observed"] >= needed)
        reasons.append(None if strength is None else describe_escalation(row, strength))
    return (
        scored.append_column("p_value", pa.array(p_values, type=pa.float64(), from_pandas=True))
        .append_column("strength", pa.array(strengths, type=pa.string()))
        .append_column("alert", pa.array(alerts, type=pa.bool_()))
        .append_column("reason", pa.array(reasons, type=pa.string()))
    )


def _floats(table: pa.Table, name: str) -> npt.NDArray[np.float64]:
    values = table.column(name).to_numpy(zero_copy_only=False)
    return np.asarray(values, dtype=np.float64)


def _largest_share(total: int | None, largest: int | None) -> float | None:
    if largest is None or not total:
        return None
    return largest / total


def describe_escalation(row: Mapping[str, Any], strength: str | None) -> str:
    """One unit-month of an :func:`escalation` result in words, with its grade.

    ``Civilian deaths by X in 2014-03: 72, against about 4 a month in the year before;
    moderate evidence of a rise (one event accounts for most deaths)``. Counts have at most
    two significant digits and there is no p-value: those are in the table.
    """
    keys = [k for k in ("admin1", "country") if k in row]
    unit = f"by {row['actor']}" if "actor" in row else "in " + ", ".join(str(row[k]) for k in keys)
    months = row["baseline_months_observed"] or 0
    if months == 0:
        baseline = "no earlier month to compare with"
    else:
        span = "the year" if months == 12 else f"the {plain_number(months)} months"
        baseline = f"against {monthly_rate_words(row['baseline_mean'])} in {span} before"
    note = (
        ""
        if strength is None
        else lump_note(row["observed"], row["event_count"], row["largest_event"])
    )
    return (
        f"{MEASURE_LABELS[row['measure']]} {unit} in {row['month']:%Y-%m}: "
        f"{plain_number(row['observed'])}, {baseline}; {evidence_words(strength)}{note}"
    )
