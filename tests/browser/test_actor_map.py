"""The interactive actor map in a real browser: it draws every actor and asks nothing of the
network."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from backchannel.casefile import load_case
from backchannel.redaction import Disclosure
from backchannel.reports.actor_map_page import write_map_viewer
from tests.conftest import EXAMPLES


def _open(browser: Any, page_path: Path) -> tuple[Any, list[str], list[str]]:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    outside: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: None if r.url.startswith("file:") else outside.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(page_path.as_uri())
    page.wait_for_selector("#map[data-ready='true']")
    return page, outside, errors


def test_map_draws_every_actor_and_relation_offline(
    browser: Any, tmp_path: Path, artifacts: Path
) -> None:
    case = load_case(EXAMPLES / "central-african-republic-2013.yaml")
    index = write_map_viewer(case, tmp_path / "map", roles={"ex-seleka": "counterpart"})
    page, outside, errors = _open(browser, index)
    counts = page.evaluate(
        "(() => { const cy = document.getElementById('map').backchannelMap;"
        " return [cy.nodes().length, cy.edges().length,"
        " cy.nodes('[role = \"counterpart\"]').map(n => n.id())]; })()"
    )
    assert counts == [len(case.actors), len(case.relations), ["ex-seleka"]]
    # Selecting an actor shows its fields in the details panel.
    page.evaluate("document.getElementById('map').backchannelMap.$id('anti-balaka').emit('tap')")
    assert "militia" in page.inner_text("#details")
    # The accessible tables carry the same content.
    assert page.locator("main table").first.locator("tbody tr").count() == len(case.actors)
    page.screenshot(path=str(artifacts / "actor-map-car.png"))
    assert outside == [] and errors == []
    page.close()


def test_redacted_map_holds_no_intermediary_name(browser: Any, tmp_path: Path) -> None:
    case = load_case(EXAMPLES / "central-african-republic-2013.yaml")
    masked = Disclosure.of(case).masked
    hidden = [a.name for a in case.actors if a.id in masked]
    assert hidden, "the example should mask an intermediary"
    index = write_map_viewer(case, tmp_path / "map", redacted=True)
    text = index.read_text(encoding="utf-8")
    assert all(name not in text for name in hidden)
    page, outside, errors = _open(browser, index)
    labels = page.evaluate(
        "document.getElementById('map').backchannelMap.nodes().map(n => n.data('label'))"
    )
    assert {"Intermediary 1", "Religious leader 1"} <= set(labels)
    assert not set(hidden) & set(labels)
    assert outside == [] and errors == []
    page.close()


def test_a_name_cannot_break_out_of_the_embedded_json(browser: Any, tmp_path: Path) -> None:
    case = load_case(EXAMPLES / "somalia-2011.yaml")
    hostile = case.actors[0].model_copy(update={"name": "</script><script>alert(1)</script>"})
    case = case.model_copy(update={"actors": [hostile, *case.actors[1:]]})
    index = write_map_viewer(case, tmp_path / "map")
    page, _, errors = _open(browser, index)
    label = page.evaluate(
        f"document.getElementById('map').backchannelMap.$id('{hostile.id}').data('label')"
    )
    assert label == hostile.name and errors == []
    page.close()
