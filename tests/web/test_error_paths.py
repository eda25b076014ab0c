"""Errors shown in the browser or in a JSON error body never hold a path on the server.

The real UN list is installed from the data mirror, then damaged where it lies (as a disk
fault or a hand edit would): the screening page and its API say which list cannot be read
and how to reinstall it, without the data folder or any temporary path. ``without_paths``
is checked on its own, with table rows and generated paths.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from backchannel import datasets
from backchannel.errors import InvalidInputError, Problem
from backchannel.settings import Settings
from backchannel.web.errors import install_error_handlers, without_paths
from tests.web.conftest import CASE, Browser

PAGE = f"/cases/{CASE}/screening"
API = f"/api/cases/{CASE}/screening"
UN_XML = "un_consolidated.xml"


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _no_readable_entry(path: Path) -> None:
    path.write_text(
        '<?xml version="1.0"?>\n<CONSOLIDATED_LIST dateGenerated="2026-02-27">'
        "<INDIVIDUALS><INDIVIDUAL><FIRST_NAME>NOBODY</FIRST_NAME></INDIVIDUAL></INDIVIDUALS>"
        "</CONSOLIDATED_LIST>\n",
        encoding="utf-8",
    )


@pytest.fixture(params=[_truncate, _no_readable_entry], ids=["truncated", "no-entry"])
def broken_un_list(
    request: pytest.FixtureRequest, web_settings: Settings, mirror: Path
) -> Settings:
    """The real UN list installed, then damaged in the data folder."""
    datasets.pull(web_settings, ["un-sanctions"], mirror=mirror)
    damage: Callable[[Path], None] = request.param
    damage(web_settings.datasets_dir / "un-sanctions" / UN_XML)
    return web_settings


def _leaks(text: str, settings: Settings) -> list[str]:
    places = {str(settings.data_dir), str(settings.datasets_dir), "/tmp/", "pytest-of-"}
    places |= {str(settings.data_dir.resolve()), str(Path.cwd())}
    return sorted(p for p in places if p in text)


def test_a_broken_installed_list_is_named_without_a_server_path(
    broken_un_list: Settings, app: FastAPI, browser: Callable[[str], Browser]
) -> None:
    analyst = browser("analyst")
    page = analyst.client.get(PAGE)
    assert page.status_code == 503, page.text
    assert "UN Security Council Consolidated Sanctions List cannot be read" in page.text
    assert "backchannel data pull un-sanctions" in page.text and UN_XML in page.text
    assert _leaks(page.text, broken_un_list) == []

    api = analyst.client.get(API)
    assert api.status_code == 503
    error = api.json()["error"]
    assert error["code"] == "list_unreadable" and UN_XML in error["message"]
    assert _leaks(api.text, broken_un_list) == []

    # the case's other pages still work: their analyses name the lists as missing
    dashboard = analyst.client.get(f"/cases/{CASE}")
    assert dashboard.status_code == 200, dashboard.text
    assert _leaks(dashboard.text, broken_un_list) == []
    assert "designation lists" in dashboard.text


def _raising_app(error: Exception) -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/api/fail")
    def fail() -> None:
        raise error

    return app


def test_a_json_error_body_names_files_by_their_names_only(tmp_path: Path) -> None:
    source = tmp_path / "data" / "datasets" / "un-sanctions" / UN_XML
    error = InvalidInputError(
        str(source), [Problem("", f"cannot open {source}: permission denied", 3)]
    )
    with TestClient(_raising_app(error)) as client:
        answer = client.get("/api/fail")
    assert answer.status_code == 422
    body = answer.json()["error"]
    assert body["message"].startswith(f"1 problem(s) in {UN_XML}:")
    assert body["details"] == [
        {"location": [], "message": f"cannot open {UN_XML}: permission denied", "line": 3}
    ]
    assert str(tmp_path) not in answer.text


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("cannot read /srv/backchannel/data/datasets/un-sanctions/un_consolidated.xml: line 3",
         "cannot read un_consolidated.xml: line 3"),
        ("/tmp/pytest-of-root/pytest-1/x/ofac_sdn.csv:12: bad row.",
         "ofac_sdn.csv:12: bad row."),
        ("from mirror:/media/usb/mirror/sanctions/ofac_alt.csv", "from mirror:ofac_alt.csv"),
        ("see https://www.treasury.gov/ofac/downloads/sdn.csv", "see https://www.treasury.gov/ofac/downloads/sdn.csv"),
        ("C:\\Users\\field\\data\\un.xml: refused", "un.xml: refused"),
        ("opened file:///srv/data/un.xml", "opened un.xml"),
        ("a relative ucdp/ged231.csv and 10/20 stay", "a relative ucdp/ged231.csv and 10/20 stay"),
        ("nothing to cut", "nothing to cut"),
    ],
)  # fmt: skip
def test_paths_are_cut_to_their_names(text: str, shown: str) -> None:
    assert without_paths(text) == shown


def test_a_root_with_spaces_goes_whole() -> None:
    root = Path("/home/field office/backchannel data")
    text = f"cannot read {root}/datasets/un-sanctions/un.xml, nor {root}"
    assert without_paths(text, [root]) == ("cannot read un.xml, nor a folder on the server")


_SEGMENT = st.text(
    st.characters(codec="utf-8", exclude_characters="/\\\x00", exclude_categories=["Cs"]),
    min_size=1,
    max_size=12,
)


@given(
    folders=st.lists(_SEGMENT, min_size=1, max_size=5),
    name=st.from_regex(r"[A-Za-z0-9_-]{1,12}\.(xml|csv)", fullmatch=True),
    before=st.sampled_from(["", "in ", "cannot read ", "mirror:", "("]),
    after=st.sampled_from(["", ": line 3", ".", " and more", ")"]),
)
def test_no_folder_of_a_path_is_left(
    folders: list[str], name: str, before: str, after: str
) -> None:
    root = "/" + "/".join(folders)
    shown = without_paths(f"{before}{root}/{name}{after}", [root])
    assert shown == f"{before}{name}{after}"
