"""``backchannel users`` and ``backchannel members``: accounts and case compartments.

Whoever runs these commands can reach the database and its key, so they act as an
administrator; every change is audited under ``BACKCHANNEL_USER``. Passwords are read
hidden (typed twice) or from standard input with ``--password-stdin``; no command prints
a password or a hash.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Annotated, Any

import typer

from backchannel.auth import Role, User, validate_user_name
from backchannel.cli.common import (
    FormatOption,
    OutputFormat,
    load_settings,
    out,
    reported_errors,
    with_store,
)
from backchannel.cli.output import (
    listing,
    print_data,
)

users_app = typer.Typer(
    help="Add, disable and list the users of the web workspace.", no_args_is_help=True
)
members_app = typer.Typer(
    help="Choose who is in a case (its compartment) and with which role.", no_args_is_help=True
)


class MemberRole(StrEnum):
    """The roles a user may hold in a case (``admin`` is global only)."""

    case_lead = "case_lead"
    analyst = "analyst"
    viewer = "viewer"


NameArgument = Annotated[str, typer.Argument(help="User name: 1-64 of a-z, 0-9, '.', '_', '-'.")]
CaseArgument = Annotated[str, typer.Argument(help="Id of the stored case.")]
PasswordStdinOption = Annotated[
    bool,
    typer.Option(
        "--password-stdin",
        help="Read the password from the first line of standard input instead of asking.",
    ),
]


def read_password(from_stdin: bool) -> str:
    """The new password: the first line of standard input, or typed twice, hidden."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    password: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return password


def user_document(user: User) -> dict[str, Any]:
    """A user as JSON: never the hash."""
    return {
        "name": user.name,
        "role": user.role.value,
        "disabled": user.disabled,
        "created_at": user.created_at.isoformat(),
    }


@users_app.command("add")
def users_add(
    name: NameArgument,
    role: Annotated[Role, typer.Option("--role", help="Global role: admin or not.")],
    password_stdin: PasswordStdinOption = False,
) -> None:
    """Create a user (audited). Rights in a case come from `members add`."""
    settings = load_settings()
    with reported_errors():
        validate_user_name(name)  # before asking for a password
        password = read_password(password_stdin)
        user = with_store(settings, lambda store: store.add_user(name, role, password))
    out.print(f"added user {user.name} ({user.role})", highlight=False)


@users_app.command("disable")
def users_disable(name: NameArgument) -> None:
    """Stop a user from logging in and end their sessions (audited)."""
    settings = load_settings()
    with reported_errors():
        with_store(settings, lambda store: store.disable_user(name))
    out.print(f"disabled user {name}", highlight=False)


@users_app.command("reset-password")
def users_reset_password(name: NameArgument, password_stdin: PasswordStdinOption = False) -> None:
    """Give a user a new password and end their sessions (audited)."""
    settings = load_settings()
    password = read_password(password_stdin)
    with reported_errors():
        with_store(settings, lambda store: store.reset_password(name, password))
    out.print(f"new password set for {name}; their sessions were ended", highlight=False)


@users_app.command("list")
def users_list(format: FormatOption = OutputFormat.table) -> None:
    """List the users with their global roles."""
    settings = load_settings()
    with reported_errors():
        users = with_store(settings, lambda store: store.users())
    shown = listing(
        "Users",
        ["name", "role", "status", "created"],
        [
            [
                user.name,
                user.role,
                "disabled" if user.disabled else "active",
                f"{user.created_at:%Y-%m-%d %H:%M}",
            ]
            for user in users
        ],
    )
    print_data(shown, format, document=[user_document(user) for user in users])


@members_app.command("add")
def members_add(
    case_id: CaseArgument,
    user: Annotated[str, typer.Argument(help="User name.")],
    role: Annotated[MemberRole, typer.Option("--role", help="Role in this case.")],
) -> None:
    """Give a user a role in a case, or change it (audited)."""
    settings = load_settings()
    with reported_errors():
        with_store(settings, lambda store: store.add_member(case_id, user, Role(role.value)))
    out.print(f"{user} is {role.value} in case {case_id}", highlight=False)


@members_app.command("remove")
def members_remove(
    case_id: CaseArgument, user: Annotated[str, typer.Argument(help="User name.")]
) -> None:
    """Take a user out of a case (audited)."""
    settings = load_settings()
    with reported_errors():
        with_store(settings, lambda store: store.remove_member(case_id, user))
    out.print(f"{user} is no longer a member of case {case_id}", highlight=False)


@members_app.command("list")
def members_list(case_id: CaseArgument, format: FormatOption = OutputFormat.table) -> None:
    """List the members of a case with their roles."""
    settings = load_settings()
    with reported_errors():
        members = with_store(settings, lambda store: store.members(case_id))
    document = [
        {
            "user": user.name,
            "role": role.value,
            "global_role": user.role.value,
            "disabled": user.disabled,
        }
        for user, role in members
    ]
    shown = listing(
        f"Members of {case_id}",
        ["user", "role in case", "status"],
        [[user.name, role, "disabled" if user.disabled else "active"] for user, role in members],
    )
    print_data(shown, format, document=document)
