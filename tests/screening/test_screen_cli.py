"""``backchannel screen``: names, batches, cases and decisions, on the real lists."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from backchannel.casefile import load_case
from backchannel.cli import app
from backchannel.cli.screen import load_screening, read_names
from backchannel.errors import InvalidInputError
from backchannel.screening.case_screening import screen_case
from backchannel.screening.screen import Screening
from backchannel.settings import Settings
from tests.conftest import EXAMPLES, DemoRun, install_indexed_lists, mirror_path

runner = CliRunner()


@pytest.fixture(scope="module")
def lists_env(
    tmp_path_factory: pytest.TempPathFactory, indexed_lists: Path
) -> dict[str, str | None]:
    """A data folder with the lists installed from the mirror (their index built)."""
    data = tmp_path_factory.mktemp("data")
    install_indexed_lists(indexed_lists, data)
    return {"BACKCHANNEL_DATA_DIR": str(data), "BACKCHANNEL_MIRROR": None}


@pytest.fixture(scope="module")
def screening(lists_env: dict[str, str | None]) -> Screening:
    """The lists installed for this module, through their persisted index: read when a
    command has built it already, else built once here."""
    data_dir = lists_env["BACKCHANNEL_DATA_DIR"]
    assert data_dir is not None
    return load_screening(Settings(data_dir=Path(data_dir), mirror=None))


def screen_json(env: dict[str, str | None], *args: str) -> object:
    result = runner.invoke(app, ["screen", *args, "--format", "json"], env=env)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def screen_hits(env: dict[str, str | None], name: str, *options: str) -> list[dict[str, Any]]:
    """The hits of screening one name, as the JSON list the command prints."""
    hits = screen_json(env, name, *options)
    assert isinstance(hits, list), hits
    return hits


def test_al_shabaab_is_found_on_the_un_list_first(lists_env: dict[str, str | None]) -> None:
    hits = screen_json(lists_env, "Harakat al-Shabaab al-Mujahideen")
    assert isinstance(hits, list) and hits
    first = hits[0]
    assert (first["list"], first["name"]) == ("un-sc", "AL-SHABAAB")
    assert set(first) >= {"list", "entity_id", "name", "matched_alias", "score", "explanation"}
    assert first["explanation"]["pairs"]  # which token matched which, by what feature
    assert {"ofac-sdn"} <= {h["list"] for h in hits}


def test_the_saudi_football_club_is_not_a_hit(lists_env: dict[str, str | None]) -> None:
    assert screen_json(lists_env, "Al-Shabab Football Club") == []
    table = runner.invoke(app, ["screen", "Al-Shabab Football Club"], env=lists_env)
    assert "no hit above the match threshold" in table.stdout


def test_a_decision_is_shown_in_later_screenings_of_its_case_only(
    lists_env: dict[str, str | None],
) -> None:
    from tests.conftest import EXAMPLES

    for example in ("somalia-2011.yaml", "colombia-2012.yaml"):
        imported = runner.invoke(app, ["case", "import", str(EXAMPLES / example)], env=lists_env)
        assert imported.exit_code == 0, imported.stderr
    [first, *_] = screen_hits(lists_env, "Harakat al-Shabaab al-Mujahideen")
    hit = ["--list", first["list"], "--entity", first["entity_id"], "--verdict", "true_match"]
    decided = runner.invoke(
        app,
        ["screen", "decide", "HARAKAT AL-SHABAAB AL-MUJAHIDEEN", *hit,
         "--note", "same group, confirmed", "--case", "somalia-2011"],
        env=lists_env,
    )  # fmt: skip
    assert decided.exit_code == 0, decided.stderr
    name = "Harakat al-Shabaab al-Mujahideen"
    [again, *_] = screen_hits(lists_env, name, "--case", "somalia-2011")
    assert again["decision"]["verdict"] == "true_match" and "note" not in again["decision"]
    # a decision belongs to its case: not shown without it, nor in another case
    assert screen_hits(lists_env, name)[0]["decision"] is None
    assert screen_hits(lists_env, name, "--case", "colombia-2012")[0]["decision"] is None
    nowhere = runner.invoke(
        app, ["screen", "decide", name, *hit, "--case", "nowhere"], env=lists_env
    )
    assert nowhere.exit_code == 4 and "belongs to a case" in nowhere.stderr
    bad = runner.invoke(
        app,
        ["screen", "decide", "x", "--list", "un-sc", "--entity", "1", "--verdict", "maybe",
         "--case", "somalia-2011"],
        env=lists_env,
    )  # fmt: skip
    assert bad.exit_code == 3 and "expected one of" in bad.stderr


def test_batch_screens_every_name(lists_env: dict[str, str | None], tmp_path: Path) -> None:
    names = tmp_path / "names.csv"
    names.write_text("name,note\nAl-Shabaab,x\nIslamic Relief Worldwide,y\nFARC-EP,z\n")
    result = screen_json(lists_env, "batch", str(names))
    assert isinstance(result, dict) and list(result) == [
        "Al-Shabaab",
        "Islamic Relief Worldwide",
        "FARC-EP",
    ]
    assert result["Islamic Relief Worldwide"] == []
    assert result["FARC-EP"][0]["name"] == "REVOLUTIONARY ARMED FORCES OF COLOMBIA"


def test_names_files_must_hold_names(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("# nothing\n\n")
    with pytest.raises(InvalidInputError, match="no name to screen"):
        read_names(empty)
    binary = tmp_path / "names.bin"
    binary.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(InvalidInputError, match="cannot read names"):
        read_names(binary)


def test_no_lists_installed_says_how_to_get_them(tmp_path: Path) -> None:
    env = {"BACKCHANNEL_DATA_DIR": str(tmp_path), "BACKCHANNEL_MIRROR": None}
    result = runner.invoke(app, ["screen", "anyone"], env=env)
    assert result.exit_code == 4 and "data pull un-sanctions ofac-sdn" in result.stderr


def test_as_of_sets_apart_entries_listed_later(screening: Screening) -> None:
    now = screening.screen("Hayat Tahrir al-Sham")
    dated = [h for h in now.hits if h.hit.list == "un-sc"]
    assert dated and dated[0].entity.listed_on is not None
    listed = dated[0].entity.listed_on
    before = screening.screen("Hayat Tahrir al-Sham", as_of=listed - dt.timedelta(days=1))
    key = (dated[0].hit.list, dated[0].hit.entity_id)
    assert key in {(h.hit.list, h.hit.entity_id) for h in before.listed_later}
    assert key not in {(h.hit.list, h.hit.entity_id) for h in before.hits}
    # OFAC gives no dates: its entry stays in force, and the note says why.
    assert any(h.hit.list == "ofac-sdn" for h in before.hits)
    assert any("give no listing dates" in n for n in before.notes)


def test_somalia_case_exposure(screening: Screening) -> None:
    case = load_case(EXAMPLES / "somalia-2011.yaml")
    result = screen_case(
        case, screening, activities=["meeting", "training_ihl"], jurisdictions=["US", "UK"]
    )
    shabaab = next(a for a in result.actors if a.actor == "al-shabaab")
    top = {(h.hit.list, h.hit.name) for h in shabaab.hits[:2]}
    assert top == {("un-sc", "AL-SHABAAB"), ("ofac-sdn", "AL-SHABAAB")}
    assert shabaab.exposure is not None
    assert shabaab.exposure.cell("training_ihl", "US").level.value == "prohibited"
    assert result.as_of == dt.date(2012, 2, 29)
    assert "not legal advice" in result.disclaimer.lower()
    document = result.as_dict()
    assert any(entry["snapshot"] for entry in document["lists"]) and document["actors"]


def test_screen_case_command(lists_env: dict[str, str | None]) -> None:
    case = str(EXAMPLES / "colombia-2012.yaml")
    document = screen_json(
        lists_env, "case", case, "--activities", "meeting,training_ihl", "--jurisdiction", "US"
    )
    assert isinstance(document, dict)
    farc = next(a for a in document["actors"] if a["actor"] == "farc")
    assert "FTO" in farc["hits"][0]["programmes"]
    levels = {(c["activity"], c["jurisdiction"]): c["level"] for c in farc["exposure"]["cells"]}
    assert levels[("training_ihl", "US")] == "prohibited"
    bad = runner.invoke(app, ["screen", "case", case, "--activities", "dancing"], env=lists_env)
    assert bad.exit_code == 3 and "dancing" in bad.stderr


@pytest.mark.slow
def test_demo_briefs_carry_a_legal_section(mirror_demo: DemoRun) -> None:
    if mirror_path() is None:
        pytest.skip("no data mirror")
    result = mirror_demo
    assert result.exit_code == 0, result.stderr
    assert "Harakat al-Shabaab al-Mujahideen matches AL-SHABAAB on un-sc" in result.stdout
    brief = (result.output / "colombia-2012.html").read_text()
    start = brief.index('id="legal"')
    section = brief[start : brief.index("</section>", start)]
    assert "REVOLUTIONARY ARMED FORCES OF COLOMBIA" in section and "FTO" in section
    assert "not legal advice" in section.lower()


def test_screening_a_name_imports_only_what_it_needs(lists_env: dict[str, str | None]) -> None:
    """With the index built, ``screen NAME`` reads it without importing the store, the
    data-set code or the other commands (each costs a good part of a second)."""
    screen_json(lists_env, "Al-Shabaab")  # builds the index if no test has yet
    probe = (
        "import sys\n"
        "from backchannel.cli import main\n"
        "sys.argv = ['backchannel', 'screen', 'Al-Shabaab', '--format', 'json']\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as done:\n"
        "    assert not done.code, done.code\n"
        "heavy = ('sqlalchemy', 'backchannel.datasets', 'backchannel.cli.events', 'ibis')\n"
        "print('LOADED', [name for name in heavy if name in sys.modules])\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "BACKCHANNEL_MIRROR"}
    env["BACKCHANNEL_DATA_DIR"] = str(lists_env["BACKCHANNEL_DATA_DIR"])
    done = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "AL-SHABAAB" in done.stdout
    assert "LOADED []" in done.stdout
    assert "index" not in done.stderr  # read, not rebuilt


def test_the_demo_helpers_are_still_reachable_from_the_cli_package() -> None:
    from backchannel.cli import example_case_files

    assert example_case_files()
