"""``backchannel users`` and ``backchannel members``, end to end on real databases."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from backchannel.auth import MEMBERSHIP_ROLES
from backchannel.cli import EXIT_CODES, app, exit_code_for
from backchannel.cli.users import MemberRole
from backchannel.errors import AuthenticationError, LockedOutError, PermissionDeniedError
from tests.test_casefile import GOOD

PASSWORD = "a long enough passphrase"
README = Path(__file__).resolve().parents[1] / "README.md"

runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path, database_url: str) -> dict[str, str]:
    return {
        "BACKCHANNEL_DATA_DIR": str(tmp_path / "data"),
        "BACKCHANNEL_DATABASE_URL": database_url,
        "BACKCHANNEL_USER": "cli-admin",
    }


def run(env: dict[str, str], *args: str, input: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env=env, input=input)
    return result.exit_code, result.stdout, result.stderr


def add(env: dict[str, str], name: str, role: str) -> None:
    code, _, stderr = run(
        env, "users", "add", name, "--role", role, "--password-stdin", input=PASSWORD + "\n"
    )
    assert code == 0, stderr


@pytest.fixture
def case_id(env: dict[str, str], tmp_path: Path) -> str:
    path = tmp_path / "sample.yaml"
    path.write_text(GOOD)
    code, _, stderr = run(env, "case", "import", str(path))
    assert code == 0, stderr
    match = re.search(r"^id: (\S+)$", GOOD, re.MULTILINE)
    assert match
    return match.group(1)


def test_users_add_reads_the_password_from_stdin_and_lists_without_secrets(
    env: dict[str, str],
) -> None:
    code, stdout, _ = run(
        env, "users", "add", "amina", "--role", "analyst", "--password-stdin", input=PASSWORD
    )
    assert (code, stdout.strip()) == (0, "added user amina (analyst)")
    code, stdout, _ = run(env, "users", "list", "--format", "json")
    assert code == 0
    (user,) = json.loads(stdout)
    assert {k: user[k] for k in ("name", "role", "disabled")} == {
        "name": "amina",
        "role": "analyst",
        "disabled": False,
    }
    assert set(user) == {"name", "role", "disabled", "created_at"}
    code, table, _ = run(env, "users", "list")
    assert code == 0 and "amina" in table and "analyst" in table and "active" in table
    for output in (stdout, table):
        assert PASSWORD not in output and "argon2" not in output


def test_users_add_asks_twice_hidden(env: dict[str, str]) -> None:
    code, stdout, stderr = run(
        env, "users", "add", "olu", "--role", "viewer", input=f"{PASSWORD}\n{PASSWORD}\n"
    )
    assert code == 0, stderr
    assert "added user olu (viewer)" in stdout
    assert PASSWORD not in stdout  # hidden input is not echoed


def test_a_short_password_is_refused_with_exit_3(env: dict[str, str]) -> None:
    code, _, stderr = run(
        env, "users", "add", "amina", "--role", "analyst", "--password-stdin", input="short\n"
    )
    assert code == 3
    assert "at password: must be at least 12 characters long" in stderr
    assert run(env, "users", "list", "--format", "json")[1].strip() == "[]"


def test_a_name_taken_already_exits_with_the_conflict_code(env: dict[str, str]) -> None:
    add(env, "amina", "analyst")
    code, _, stderr = run(
        env, "users", "add", "amina", "--role", "viewer", "--password-stdin", input=PASSWORD + "\n"
    )
    assert code == 12, stderr
    assert "a user named 'amina' already exists" in stderr


def test_a_bad_name_is_refused_before_any_password_is_asked(env: dict[str, str]) -> None:
    code, stdout, stderr = run(env, "users", "add", "Amina Smith", "--role", "analyst")
    assert code == 3
    assert "not a valid user name" in stderr and "Password" not in stdout


def test_an_unknown_role_is_a_usage_error(env: dict[str, str]) -> None:
    code, _, _ = run(env, "users", "add", "amina", "--role", "superuser", "--password-stdin")
    assert code == 2


def test_disable_and_reset_password(env: dict[str, str]) -> None:
    add(env, "amina", "analyst")
    code, stdout, _ = run(env, "users", "disable", "amina")
    assert (code, stdout.strip()) == (0, "disabled user amina")
    assert json.loads(run(env, "users", "list", "--format", "json")[1])[0]["disabled"] is True
    assert "disabled" in run(env, "users", "list")[1]
    code, stdout, _ = run(
        env, "users", "reset-password", "amina", "--password-stdin", input="another passphrase\n"
    )
    assert code == 0 and "sessions were ended" in stdout
    assert run(env, "users", "disable", "ghost")[0] == 4
    add(env, "root", "admin")
    code, _, stderr = run(env, "users", "disable", "root")
    assert code != 0 and "last active administrator" in stderr
    assert run(env, "users", "reset-password", "ghost", "--password-stdin", input=PASSWORD)[0] == 4


def test_members_add_list_remove(env: dict[str, str], case_id: str) -> None:
    add(env, "amina", "analyst")
    add(env, "olu", "viewer")
    code, stdout, _ = run(env, "members", "add", case_id, "amina", "--role", "case_lead")
    assert (code, stdout.strip()) == (0, f"amina is case_lead in case {case_id}")
    assert run(env, "members", "add", case_id, "olu", "--role", "viewer")[0] == 0
    code, stdout, _ = run(env, "members", "list", case_id, "--format", "json")
    assert code == 0
    assert json.loads(stdout) == [
        {"user": "amina", "role": "case_lead", "global_role": "analyst", "disabled": False},
        {"user": "olu", "role": "viewer", "global_role": "viewer", "disabled": False},
    ]
    table = run(env, "members", "list", case_id)[1]
    assert "amina" in table and "case_lead" in table
    code, stdout, _ = run(env, "members", "remove", case_id, "olu")
    assert code == 0 and "no longer a member" in stdout
    assert [
        m["user"] for m in json.loads(run(env, "members", "list", case_id, "-f", "json")[1])
    ] == ["amina"]


def test_members_denials(env: dict[str, str], case_id: str) -> None:
    add(env, "amina", "analyst")
    assert run(env, "members", "add", case_id, "amina", "--role", "admin")[0] == 2
    code, _, stderr = run(env, "members", "add", "no-such-case", "amina", "--role", "viewer")
    assert code == 4 and "no case with id 'no-such-case'" in stderr
    code, _, stderr = run(env, "members", "add", case_id, "ghost", "--role", "viewer")
    assert code == 4 and "no user named 'ghost'" in stderr
    assert run(env, "members", "remove", case_id, "amina")[0] == 4
    assert run(env, "members", "list", "no-such-case")[0] == 4


def test_every_change_is_audited_as_the_cli_user_and_the_chain_holds(
    env: dict[str, str], case_id: str
) -> None:
    add(env, "amina", "analyst")
    run(env, "members", "add", case_id, "amina", "--role", "analyst")
    run(env, "members", "remove", case_id, "amina")
    run(env, "users", "reset-password", "amina", "--password-stdin", input="another passphrase")
    run(env, "users", "disable", "amina")
    code, stdout, _ = run(env, "audit", "log", "--format", "json")
    assert code == 0
    entries = [(e["user"], e["action"]) for e in json.loads(stdout)]
    assert entries == [
        ("cli-admin", "keys.establish"),
        ("cli-admin", "case.import"),
        ("cli-admin", "user.add"),
        ("cli-admin", "member.add"),
        ("cli-admin", "member.remove"),
        ("cli-admin", "user.password"),
        ("cli-admin", "user.disable"),
    ]
    assert "argon2" not in stdout and PASSWORD not in stdout
    assert run(env, "audit", "log")[0] == 0  # the table renders the new details too
    code, stdout, _ = run(env, "audit", "verify")
    assert code == 0 and "7 entries verified" in stdout


def test_exit_codes_of_the_new_errors() -> None:
    assert exit_code_for(AuthenticationError("x")) == 8
    assert exit_code_for(LockedOutError("x", retry_after=60)) == 8
    assert exit_code_for(PermissionDeniedError("x")) == 9


def test_readme_documents_every_exit_code() -> None:
    rows = re.findall(r"^\| (\d+) \| (.+) \|$", README.read_text(), re.MULTILINE)
    documented = {int(code) for code, _ in rows}
    assert set(EXIT_CODES.values()) | {0, 2} <= documented


def test_member_roles_of_the_cli_are_the_membership_roles() -> None:
    assert {role.value for role in MemberRole} == {role.value for role in MEMBERSHIP_ROLES}
