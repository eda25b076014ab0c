"""Who may do what: the roles, the actions and the permission table, as data.

The policy, and why:

- **Two kinds of role.** A user's *global* role says who they are: an administrator or
  not. Their *membership* role in a case (``case_lead``, ``analyst`` or ``viewer``) says
  what they may do in that case, and only there. A case is a compartment: the people who
  talk to an armed group, and those they talk through, are known to the team that needs to
  know and to nobody else, because a leak can get an intermediary killed or end the talks.
- **Need-to-know beats rank.** An administrator who is not a member of a case cannot read
  it, write to it or get its brief. Administration (accounts, memberships, the integrity
  of the audit log) does not require reading what analysts wrote, so the people who hold
  the keys to accounts are not, by that alone, told every contact of every case.
- **Administrators manage, they do not read.** An administrator manages users (global)
  and the members of any case, so a case whose lead has left can be handed on; adding
  themselves to a case is possible but is a ``member.add`` entry in the audit log, in the
  open. They read the whole audit log, which holds ids, digests and names of users but
  never a sensitive field.
- **Viewers read, and only the redacted brief.** A viewer (a manager, a donor's liaison)
  follows a case but never receives the identities of intermediaries or the texts of
  engagements in a brief they might forward.
- **Analysts do the work.** They write records (judgements, engagements, commitments),
  run assessments, decide screening hits and get the full brief.
- **Case leads** are analysts who also choose who else is in their case and read its
  audit trail.
- **A non-admin global role grants nothing by itself.** ``case_lead``, ``analyst`` or
  ``viewer`` as a global role records the user's usual function; every right inside a
  case comes from a membership. ``admin`` is never a membership role.
- **Deny by default.** An action not in a role's row is refused; an unknown action is a
  programming error and raises ``ValueError`` instead of quietly allowing or denying.
"""

from __future__ import annotations

from enum import StrEnum

from backchannel.errors import PermissionDeniedError


class Role(StrEnum):
    """A role: ``admin`` is global only; the other three are held per case."""

    admin = "admin"
    case_lead = "case_lead"
    analyst = "analyst"
    viewer = "viewer"


class Action(StrEnum):
    """Everything the permission table decides on."""

    CASE_READ = "case.read"
    CASE_WRITE = "case.write"
    JUDGEMENT_WRITE = "judgement.write"
    ENGAGEMENT_WRITE = "engagement.write"
    COMMITMENT_WRITE = "commitment.write"
    SCREENING_DECIDE = "screening.decide"
    SCREENING_SHARE = "screening.share"
    ASSESSMENT_RUN = "assessment.run"
    BRIEF_FULL = "brief.full"
    BRIEF_REDACTED = "brief.redacted"
    AUDIT_READ = "audit.read"
    MEMBERS_MANAGE = "members.manage"
    USERS_MANAGE = "users.manage"


#: The roles a user may hold in a case.
MEMBERSHIP_ROLES: frozenset[Role] = frozenset({Role.case_lead, Role.analyst, Role.viewer})

_VIEWER = frozenset({Action.CASE_READ, Action.BRIEF_REDACTED})
_ANALYST = _VIEWER | {
    Action.CASE_WRITE,
    Action.JUDGEMENT_WRITE,
    Action.ENGAGEMENT_WRITE,
    Action.COMMITMENT_WRITE,
    Action.SCREENING_DECIDE,
    Action.ASSESSMENT_RUN,
    Action.BRIEF_FULL,
}
#: Only a case lead may let a decision out of the case's compartment (as a suggestion).
_CASE_LEAD = _ANALYST | {Action.MEMBERS_MANAGE, Action.AUDIT_READ, Action.SCREENING_SHARE}
_ADMIN = frozenset({Action.USERS_MANAGE, Action.MEMBERS_MANAGE, Action.AUDIT_READ})

#: The permission table: what each role allows. ``admin``'s row applies everywhere; the
#: others apply only in a case where the user holds that role.
PERMISSIONS: dict[Role, frozenset[Action]] = {
    Role.admin: _ADMIN,
    Role.case_lead: _CASE_LEAD,
    Role.analyst: _ANALYST,
    Role.viewer: _VIEWER,
}


def _action(action: Action | str) -> Action:
    try:
        return Action(action)
    except ValueError:
        raise ValueError(f"unknown action {action!r}") from None


def allowed(role: Role | str, action: Action | str) -> bool:
    """Whether ``role``'s row of the permission table holds ``action``."""
    return _action(action) in PERMISSIONS[Role(role)]


def permitted(global_role: Role | str, case_role: Role | str | None, action: Action | str) -> bool:
    """Whether a user may do ``action`` in a case.

    ``global_role`` is the user's own role, ``case_role`` their membership role in the case
    (``None`` when they are not a member, or for actions outside any case). An administrator
    gets the administrator's row wherever they are; everyone gets their membership row in
    the case, and nothing else.
    """
    wanted = _action(action)
    if Role(global_role) is Role.admin and wanted in PERMISSIONS[Role.admin]:
        return True
    if case_role is None or Role(case_role) not in MEMBERSHIP_ROLES:
        return False
    return wanted in PERMISSIONS[Role(case_role)]


def require(global_role: Role | str, case_role: Role | str | None, action: Action | str) -> None:
    """Raise ``PermissionDeniedError`` unless ``permitted`` allows ``action``."""
    if not permitted(global_role, case_role, action):
        held = f"role {Role(case_role)}" if case_role else "no role"
        raise PermissionDeniedError(
            f"{_action(action)} is not allowed: you are {Role(global_role)} "
            f"with {held} in this case"
        )
