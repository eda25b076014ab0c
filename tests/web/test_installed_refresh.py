"""Data installed or removed while the server runs reach every page without a restart.

The app holds what it reads from the installed data in one ``InstalledData``: a list
pulled after the app started is screened against on the screening page, and read by the
dashboard's and the brief's analysis; a data set removed is gone from all of them; what
is kept is replaced when an ``installed.json`` changes, and read once however many
requests ask for it at the same moment.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from backchannel import datasets
from backchannel.settings import Settings
from backchannel.web.installed_data import InstalledData, installation_state
from backchannel.web.routes.screening import NOT_INSTALLED
from backchannel.web.screening_index import ListsNotInstalled
from tests.web.conftest import CASE, SQLITE_ONLY, Browser

pytestmark = SQLITE_ONLY

UN = "un-sanctions"
#: How the UN list's entries are tagged in a screening (the screening page's list column).
UN_LIST = "un-sc"


def ages_of(client_get: Callable[[str], object]) -> set[str]:
    """The ids of the data sets the case's assessment says it read."""
    document = client_get(f"/api/cases/{CASE}/assessment")
    return {age["id"] for age in document.json()["data_ages"]}  # type: ignore[attr-defined]


def brief_text(user: Browser) -> str:
    """The full brief, downloaded and turned into text (pdftotext, from poppler-utils)."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    response = user.client.get(f"/cases/{CASE}/brief")
    assert response.status_code == 200
    pdf: bytes = response.content
    done = subprocess.run(
        ["pdftotext", "-layout", "-", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    )
    return done.stdout.decode("utf-8")


@pytest.mark.slow
def test_a_list_pulled_after_start_reaches_the_screening_page_dashboard_and_brief(
    browser: Callable[[str], Browser], web_settings: Settings, mirror: Path
) -> None:
    analyst = browser("analyst")
    get = analyst.client.get
    # first requests, with nothing installed: each page reads (and keeps) "not installed"
    before = get(f"/cases/{CASE}/screening").text
    assert "No designation list is installed" in before
    assert UN not in ages_of(get)
    assert "No installed data set is read" in get(f"/cases/{CASE}").text
    assert f"({UN})" not in brief_text(analyst)

    datasets.pull(web_settings, [UN], mirror=mirror)  # what `backchannel data pull` does

    after = get(f"/cases/{CASE}/screening").text
    assert "No designation list is installed" not in after
    assert UN_LIST in after
    assert UN in ages_of(get)
    dashboard = get(f"/cases/{CASE}").text
    assert "No installed data set is read" not in dashboard
    assert f"({UN} " in dashboard  # the data-ages table names the list's data set
    assert f"({UN})" in brief_text(analyst)


@pytest.mark.slow
def test_a_data_set_removed_while_the_server_runs_is_gone_from_every_page(
    browser: Callable[[str], Browser], web_settings: Settings, mirror: Path
) -> None:
    datasets.pull(web_settings, [UN], mirror=mirror)
    analyst = browser("analyst")
    get = analyst.client.get
    assert UN_LIST in get(f"/cases/{CASE}/screening").text
    assert UN in ages_of(get)

    shutil.rmtree(web_settings.datasets_dir / UN)

    assert "No designation list is installed" in get(f"/cases/{CASE}/screening").text
    assert UN not in ages_of(get)
    assert "No installed data set is read" in get(f"/cases/{CASE}").text
    document = get(f"/api/cases/{CASE}/screening").json()
    assert document["lists_installed"] is False and document["message"] == NOT_INSTALLED


def test_a_changed_installed_json_replaces_what_is_kept(
    web_settings: Settings, mirror: Path
) -> None:
    installed = InstalledData(web_settings)
    empty = installed.inputs()
    assert empty.inputs.predictors is None
    assert installed.inputs().inputs is empty.inputs  # kept, not read again

    datasets.pull(web_settings, ["ewp"], mirror=mirror)
    pulled = installed.inputs()
    assert pulled.generation > empty.generation
    assert pulled.inputs.predictors is not None and len(pulled.inputs.predictors) > 0
    assert installed.inputs().inputs is pulled.inputs  # kept again: nothing changed since

    record = web_settings.datasets_dir / "ewp" / "installed.json"
    state = installation_state(web_settings)
    stamp = record.stat().st_mtime_ns + 1_000_000_000
    os.utime(record, ns=(stamp, stamp))  # the same bytes, rewritten a second later
    assert installation_state(web_settings) != state
    rewritten = installed.inputs()
    assert rewritten.generation > pulled.generation
    assert rewritten.inputs is not pulled.inputs
    assert rewritten.inputs.predictors is not None


def test_ingested_event_files_are_part_of_the_installation_state(web_settings: Settings) -> None:
    state = installation_state(web_settings)
    assert all(identity is None for _, identity in state.records)  # nothing installed
    folder = web_settings.data_dir / "events"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "notes.txt").write_text("not an event file\n", encoding="utf-8")
    assert installation_state(web_settings) == state
    (folder / "ged.parquet").write_bytes(b"PAR1")
    assert [name for name, _ in installation_state(web_settings).ingested_events] == ["ged.parquet"]


def test_concurrent_first_requests_read_the_inputs_once(
    web_settings: Settings, mirror: Path, caplog: pytest.LogCaptureFixture
) -> None:
    datasets.pull(web_settings, ["ewp"], mirror=mirror)
    installed = InstalledData(web_settings)
    start = threading.Barrier(12)
    results: list[object] = []
    failures: list[BaseException] = []

    def first_request() -> None:
        start.wait(timeout=30)  # every thread asks at the same moment
        try:
            results.append(installed.inputs().inputs)
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=first_request) for _ in range(12)]
    with caplog.at_level(logging.INFO, logger="backchannel.web.installed_data"):
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    assert failures == []
    assert len(results) == 12
    assert all(result is results[0] for result in results)
    reads = [r for r in caplog.records if r.getMessage() == "reading the installed analysis inputs"]
    assert len(reads) == 1


def test_not_installed_is_remembered_only_until_the_installation_changes(
    web_settings: Settings, mirror: Path
) -> None:
    installed = InstalledData(web_settings)
    with pytest.raises(ListsNotInstalled, match="data pull un-sanctions"):
        installed.lists()
    datasets.pull(web_settings, [UN], mirror=mirror)
    loaded = installed.lists()
    assert loaded.screening.screen("Al-Shabaab").hits[0].hit.list == UN_LIST
    assert installed.lists() is loaded
