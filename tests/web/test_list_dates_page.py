"""The workspace's screening page and API name each list's publication date and age.

The real UN and OFAC lists are installed from the data mirror into the app's own data
folder; the case is the packaged somalia-2011, screened as of its period's end (2012), so
the UN copy of 2026 is a later copy and OFAC's is undated.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi import FastAPI

from backchannel.settings import Settings
from tests.conftest import install_indexed_lists
from tests.web.conftest import CASE, SQLITE_ONLY, Browser

pytestmark = SQLITE_ONLY


@pytest.fixture
def with_lists(web_settings: Settings, indexed_lists: Path, app: FastAPI) -> FastAPI:
    install_indexed_lists(indexed_lists, web_settings.data_dir)
    return app


@pytest.mark.slow
def test_the_page_and_the_api_name_each_list_with_its_date(
    with_lists: FastAPI, browser: Callable[[str], Browser]
) -> None:
    analyst = browser("analyst")
    api = analyst.client.get(f"/api/cases/{CASE}/screening")
    assert api.status_code == 200, api.text
    lists = {entry["list"]: entry for entry in api.json()["lists"]}
    assert (lists["un-sc"]["published"], lists["un-sc"]["currency"]) == (
        "2026-02-27",
        "published_later",
    )
    assert lists["un-sc"]["age_days"] < 0 and lists["un-sc"]["max_age_days"] == 30
    assert (lists["ofac-sdn"]["published"], lists["ofac-sdn"]["currency"]) == (
        "undated",
        "undated",
    )
    assert lists["ofac-sdn"]["age_days"] is None
    hits = [h for actor in api.json()["actors"] for h in actor["hits"]]
    assert {h["list_published"] for h in hits} <= {"2026-02-27", "undated"}

    page = analyst.client.get(f"/cases/{CASE}/screening")
    assert page.status_code == 200, page.text
    assert "undated: the file states no publication date" in page.text
    assert "ofac-sdn states no publication date" in page.text  # among the screening's limits
