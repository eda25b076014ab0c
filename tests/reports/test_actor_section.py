"""The brief's actor map and analysis, and what a redacted brief masks in them."""

from __future__ import annotations

import datetime as dt

import pytest
from matplotlib.text import Annotation

from backchannel.casefile import load_case
from backchannel.model import Case
from backchannel.redaction import Disclosure
from backchannel.reports.actor_map import actor_map_figure, actor_map_png
from backchannel.reports.actor_map_page import short_label
from backchannel.reports.actor_section import build_actor_section, map_roles
from backchannel.reports.case_report import build_case_report
from backchannel.reports.render import render_case_html
from tests.conftest import EXAMPLES

EXAMPLE_FILES = sorted(EXAMPLES.glob("*.yaml"))


def _section(html: str) -> str:
    start = html.index('id="actor-map"')
    return html[start : html.index("</section>", start)]


def _hidden(case: Case) -> list[str]:
    masked = Disclosure.of(case).masked
    return [
        text for actor in case.actors if actor.id in masked for text in (actor.name, *actor.aliases)
    ]


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_redacted_actor_section_masks_every_masked_actor(path: object) -> None:
    case = load_case(path)  # type: ignore[arg-type]
    full = _section(render_case_html(build_case_report(case, actors_map=build_actor_section(case))))
    redacted = _section(
        render_case_html(
            build_case_report(
                case, redacted=True, actors_map=build_actor_section(case, redacted=True)
            )
        )
    )
    hidden = _hidden(case)
    assert hidden, "each example masks at least one actor"
    assert not [h for h in hidden if h in redacted]
    # The full brief is for the need-to-know circle: the same section does name them when a
    # route runs through one, which is what the mask exists for.
    labels = [m.label for m in Disclosure.of(case).masked.values()]
    if any(label in redacted for label in labels):
        assert any(h in full for h in hidden)
    assert "<h3>Entry points</h3>" in redacted and "<h3>Spoilers</h3>" in redacted


def test_the_car_brief_names_entry_points_spoilers_and_cohesion() -> None:
    case = load_case(EXAMPLES / "central-african-republic-2013.yaml")
    section = build_actor_section(case)
    assert section is not None
    assert section.counterparts and section.entry_points and section.spoilers
    assert all(p["why"] for p in section.entry_points)
    assert all(s["why"] for s in section.spoilers)
    assert section.cohesion and all(c["why"] for c in section.cohesion)


def test_map_roles_let_a_counterpart_keep_its_role() -> None:
    analysis = {
        "counterparts": [{"id": "g"}],
        "entry_points": [{"entry": "m"}],
        "spoilers": [{"actor": "g"}, {"actor": "s"}],
        "brokers": [{"actor": "m"}, {"actor": "b"}],
    }
    assert map_roles(analysis) == {"g": "counterpart", "m": "entry", "s": "spoiler", "b": "broker"}


def test_map_image_draws_each_actor_and_only_relations_in_force() -> None:
    case = load_case(EXAMPLES / "central-african-republic-2013.yaml")
    figure = actor_map_figure(case)
    axes = figure.axes[0]
    assert len(axes.collections) == len(case.actors)
    arrows = [t for t in axes.texts if isinstance(t, Annotation) and t.arrow_patch is not None]
    assert len(arrows) == len(case.relations)
    day = dt.date(2013, 1, 1)
    in_force = [
        r
        for r in case.relations
        if (r.valid_from is None or r.valid_from <= day)
        and (r.valid_to is None or day <= r.valid_to)
    ]
    assert len(in_force) < len(case.relations)
    earlier = actor_map_figure(case, day).axes[0]
    earlier_arrows = [
        t for t in earlier.texts if isinstance(t, Annotation) and t.arrow_patch is not None
    ]
    assert len(earlier_arrows) == len(in_force)
    assert actor_map_png(case).startswith(b"\x89PNG")


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("Union for Peace in the Central African Republic (UPC)", "UPC"),
        ("anti-balaka", "anti-balaka"),
        (
            "Government of the Central African Republic",
            "Government of the\nCentral African Republic",
        ),
        (
            "A very long name that goes on and on and on beyond two lines",
            "A very long name that\ngoes on and on and [...]",
        ),
    ],
)
def test_short_labels(name: str, label: str) -> None:
    assert short_label(name) == label
