"""The leak check: every redacted output of every example passes it, and it fails closed.

Each example's redacted brief (HTML, JSON and PDF) and redacted actor-map exports (all four
formats, and the offline map page) are written the way users get them and read back. Then
sensitive forms are slipped into real rendered outputs (accent-folded, partial, in an
address, in an attribute, escaped in JSON, in XML) and every one must be refused, with
nothing written.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from backchannel.actors.exchange import MapFormat, export_case
from backchannel.casefile import load_case
from backchannel.cli import app
from backchannel.cli.brief_inputs import write_briefs
from backchannel.errors import RedactionLeakError
from backchannel.model.case import Actor, Case
from backchannel.redaction import Disclosure, check_output, find_leaks, pieces_of
from backchannel.reports.actor_map_page import write_map_viewer
from backchannel.reports.brief_output import brief_bytes, pdf_text
from backchannel.reports.case_analysis import CaseAnalysis, analyse_for_brief
from tests.conftest import EXAMPLES, DemoRun

EXAMPLE_FILES = sorted(EXAMPLES.glob("*.yaml"))
CAR = EXAMPLES / "central-african-republic-2013.yaml"
runner = CliRunner()
_ID_EDGE = r"(?<![\w-]){}(?![\w-])"


@pytest.fixture(scope="module", params=EXAMPLE_FILES, ids=[p.stem for p in EXAMPLE_FILES])
def analysed(request: pytest.FixtureRequest) -> CaseAnalysis:
    return analyse_for_brief(load_case(request.param))


def _assert_holds_nothing_sensitive(case: Case, text: str) -> None:
    """An independent reading: no masked name or alias, id or address, as written."""
    shown = Disclosure.of(case)
    for actor_id in shown.masked:
        actor = case.actor(actor_id)
        for name in (actor.name, *actor.aliases):
            assert name not in text, name
    for collection in ("actors", "relations", "engagements", "commitments", "judgements"):
        for record in getattr(case, collection):
            if record.id not in shown.exempt_ids:
                assert not re.search(_ID_EDGE.format(re.escape(record.id)), text), record.id
    for source in case.sources:
        if source.url:
            assert source.url not in text


# ------------------------------------------------------------------ every example passes


@pytest.mark.slow
def test_every_redacted_brief_passes_its_check_and_says_nothing_sensitive(
    analysed: CaseAnalysis, tmp_path: Path
) -> None:
    case = load_case(EXAMPLES / f"{analysed.case.id}.yaml")
    paths = [tmp_path / f"brief{suffix}" for suffix in (".html", ".json", ".pdf")]
    for path in write_briefs(analysed, paths, redacted=True):
        suffix = path.suffix
        data = path.read_bytes()
        if suffix == ".pdf":
            assert data.startswith(b"%PDF-")
            text = pdf_text(data)
            if text is None:
                continue  # checked through its HTML; poppler reads it where installed
        else:
            text = data.decode("utf-8")
        if suffix == ".json":
            text = json.dumps(json.loads(text), ensure_ascii=False)
        _assert_holds_nothing_sensitive(case, re.sub(r"[A-Za-z0-9+/=]{200,}", "", text))
        kind = {".html": "html", ".json": "json", ".pdf": "text"}[suffix]
        assert find_leaks(analysed.disclosure, pieces_of(text, kind)) == []


def test_every_redacted_export_passes_its_check(analysed: CaseAnalysis, tmp_path: Path) -> None:
    case = load_case(EXAMPLES / f"{analysed.case.id}.yaml")
    shown = Disclosure.of(case)
    for fmt, kind in (
        (MapFormat.GRAPHML, "xml"),
        (MapFormat.GEXF, "xml"),
        (MapFormat.JSON, "json"),
        (MapFormat.CSV, "csv"),
    ):
        text = export_case(case, fmt)
        readable = json.dumps(json.loads(text), ensure_ascii=False) if kind == "json" else text
        _assert_holds_nothing_sensitive(case, readable)
        assert find_leaks(shown, pieces_of(text, kind)) == []
    index = write_map_viewer(case, tmp_path / "map", redacted=True)
    _assert_holds_nothing_sensitive(case, index.read_text("utf-8"))


def test_the_actors_export_command_writes_a_checked_redacted_file(tmp_path: Path) -> None:
    output = tmp_path / "car.csv"
    result = runner.invoke(app, ["actors", "export", str(CAR), "--to", "csv", "-o", str(output)])
    assert result.exit_code == 0, result.stderr
    assert "redacted" in result.stderr
    _assert_holds_nothing_sensitive(load_case(CAR), output.read_text("utf-8"))


# ------------------------------------------------------------------ it fails closed


@pytest.fixture(scope="module")
def car() -> CaseAnalysis:
    return analyse_for_brief(load_case(CAR))


@pytest.fixture(scope="module")
def car_html(car: CaseAnalysis) -> str:
    return brief_bytes(car, "html", redacted=True).decode("utf-8")


INJECTIONS = [
    ("<p>Thanks to Nzapalainga.</p>", "Nzapalainga", "the text of <p>"),
    ("<p>Mgr NZAPALAÏNGA spoke.</p>", "NZAPALAÏNGA", "the text of <p>"),
    ("<p>Guerekoyamene was there</p>", "Guerekoyamene", "the text of <p>"),
    ("<li>Layama</li>", "Layama", "the text of <li>"),
    ('<a href="https://archive.santegidio.org/x">a source</a>', "santegidio", "href"),
    ('<span data-who="Sant-Egidio">x</span>', "Sant-Egidio", "data-who"),
    ('<img alt="Communauté de Sant&#39;Egidio" src="x.png">', "Sant'Egidio", "alt"),
    ("<!-- interfaith-platform -->", "interfaith-platform", "comment"),
    ("<p>see r-eccas-negotiates-antibalaka</p>", "r-eccas-negotiates-antibalaka", "<p>"),
    ("<p>https://www.kaiciid.org/node/6911</p>", "https://www.kaiciid.org/node/6911", "<p>"),
]


@pytest.mark.parametrize(("snippet", "form", "where"), INJECTIONS)
def test_a_form_slipped_into_a_rendered_brief_is_refused_and_named(
    car: CaseAnalysis, car_html: str, snippet: str, form: str, where: str
) -> None:
    check_output(car.disclosure, "brief", car_html, "html")  # the real brief passes
    tampered = car_html.replace("</footer>", snippet + "</footer>")
    with pytest.raises(RedactionLeakError) as caught:
        check_output(car.disclosure, "brief", tampered, "html")
    assert any(form in leak.found and where in leak.where for leak in caught.value.leaks), [
        (leak.found, leak.where) for leak in caught.value.leaks
    ]
    assert form in caught.value.message
    # what a viewer is told names the masked actor's label and where, never the form
    assert form not in caught.value.withheld_message
    assert "refused to write brief" in caught.value.message


def test_escaped_forms_in_json_xml_and_csv_are_refused(car: CaseAnalysis) -> None:
    shown = car.disclosure
    cases = [
        (json.dumps({"note": "Dieudonn\u00e9 Nzapalainga"}, ensure_ascii=True), "json"),
        ('<graph><node id="n1" label="Sant&apos;Egidio"/></graph>', "xml"),
        ("<graph><data>Kobine Layama</data></graph>", "xml"),
        ("id,name\nx,PCRC\n", "csv"),
    ]
    for text, kind in cases:
        with pytest.raises(RedactionLeakError):
            check_output(shown, "export", text, kind)


def test_pictures_are_not_read_as_text(car: CaseAnalysis) -> None:
    # base64 may spell anything by chance; it is a picture, not a name
    picture = "iVBORw0KGgo" + "A" * 300 + "icrcNzapalaingaPCRC" + "B" * 300
    html = f'<img src="data:image/png;base64,{picture}"><p>fine</p>'
    assert check_output(car.disclosure, "page", html, "html") == html
    document = json.dumps({"map_png_base64": picture})
    assert check_output(car.disclosure, "json", document, "json") == document


def _with_actor(path: Path, actor: Actor, into: Path) -> Path:
    """A copy of the case file at ``path`` with one more actor, written to ``into``."""
    text = path.read_text("utf-8")
    entry = (
        f"  - id: {actor.id}\n    name: {json.dumps(actor.name)}\n"
        f"    aliases: {json.dumps(actor.aliases)}\n    kind: {actor.kind.value}\n"
    )
    into.write_text(text.replace("\nactors:\n", "\nactors:\n" + entry, 1), "utf-8")
    assert load_case(into).actor(actor.id)
    return into


@pytest.mark.slow
def test_the_assess_command_writes_no_brief_that_would_leak(tmp_path: Path) -> None:
    # An intermediary known by the acronym the brief's own text cites for its data: the
    # masking cannot reach the template's words, so the check finds it there and refuses.
    liaison = Actor(
        id="museum-liaison", name="Museum liaison", aliases=["USHMM"], kind="intermediary"
    )
    case_file = _with_actor(CAR, liaison, tmp_path / "car.yaml")
    for suffix in (".html", ".pdf"):
        brief = tmp_path / f"out{suffix}"
        result = runner.invoke(app, ["assess", str(case_file), "--brief", str(brief), "--redacted"])
        assert result.exit_code == 13, result.stdout
        assert "refused to write brief" in result.stderr and "'USHMM'" in result.stderr
        assert "Intermediary" in result.stderr
        assert not brief.exists()
        assert not list(tmp_path.glob(f".out{suffix}*")), "no partial file is left behind"
    # the full brief is for the need-to-know circle and is written as ever
    full = tmp_path / "full.html"
    assert runner.invoke(app, ["assess", str(case_file), "--brief", str(full)]).exit_code == 0
    assert "USHMM" in full.read_text("utf-8")


def test_briefs_asked_for_together_are_all_refused_when_one_would_leak(tmp_path: Path) -> None:
    """The demo writes a case's HTML and PDF from one rendering: a leak refuses both."""
    liaison = Actor(
        id="museum-liaison", name="Museum liaison", aliases=["USHMM"], kind="intermediary"
    )
    analysis = analyse_for_brief(load_case(_with_actor(CAR, liaison, tmp_path / "car.yaml")))
    paths = [tmp_path / f"out{suffix}" for suffix in (".json", ".html", ".pdf")]
    with pytest.raises(RedactionLeakError) as caught:
        write_briefs(analysis, paths, redacted=True)
    assert "'USHMM'" in caught.value.message
    assert [p for p in tmp_path.iterdir() if p.name.startswith(("out", ".out"))] == []
    written = write_briefs(analysis, paths[:2], redacted=False)
    assert written == paths[:2] and all("USHMM" in p.read_text("utf-8") for p in written)


def test_the_actors_export_command_writes_no_export_that_would_leak(tmp_path: Path) -> None:
    # an intermediary whose very name is a column of the edge list
    oddly = Actor(id="odd", name="Source Name", kind="intermediary")
    case_file = _with_actor(CAR, oddly, tmp_path / "car.yaml")
    output = tmp_path / "car.csv"
    args = ["actors", "export", str(case_file), "--to", "csv", "-o", str(output)]
    result = runner.invoke(app, args)
    assert result.exit_code == 13
    assert "refused to write actor map export" in result.stderr and "source_name" in result.stderr
    assert not output.exists()
    assert runner.invoke(app, [*args, "--include-sensitive"]).exit_code == 0


def test_the_actors_map_command_writes_no_page_that_would_leak(tmp_path: Path) -> None:
    # the page's own words name the interactive map's library
    oddly = Actor(id="odd", name="Cytoscape", kind="intermediary")
    case_file = _with_actor(CAR, oddly, tmp_path / "car.yaml")
    folder = tmp_path / "map"
    result = runner.invoke(app, ["actors", "map", str(case_file), "-o", str(folder), "--redacted"])
    assert result.exit_code == 13
    assert "refused to write actor map page" in result.stderr
    assert not folder.exists()


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")
def test_a_redacted_pdf_is_read_back_as_text_too(car: CaseAnalysis, mirror_demo: DemoRun) -> None:
    """The demo's redacted CAR brief (one PDF rendering shared by the run), read as text."""
    assert mirror_demo.exit_code == 0, mirror_demo.stderr
    pdf = (mirror_demo.output / "central-african-republic-2013-redacted.pdf").read_bytes()
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode("utf-8")
    assert "REDACTED" in text and "Religious leader 1" in text
    assert find_leaks(car.disclosure, pieces_of(text, "text")) == []
