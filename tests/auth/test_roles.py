"""The permission table: every role against every action, and need-to-know for admins."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import backchannel.auth.roles as roles_module
from backchannel.auth import MEMBERSHIP_ROLES, PERMISSIONS, Action, Role, allowed, permitted
from backchannel.auth.roles import require
from backchannel.errors import PermissionDeniedError

README = Path(__file__).resolve().parents[2] / "README.md"

# The policy written out independently of the module: (admin, case_lead, analyst, viewer).
EXPECTED: dict[str, tuple[bool, bool, bool, bool]] = {
    "case.read": (False, True, True, True),
    "case.write": (False, True, True, False),
    "judgement.write": (False, True, True, False),
    "engagement.write": (False, True, True, False),
    "commitment.write": (False, True, True, False),
    "screening.decide": (False, True, True, False),
    "screening.share": (False, True, False, False),
    "assessment.run": (False, True, True, False),
    "brief.full": (False, True, True, False),
    "brief.redacted": (False, True, True, True),
    "audit.read": (True, True, False, False),
    "members.manage": (True, True, False, False),
    "users.manage": (True, False, False, False),
}
ROLE_ORDER = (Role.admin, Role.case_lead, Role.analyst, Role.viewer)


def test_the_expected_table_covers_every_action_and_role() -> None:
    assert set(EXPECTED) == {a.value for a in Action}
    assert set(ROLE_ORDER) == set(Role) == set(PERMISSIONS)
    assert {Role.case_lead, Role.analyst, Role.viewer} == MEMBERSHIP_ROLES


@pytest.mark.parametrize(
    ("role", "action", "expected"),
    [
        (role, action, row[position])
        for action, row in EXPECTED.items()
        for position, role in enumerate(ROLE_ORDER)
    ],
)
def test_permission_table(role: Role, action: str, expected: bool) -> None:
    assert allowed(role, action) is expected
    assert allowed(role.value, Action(action)) is expected


def test_viewers_get_only_the_redacted_brief() -> None:
    assert permitted(Role.viewer, Role.viewer, "brief.redacted")
    assert not permitted(Role.viewer, Role.viewer, "brief.full")


def test_an_admin_who_is_not_a_member_manages_the_case_but_cannot_read_it() -> None:
    for action in ("case.read", "brief.redacted", "brief.full", "case.write", "assessment.run"):
        assert not permitted(Role.admin, None, action), action
    assert permitted(Role.admin, None, "members.manage")
    assert permitted(Role.admin, None, "users.manage")
    assert permitted(Role.admin, None, "audit.read")


def test_an_admin_who_is_a_member_has_the_membership_rights_too() -> None:
    assert permitted(Role.admin, Role.viewer, "case.read")
    assert not permitted(Role.admin, Role.viewer, "brief.full")
    assert permitted(Role.admin, Role.analyst, "brief.full")


def test_a_non_admin_global_role_grants_nothing_outside_a_membership() -> None:
    for role in MEMBERSHIP_ROLES:
        for action in Action:
            assert not permitted(role, None, action), (role, action)


def test_the_membership_role_decides_inside_a_case_whatever_the_global_role() -> None:
    assert permitted(Role.viewer, Role.case_lead, "members.manage")
    assert not permitted(Role.case_lead, Role.viewer, "case.write")
    assert not permitted(Role.analyst, Role.analyst, "users.manage")


def test_admin_is_never_a_membership_role() -> None:
    for action in Action:
        assert permitted(Role.viewer, Role.admin, action) is False


def test_unknown_actions_and_roles_are_errors_not_silent_answers() -> None:
    with pytest.raises(ValueError, match=r"unknown action 'case\.destroy'"):
        allowed(Role.admin, "case.destroy")
    with pytest.raises(ValueError, match="unknown action"):
        permitted(Role.admin, None, "Case.Read")
    with pytest.raises(ValueError):
        allowed("superuser", "case.read")


def test_require_raises_permission_denied_naming_the_action() -> None:
    require(Role.analyst, Role.analyst, "judgement.write")
    with pytest.raises(PermissionDeniedError, match=r"brief\.full is not allowed.*role viewer"):
        require(Role.analyst, Role.viewer, "brief.full")
    with pytest.raises(PermissionDeniedError, match=r"case\.read is not allowed.*no role"):
        require(Role.admin, None, "case.read")


def test_the_policy_and_its_reasons_are_written_down() -> None:
    doc = roles_module.__doc__ or ""
    for phrase in ("need-to-know", "Administrators manage, they do not read", "redacted brief"):
        assert phrase.lower() in doc.lower()


def test_readme_permission_table_matches_the_code() -> None:
    section = README.read_text().split("### Users, roles and compartments", 1)[1]
    section = section.split("\n#", 1)[0]  # up to the next heading: other tables follow
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    documented: dict[str, tuple[bool, ...]] = {}
    for line in rows:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        action = re.fullmatch(r"`([a-z.]+)`", cells[0])
        assert action, line
        documented[action.group(1)] = tuple(cell.startswith("yes") for cell in cells[1:5])
    assert documented == {
        action: tuple(allowed(role, action) for role in ROLE_ORDER) for action in EXPECTED
    }
