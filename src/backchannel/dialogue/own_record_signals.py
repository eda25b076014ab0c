"""Data signals on our own records: the mandate we hold and the red lines we set.

These read what the case records of our own organisation's negotiation, so they are
direct evidence (``signals.yaml``): a complete mandate in force, or red lines each with who
set it, may put their condition in place. Nothing recorded gives no reading, so the
condition stays unknown unless an analyst judged it; a missing record is never read as a
mandate or a line that exists.

The texts say what is on record and what is missing, never what the records say: the
mandate's terms and the lines' wording are sensitive, and a reading travels into every
brief.
"""

from __future__ import annotations

from backchannel.dialogue.inputs import StrategyInputs
from backchannel.dialogue.signal_types import Signal, SignalRule
from backchannel.model.negotiation import CaseLine, Mandate


def _known_mandate(inputs: StrategyInputs) -> Mandate | None:
    """The mandate given by the assessment day, if any (the cut already drops a later one;
    this also holds for a case handed in uncut)."""
    mandate = inputs.case.mandate
    if mandate is None or mandate.date > inputs.as_of:
        return None
    return mandate


def _known_red_lines(inputs: StrategyInputs) -> list[CaseLine]:
    """The case's red lines set by the assessment day (undated ones count as known)."""
    return [
        line for line in inputs.case.red_lines if line.date is None or line.date <= inputs.as_of
    ]


def mandate_gaps(inputs: StrategyInputs, mandate: Mandate) -> list[str]:
    """What a mandate in force lacks to read as complete, in plain words."""
    gaps = []
    if not mandate.mandator.strip():
        gaps.append("who gave it")
    if not mandate.objectives:
        gaps.append("its objectives")
    if not mandate.limits and not _known_red_lines(inputs):
        gaps.append("its limits (no limit stated and no red line of the case)")
    if not [a for a in mandate.approvals if a.date <= inputs.as_of]:
        gaps.append("an approval")
    return gaps


def mandate_record(inputs: StrategyInputs, rule: SignalRule) -> Signal | None:
    """The mandate in force on the day: complete (who gave it, objectives, limits or red
    lines, an approval) or missing some of these. No mandate, or one not yet given, gives
    no reading; a lapsed one is read by ``mandate_lapse``."""
    mandate = _known_mandate(inputs)
    if mandate is None or not mandate.in_force(inputs.as_of):
        return None
    approvals = [a for a in mandate.approvals if a.date <= inputs.as_of]
    read = {
        "mandate.date": mandate.date.isoformat(),
        "objectives": len(mandate.objectives),
        "limits": len(mandate.limits),
        "red_lines": len(_known_red_lines(inputs)),
        "approvals": len(approvals),
    }
    gaps = mandate_gaps(inputs, mandate)
    given = f"A mandate given on {mandate.date.isoformat()} is in force on {inputs.as_of}"
    if not gaps:
        return Signal(
            signal=rule.id,
            score=rule.value("complete"),
            text=f"{given}: who gave it, {len(mandate.objectives)} objective(s), "
            f"{len(mandate.limits)} limit(s), {read['red_lines']} red line(s) of the case and "
            f"{len(approvals)} approval(s) are on record.",
            read=read,
            direct=rule.direct,
        )
    return Signal(
        signal=rule.id,
        score=rule.value("incomplete"),
        text=f"{given}, but the record does not state {_and(gaps)}.",
        read=read | {"missing": gaps},
        direct=rule.direct,
    )


def mandate_lapse(inputs: StrategyInputs, rule: SignalRule) -> Signal | None:
    """A mandate whose last day lies before the assessment day: nobody is mandated until it
    is renewed. Nothing to say of a mandate in force or of none."""
    mandate = _known_mandate(inputs)
    if mandate is None or mandate.valid_until is None or mandate.valid_until >= inputs.as_of:
        return None
    ran = f"The mandate given on {mandate.date.isoformat()} ran until {mandate.valid_until}"
    return Signal(
        signal=rule.id,
        score=rule.value("lapsed"),
        text=f"{ran}: on {inputs.as_of} it has lapsed, and nobody is mandated to negotiate "
        "until it is renewed.",
        reason=f"{ran} and has lapsed.",
        read={
            "mandate.date": mandate.date.isoformat(),
            "mandate.valid_until": mandate.valid_until.isoformat(),
        },
        direct=rule.direct,
        caps=rule.caps,
    )


def red_lines_record(inputs: StrategyInputs, rule: SignalRule) -> Signal | None:
    """The case's own red lines set by the day, and whether each says who set it. None on
    record gives no reading: the generic checklist is no substitute for lines the
    mandator set."""
    lines = _known_red_lines(inputs)
    if not lines:
        return None
    unattributed = [line.id for line in lines if not line.set_by.strip()]
    adopted = sum(line.adopted_from is not None for line in lines)
    read = {"red_lines": len(lines), "adopted": adopted, "without_setter": len(unattributed)}
    if unattributed:
        return Signal(
            signal=rule.id,
            score=rule.value("unattributed"),
            text=f"{len(lines)} red line(s) of the case are on record, but "
            f"{len(unattributed)} do not say who set them.",
            read=read,
            direct=rule.direct,
        )
    return Signal(
        signal=rule.id,
        score=rule.value("recorded"),
        text=f"{len(lines)} red line(s) of the case are on record, each with who set it "
        f"({adopted} adopted from the generic checklist).",
        read=read,
        direct=rule.direct,
    )


def _and(parts: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]
