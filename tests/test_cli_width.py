"""The command line's tables at 80 columns, and the same rows as JSON and CSV."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from backchannel.cli import app
from backchannel.cli.output import Column, Listing, column_widths, csv_text, render_table
from tests.conftest import EXAMPLES, install_indexed_lists

runner = CliRunner()


@pytest.fixture
def narrow_console(monkeypatch: pytest.MonkeyPatch, wide_cli_console: None) -> None:
    """The command line's consoles 80 columns wide, as a terminal of 80 columns would be."""
    from backchannel.cli import common

    monkeypatch.setattr(common.out, "width", 80)
    monkeypatch.setattr(common.err, "width", 80)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory, indexed_lists: Path) -> Path:
    """A data folder with the designation lists (their index built) and EWP installed from
    the mirror."""
    from tests.conftest import mirror_path

    root = tmp_path_factory.mktemp("width-data")
    install_indexed_lists(indexed_lists, root)
    pulled = runner.invoke(
        app,
        ["data", "pull", "ewp", "--mirror", str(mirror_path())],
        env={"BACKCHANNEL_DATA_DIR": str(root)},
    )
    assert pulled.exit_code == 0, pulled.stderr
    return root


def invoke(data_dir: Path, *args: str) -> str:
    result = runner.invoke(
        app, list(args), env={"BACKCHANNEL_DATA_DIR": str(data_dir), "BACKCHANNEL_MIRROR": None}
    )
    assert result.exit_code == 0, result.stderr
    return result.stdout


def assert_reads_at_80(text: str, header_words: list[str]) -> None:
    """No line past 80 characters, and every header word whole on a header line."""
    too_long = [line for line in text.splitlines() if len(line) > 80]
    assert not too_long, "\n".join(too_long)
    header_lines = [line for line in text.splitlines() if line.startswith("┃")]
    assert header_lines, text
    tokens = {word for line in header_lines for word in line.replace("┃", " ").split()}
    missing = [word for word in header_words if word not in tokens]
    assert not missing, f"header words split or absent: {missing}\n{text}"


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


# --------------------------------------------------------------------------- layout


def test_columns_keep_header_words_whole_and_fit_the_width() -> None:
    columns = (
        Column("case"),
        Column("structural_risk", "structural risk"),
        Column("event_signals", "event signals"),
        Column("stage"),
        Column("status"),
    )
    cells = [
        ["central-african-republic-2013", "2.1% (rank 50, 2011)", "9 alerts", "ongoing", "hold"],
        ["colombia-2012", "2.1% (rank 52, 2011)", "not covered (sample)", "elevated", "hold"],
    ]
    widths = column_widths(columns, cells, 80)
    assert widths is not None
    assert sum(widths) + 3 * len(widths) + 1 <= 80
    assert widths[0] == len("central-african-republic-2013")  # the identifier is not cut
    for width, column in zip(widths, columns, strict=True):
        assert width >= max(len(word) for word in column.title.split())
    # a table whose cells fit on one line keeps its natural widths
    assert column_widths(columns[:2], [["a", "b"]], 80) is None


def test_wide_columns_only_with_wide() -> None:
    shown = Listing(
        "Data sets",
        (Column("id"), Column("source", wide=True)),
        [["ewp", "mirror:/data"]],
    )
    assert [c.header for c in render_table(shown, width=80).columns] == ["id"]
    assert [c.header for c in render_table(shown, wide=True, width=80).columns] == ["id", "source"]


def test_csv_defuses_formulas_and_keeps_numbers() -> None:
    shown = Listing(
        "names", (Column("name"), Column("hits"), Column("change")), [["=cmd()", 0, -3]]
    )
    rows = list(csv.reader(io.StringIO(csv_text([shown]))))
    assert rows == [["name", "hits", "change"], ["'=cmd()", "0", "-3"]]
    several = csv_text([Listing("a", (Column("x"),), [[1]], "first"), shown])
    header = next(csv.reader(io.StringIO(several)))
    assert header == ["table", "x", "name", "hits", "change"]


def test_a_row_of_the_wrong_length_names_the_table_and_row() -> None:
    with pytest.raises(ValueError, match=r"table 'Cases', row 2: 1 cells for 2 columns"):
        Listing("Cases", (Column("id"), Column("title")), [["a", "b"], ["c"]])


# --------------------------------------------------------------------------- commands


@pytest.mark.usefixtures("narrow_console")
def test_data_list_at_80_columns_json_and_csv(data_dir: Path) -> None:
    table = invoke(data_dir, "data", "list")
    assert_reads_at_80(table, ["id", "status", "published", "age", "freshness"])
    assert "ewp" in table and "mirror:" in table  # the source below the table
    documents = json.loads(invoke(data_dir, "data", "list", "--format", "json"))
    rows = csv_rows(invoke(data_dir, "data", "list", "--format", "csv"))
    assert [row["id"] for row in rows] == [d["id"] for d in documents]
    assert set(rows[0]) >= {"id", "version", "status", "published", "age", "freshness", "source"}
    by_id = {row["id"]: row for row in rows}
    assert by_id["ewp"]["version"] == next(d["version"] for d in documents if d["id"] == "ewp")
    wide = invoke(data_dir, "data", "list", "--wide")
    assert "version" in wide and "countries" in wide


@pytest.mark.usefixtures("narrow_console")
def test_screen_case_at_80_columns_json_and_csv(data_dir: Path) -> None:
    case = str(EXAMPLES / "colombia-2012.yaml")
    table = invoke(data_dir, "screen", "case", case)
    assert_reads_at_80(table, ["list", "entry", "score", "decision", "jurisdiction", "obtain"])
    document = json.loads(invoke(data_dir, "screen", "case", case, "--format", "json"))
    rows = csv_rows(invoke(data_dir, "screen", "case", case, "--format", "csv"))
    hits = [row for row in rows if row["table"] == "hits"]
    assert hits and len(hits) == sum(len(actor["hits"]) for actor in document["actors"])
    assert {row["actor"] for row in hits} <= {actor["name"] for actor in document["actors"]}
    assert all(row["score"] for row in hits)


@pytest.mark.usefixtures("narrow_console")
def test_screen_name_and_batch_at_80_columns(data_dir: Path, tmp_path: Path) -> None:
    table = invoke(data_dir, "screen", "Al-Shabaab")
    assert_reads_at_80(table, ["list", "entry", "score", "listed", "decision"])
    hits = json.loads(invoke(data_dir, "screen", "Al-Shabaab", "--format", "json"))
    rows = csv_rows(invoke(data_dir, "screen", "Al-Shabaab", "--format", "csv"))
    assert len(rows) == len(hits) > 0
    assert [row["list"] for row in rows] == [hit["list"] for hit in hits]

    names = tmp_path / "names.txt"
    names.write_text('Al-Shabaab\nMichel Djotodia\n=HYPERLINK("x")\n')
    table = invoke(data_dir, "screen", "batch", str(names))
    assert_reads_at_80(table, ["name", "hits", "best", "hit", "score", "decision"])
    document = json.loads(invoke(data_dir, "screen", "batch", str(names), "--format", "json"))
    rows = csv_rows(invoke(data_dir, "screen", "batch", str(names), "--format", "csv"))
    assert [row["name"] for row in rows[:2]] == list(document)[:2]
    assert rows[2]["name"] == '\'=HYPERLINK("x")'  # a spreadsheet shows it, never runs it
    assert [int(row["hits"]) for row in rows] == [len(hits) for hits in document.values()]


@pytest.mark.usefixtures("narrow_console")
def test_assess_and_actors_analyse_at_80_columns(data_dir: Path) -> None:
    case = str(EXAMPLES / "somalia-2011.yaml")
    table = invoke(data_dir, "assess", case)
    assert_reads_at_80(table, ["rule", "stage", "factor", "condition", "risk", "level"])
    document = json.loads(invoke(data_dir, "assess", case, "--format", "json"))
    rows = csv_rows(invoke(data_dir, "assess", case, "--format", "csv"))
    # the JSON keeps its keys; the CSV has one row per reason, factor and risk in it
    for name, key in (("reasons", "reasons"), ("factors", "factors"), ("risks", "risks")):
        assert sum(row["table"] == name for row in rows) == len(document[key]) > 0, name

    table = invoke(data_dir, "actors", "analyse", case)
    assert_reads_at_80(table, ["entry", "counterpart", "reach", "why", "actor", "score"])
    analysis = json.loads(invoke(data_dir, "actors", "analyse", case, "--format", "json"))
    rows = csv_rows(invoke(data_dir, "actors", "analyse", case, "--format", "csv"))
    for name in ("entry_points", "brokers", "spoilers", "cohesion", "influence"):
        assert sum(row["table"] == name for row in rows) == len(analysis[name]), name


@pytest.mark.usefixtures("narrow_console")
def test_case_list_at_80_columns(tmp_path: Path) -> None:
    env = {"BACKCHANNEL_DATA_DIR": str(tmp_path / "data"), "BACKCHANNEL_USER": "width"}
    files = [str(path) for path in sorted(EXAMPLES.glob("*.yaml"))]
    assert runner.invoke(app, ["case", "import", *files], env=env).exit_code == 0
    table = runner.invoke(app, ["case", "list"], env=env).stdout
    assert_reads_at_80(table, ["id", "title", "country", "revision", "updated"])
    documents = json.loads(runner.invoke(app, ["case", "list", "-f", "json"], env=env).stdout)
    rows = csv_rows(runner.invoke(app, ["case", "list", "-f", "csv"], env=env).stdout)
    assert [row["id"] for row in rows] == [d["id"] for d in documents]
    assert [row["title"] for row in rows] == [d["title"] for d in documents]


@pytest.mark.usefixtures("narrow_console")
def test_demo_summary_at_80_columns_json_and_csv(tmp_path: Path) -> None:
    env: dict[str, Any] = {
        "BACKCHANNEL_DATA_DIR": str(tmp_path / "data"),
        "BACKCHANNEL_MIRROR": None,
    }
    table = runner.invoke(app, ["demo", "-o", str(tmp_path / "a"), "--no-pdf"], env=env)
    assert table.exit_code == 0, table.stderr
    assert_reads_at_80(table.stdout, ["case", "structural", "risk", "event", "signals", "stage"])
    as_csv = runner.invoke(
        app, ["demo", "-o", str(tmp_path / "b"), "--no-pdf", "-f", "csv"], env=env
    )
    assert as_csv.exit_code == 0, as_csv.stderr
    rows = csv_rows(as_csv.stdout)
    assert [row["case"] for row in rows] == [path.stem for path in sorted(EXAMPLES.glob("*.yaml"))]
    assert "briefs written" in as_csv.stderr and "briefs written" not in as_csv.stdout
    as_json = runner.invoke(
        app, ["demo", "-o", str(tmp_path / "c"), "--no-pdf", "-f", "json"], env=env
    )
    records = json.loads(as_json.stdout)
    assert [{k: str(v) for k, v in record.items()} for record in records] == rows
