"""A commitment's status follows its dated evidence: recorded changes and monitoring entries.

The rules of ``monitoring.yaml``: the latest evidence known on the day decides; on one day
the more cautious status wins; a party's own report of compliance awaits verification and
moves nothing, while its report of a breach counts at once.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from backchannel.casefile import load_case
from backchannel.model.case import Commitment
from backchannel.model.compliance import compliance_on, monitoring_rules
from backchannel.model.negotiation import MonitoringEntry
from backchannel.model.vocabulary import CommitmentStatus, VerificationMethod
from tests.test_example_cases import EXAMPLES

FAR = dt.date(2100, 1, 1)


def _icrc_access() -> Commitment:
    """The ICRC access arrangement of the Somalia example."""
    case = load_case(EXAMPLES / "somalia-2011.yaml")
    return next(c for c in case.commitments if c.id == "c-shabaab-icrc-access-2011")


def _with(commitment: Commitment, *entries: MonitoringEntry) -> Commitment:
    return Commitment.model_validate(
        {**commitment.model_dump(), "monitoring": [e.model_dump() for e in entries]}
    )


def _entry(day: dt.date, method: VerificationMethod, supports: CommitmentStatus) -> MonitoringEntry:
    return MonitoringEntry(
        date=day, method=method, by="monitor", observed="seen", supports=supports
    )


def test_a_third_party_report_of_a_breach_makes_the_commitment_violated() -> None:
    """A convoy blocked, reported by a third party, reads as a breach from that day on."""
    base = _icrc_access()
    start = base.start
    kept = _with(
        base,
        _entry(
            start + dt.timedelta(days=20),
            VerificationMethod.FIELD_MISSION,
            CommitmentStatus.HONOURED,
        ),
    )
    breached = _with(
        base,
        _entry(
            start + dt.timedelta(days=20),
            VerificationMethod.FIELD_MISSION,
            CommitmentStatus.HONOURED,
        ),
        _entry(
            start + dt.timedelta(days=40),
            VerificationMethod.THIRD_PARTY_REPORT,
            CommitmentStatus.VIOLATED,
        ),
    )
    day = start + dt.timedelta(days=50)
    assert compliance_on(kept, day, FAR).status is CommitmentStatus.HONOURED
    standing = compliance_on(breached, day, FAR)
    assert standing.status is CommitmentStatus.VIOLATED
    assert standing.decided_by is not None and standing.decided_by.entry == 1
    assert "third party report" in standing.decided_by.describe()
    # before the report was known, the field mission's reading stood
    assert (
        compliance_on(breached, start + dt.timedelta(days=30), FAR).status
        is CommitmentStatus.HONOURED
    )


def test_a_self_report_of_compliance_waits_for_verification() -> None:
    """The group saying it complies is not proof: the status stays where it was, the claim
    waits for verification."""
    base = _icrc_access()
    claim = _entry(
        base.start + dt.timedelta(days=5),
        VerificationMethod.SELF_REPORTING,
        CommitmentStatus.HONOURED,
    )
    day = base.start + dt.timedelta(days=6)
    standing = compliance_on(_with(base, claim), day, FAR)
    assert standing.status is compliance_on(base, day, FAR).status is CommitmentStatus.PENDING
    assert [e.entry for e in standing.awaiting_verification] == [0]


def test_a_self_reported_breach_counts_at_once() -> None:
    base = _icrc_access()
    admission = _entry(
        base.start + dt.timedelta(days=5),
        VerificationMethod.SELF_REPORTING,
        CommitmentStatus.VIOLATED,
    )
    assert compliance_on(_with(base, admission), base.start + dt.timedelta(days=6), FAR).status is (
        CommitmentStatus.VIOLATED
    )


_METHODS = st.sampled_from(list(VerificationMethod))
_STATUSES = st.sampled_from(list(CommitmentStatus))


@settings(max_examples=120, deadline=None)
@given(
    entries=st.lists(st.tuples(st.integers(0, 300), _METHODS, _STATUSES), min_size=1, max_size=6),
    probe=st.integers(-10, 400),
)
def test_the_status_is_the_most_cautious_counted_evidence_of_the_last_day(
    entries: list[tuple[int, VerificationMethod, CommitmentStatus]], probe: int
) -> None:
    base = _icrc_access()
    monitored = _with(
        base, *(_entry(base.start + dt.timedelta(days=d), m, s) for d, m, s in entries)
    )
    day = base.start + dt.timedelta(days=probe)
    rules = monitoring_rules()
    counted = [
        (base.start + dt.timedelta(days=d), s)
        for d, m, s in entries
        if d <= probe and s in rules.establishes(m)
    ]
    standing = compliance_on(monitored, day, FAR)
    counted += [(c.date, c.status) for c in base.status_history if c.date <= day]
    if not counted:
        assert standing.status is CommitmentStatus.UNKNOWN
        return
    last = max(d for d, _ in counted)
    expected = max((s for d, s in counted if d == last), key=rules.caution)
    assert standing.status is expected
    # a later entry never changes what was known on the day
    earlier = _with(base, *(e for e in monitored.monitoring if e.date <= day))
    then = compliance_on(earlier, day, FAR)
    assert (then.status, [e.describe() for e in then.awaiting_verification]) == (
        standing.status,
        [e.describe() for e in standing.awaiting_verification],
    )
