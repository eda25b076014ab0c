"""The command line, end to end on real files and real databases."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from backchannel.cli import app
from tests.conftest import DemoRun
from tests.store.test_audit import tamper
from tests.test_casefile import GOOD

runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path, database_url: str) -> dict[str, str]:
    return {
        "BACKCHANNEL_DATA_DIR": str(tmp_path / "data"),
        "BACKCHANNEL_DATABASE_URL": database_url,
        "BACKCHANNEL_USER": "cli-tester",
        "BACKCHANNEL_SECRET_KEY": "",
    }


@pytest.fixture
def good_file(tmp_path: Path) -> Path:
    path = tmp_path / "sample.yaml"
    path.write_text(GOOD)
    return path


def run(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    clean = {k: v for k, v in env.items() if v}
    result = runner.invoke(app, list(args), env=clean)
    return result.exit_code, result.stdout, result.stderr


def test_validate_reports_place_and_exit_code(tmp_path: Path, good_file: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(GOOD.replace("    target: group-b\n", "    target: ghost\n"))
    assert runner.invoke(app, ["case", "validate", str(good_file)]).exit_code == 0
    result = runner.invoke(app, ["case", "validate", str(good_file), str(bad)])
    assert result.exit_code == 3
    assert f"{bad}:22: at relations[0].target" in result.stderr
    as_json = runner.invoke(app, ["case", "validate", str(bad), "--format", "json"])
    problems = json.loads(as_json.stdout)[0]["problems"]
    assert problems == [
        {
            "line": 22,
            "location": "relations[0].target",
            "message": "'ghost' is not the id of any actor in this case",
        }
    ]


def test_import_list_export_round_trip(
    env: dict[str, str], good_file: Path, tmp_path: Path
) -> None:
    code, stdout, _ = run(env, "case", "import", str(good_file))
    assert code == 0 and "stored case sample" in stdout
    code, stdout, _ = run(env, "case", "list", "--format", "json")
    listed = json.loads(stdout)
    assert [(c["id"], c["counts"]["actors"], c["updated_by"]) for c in listed] == [
        ("sample", 2, "cli-tester")
    ]
    exported = tmp_path / "exported.yaml"
    code, _, _ = run(env, "case", "export", "sample", "-o", str(exported))
    assert code == 0
    code, stdout, _ = run(env, "case", "import", str(exported))
    assert "unchanged case sample" in stdout


def test_failed_import_changes_nothing(
    env: dict[str, str], good_file: Path, tmp_path: Path
) -> None:
    run(env, "case", "import", str(good_file))
    second = tmp_path / "second.yaml"
    second.write_text(GOOD.replace("id: sample", "id: other", 1))
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        GOOD.replace("id: sample", "id: third", 1).replace("kind: fights", "kind: shooting")
    )
    code, _, stderr = run(env, "case", "import", str(second), str(broken))
    assert code == 3 and "broken.yaml:23: at relations[0].kind" in stderr
    _, stdout, _ = run(env, "case", "list", "--format", "json")
    assert [c["id"] for c in json.loads(stdout)] == ["sample"]


def test_export_of_unknown_case_exits_4(env: dict[str, str]) -> None:
    code, _, stderr = run(env, "case", "export", "nothing-here")
    assert code == 4 and "no case with id 'nothing-here'" in stderr


def test_audit_verify_names_the_edited_record(env: dict[str, str], good_file: Path) -> None:
    run(env, "case", "import", str(good_file))
    second = good_file.with_name("second.yaml")
    second.write_text(GOOD.replace("id: sample", "id: second", 1))
    run(env, "case", "import", str(second))
    code, stdout, _ = run(env, "audit", "verify")
    assert code == 0 and "3 entries verified" in stdout
    assert "every case matches its last audited change" in stdout

    from backchannel.store.db import make_engine

    engine = make_engine(env["BACKCHANNEL_DATABASE_URL"])
    # a direct edit of a case row: the chain holds, the content check names the record
    with engine.begin() as connection:
        connection.execute(text("UPDATE case_actors SET kind = 'militia' WHERE case_id = 'second'"))
    code, _, stderr = run(env, "audit", "verify")
    assert code == 5 and "content altered" in stderr and "case 'second'" in stderr
    assert "kind column says 'militia'" in stderr
    code, stdout, _ = run(env, "audit", "verify", "--format", "json")
    problems = json.loads(stdout)["content_problems"]
    assert [p["case"] for p in problems] == ["second"]

    tamper(engine, ["UPDATE audit_log SET user_name = 'mallory' WHERE seq = 2"])
    engine.dispose()
    code, _, stderr = run(env, "audit", "verify")
    assert code == 5 and "broken at entry 2" in stderr and "altered" in stderr
    code, stdout, _ = run(env, "audit", "verify", "--format", "json")
    assert json.loads(stdout)["first_bad_entry"] == 2


def test_keys_backup_writes_a_private_ring(env: dict[str, str], good_file: Path) -> None:
    run(env, "case", "import", str(good_file))
    target = good_file.with_name("ring-backup.json")
    code, stdout, _ = run(env, "keys", "backup", str(target))
    assert code == 0 and "mode 0600" in stdout
    assert target.stat().st_mode & 0o777 == 0o600
    assert set(json.loads(target.read_text())) >= {"keys", "audit_key"}
    code, _, stderr = run(env, "keys", "backup", str(target))
    assert code != 0 and "exists already" in stderr


def test_keys_rotate_keeps_cases_readable(env: dict[str, str], good_file: Path) -> None:
    run(env, "case", "import", str(good_file))
    code, stdout, _ = run(env, "keys", "rotate")
    assert code == 0 and "re-encrypted" in stdout
    code, stdout, _ = run(env, "case", "export", "sample")
    assert code == 0 and "fragmented command" in stdout


def test_bad_secret_key_is_a_configuration_error(env: dict[str, str], good_file: Path) -> None:
    code, _, stderr = run(
        {**env, "BACKCHANNEL_SECRET_KEY": "abc"}, "case", "import", str(good_file)
    )
    assert code == 7 and "BACKCHANNEL_SECRET_KEY" in stderr


def test_schema_is_json_schema() -> None:
    result = runner.invoke(app, ["schema"])
    document = json.loads(result.stdout)
    assert document["$schema"].endswith("2020-12/schema")
    assert set(document["required"]) >= {"id", "context"}


@pytest.fixture(scope="module")
def offline_demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The demo run once with no data installed and no mirror: packaged content only."""
    root = tmp_path_factory.mktemp("offline-demo")
    env = {"BACKCHANNEL_DATA_DIR": str(root / "data"), "BACKCHANNEL_MIRROR": None}
    result = runner.invoke(app, ["demo", "--output", str(root / "out"), "--no-pdf"], env=env)
    assert result.exit_code == 0, result.stderr
    return root / "out", result.stdout


@pytest.mark.slow
def test_demo_writes_full_and_redacted_briefs_per_example(
    mirror_demo: DemoRun, example_cases: list[object]
) -> None:
    output, result = mirror_demo.output, mirror_demo
    assert result.exit_code == 0, result.stderr
    for suffix in (".html", ".pdf"):
        full = [p for p in output.glob(f"*{suffix}") if not p.stem.endswith("-redacted")]
        redacted = sorted(output.glob(f"*-redacted{suffix}"))
        assert len(full) == len(redacted) == len(example_cases) == 3, suffix
    assert all(p.read_bytes().startswith(b"%PDF-") for p in output.glob("*.pdf"))
    assert "audit log: 4 entries, intact" in result.stdout
    # every example leads with its status; Somalia holds for its stated reasons
    assert "Hold: two commitments broken without remedy (an exit criterion)" in result.stdout
    assert result.stdout.count("kind of dialogue: ") == 3
    assert "Talk now" not in result.stdout


def test_installed_script_and_help() -> None:
    script = Path(sys.executable).with_name("backchannel")
    result = subprocess.run([script, "--help"], capture_output=True, text=True, check=False)
    assert result.returncode == 0
    for command in ("demo", "schema", "case", "data", "audit", "keys"):
        assert command in result.stdout
    usage = subprocess.run([script, "case", "frobnicate"], capture_output=True, check=False)
    assert usage.returncode == 2


def test_audit_log_lists_changes(env: dict[str, str], good_file: Path) -> None:
    run(env, "case", "import", str(good_file))
    code, stdout, _ = run(env, "audit", "log", "--format", "json")
    assert code == 0
    first, entry = json.loads(stdout)
    assert first["action"] == "keys.establish"
    assert (entry["entry"], entry["user"], entry["action"], entry["case"]) == (
        2,
        "cli-tester",
        "case.import",
        "sample",
    )
    # records are named by opaque keyed ids: the log holds no case text
    added = entry["detail"]["added"]["actors"]
    assert len(added) == 2 and all(len(ref) == 64 for ref in added)
    assert "group-a" not in stdout
    _code, stdout, _ = run(env, "audit", "log", "--case", "other", "--format", "json")
    assert json.loads(stdout) == []


def test_data_pull_from_mirror_then_list(tmp_path: Path, mirror: Path) -> None:
    env = {"BACKCHANNEL_DATA_DIR": str(tmp_path / "data")}
    result = runner.invoke(app, ["data", "pull", "--mirror", str(mirror)], env=env)
    assert result.exit_code == 0, result.stderr
    assert "installed ewp" in result.stdout
    listed = json.loads(runner.invoke(app, ["data", "list", "--format", "json"], env=env).stdout)
    by_id = {entry["id"]: entry for entry in listed}
    # the monthly candidate release is not in the mirror, and ACLED never is
    optional = {"ucdp-ged-candidate", "acled"}
    assert all(entry["installed"] for entry in listed if entry["id"] not in optional)
    assert by_id["ewp"]["status"] == "verified" and by_id["ewp"]["version"]
    ged = by_id["ucdp-ged"]
    assert ged["status"] == "layout-checked"
    assert ged["coverage"]["year_min"] == 1989 and ged["coverage"]["year_max"] == 2022
    table = runner.invoke(app, ["data", "list"], env=env).stdout
    assert "ucdp-ged" in table and "layout" in table and "STALE" in table
    assert f"ucdp-ged: {ged['source']}" in table  # where the copy came from, below


def test_data_pull_offline_fails_with_advice(tmp_path: Path) -> None:
    # How fast it gives up is measured by benchmarks/fail_fast.py, not asserted here.
    env = {
        "BACKCHANNEL_DATA_DIR": str(tmp_path / "data"),
        "BACKCHANNEL_DOWNLOAD_TIMEOUT": "3",
        "BACKCHANNEL_MIRROR": None,
    }
    result = runner.invoke(app, ["data", "pull", "ewp"], env=env)
    assert result.exit_code == 6
    assert "--mirror" in result.stderr


def test_data_pull_unknown_id_exits_4(tmp_path: Path) -> None:
    env = {"BACKCHANNEL_DATA_DIR": str(tmp_path / "data")}
    result = runner.invoke(app, ["data", "pull", "no-such-set"], env=env)
    assert result.exit_code == 4 and "ewp" in result.stderr


def test_delete_is_confirmed_and_audited(env: dict[str, str], good_file: Path) -> None:
    run(env, "case", "import", str(good_file))
    refused = runner.invoke(app, ["case", "delete", "sample"], env=env, input="n\n")
    assert refused.exit_code == 1
    code, stdout, _ = run(env, "case", "delete", "sample", "--yes")
    assert code == 0 and "deleted case sample" in stdout
    _, stdout, _ = run(env, "audit", "log", "--format", "json")
    assert [e["action"] for e in json.loads(stdout)] == [
        "keys.establish",
        "case.import",
        "case.delete",
    ]
    code, _, _ = run(env, "case", "delete", "sample", "--yes")
    assert code == 4


@pytest.mark.slow
def test_demo_shows_event_signals_when_ged_is_installed(
    tmp_path: Path, mirror: Path, offline_demo: tuple[Path, str]
) -> None:
    data = {"BACKCHANNEL_DATA_DIR": str(tmp_path / "data"), "BACKCHANNEL_MIRROR": None}
    output, stdout = offline_demo
    assert "data pull ucdp-ged" in stdout
    car_brief = (output / "central-african-republic-2013.html").read_text()
    assert "No event data is installed" in car_brief

    runner.invoke(app, ["data", "pull", "ucdp-ged", "--mirror", str(mirror)], env=data)
    with_data = runner.invoke(app, ["demo", "--output", str(tmp_path / "b"), "--no-pdf"], env=data)
    assert with_data.exit_code == 0, with_data.stderr
    car_brief = (tmp_path / "b" / "central-african-republic-2013.html").read_text()
    assert 'id="event-signals"' in car_brief and "commitment violation" in car_brief
    assert "ged:" in car_brief  # event ids as evidence


def test_demo_briefs_show_the_risk_stage(offline_demo: tuple[Path, str]) -> None:
    output, _ = offline_demo
    assert not list(output.glob("*.pdf")), "--no-pdf writes HTML only"
    brief = (output / "somalia-2011.html").read_text()
    assert 'id="risk-stage"' in brief and "no adequate data" in brief
    # without event data: the analysts' severe judgement on threats to humanitarians during
    # an armed conflict (UN Framework factors 14 and 1) places the case at imminent
    assert "Atrocity risk stage: imminent" in brief
    assert "framework-specific-factor-severe" in brief or "crime-specific" in brief
