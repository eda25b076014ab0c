"""A self-contained, offline interactive actor map: one folder a reader opens in a browser.

The folder holds ``index.html`` (the graph as inline JSON data, tables of actors and
relations for keyboard and screen-reader users), our ``actor-map.js`` and stylesheet, and
the vendored Cytoscape.js with its licence. Nothing is fetched from elsewhere; the page's
Content-Security-Policy says so to the browser too.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import textwrap
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from backchannel.actors.exchange_cytoscape import cytoscape_document
from backchannel.actors.exchange_records import case_map, redact
from backchannel.model.case import Case
from backchannel.redaction import Disclosure, check_output

LABEL_WIDTH = 24
LABEL_LINES = 2
#: A name ending in a parenthesised acronym, e.g. "Union for Peace ... (UPC)".
ABBREVIATION = re.compile(r"\(([A-Z][A-Za-z0-9-]{1,9})\)\s*$")
STATIC_FILES = (
    "actor-map.js",
    "actor-map.css",
    "vendor/cytoscape.min.js",
    "vendor/cytoscape.LICENSE",
)


def short_label(name: str) -> str:
    """A label that fits on the map: a trailing abbreviation if the name gives one, else the
    name wrapped onto at most two short lines."""
    match = ABBREVIATION.search(name)
    if match:
        return match.group(1)
    lines = textwrap.wrap(name, LABEL_WIDTH)
    if len(lines) > LABEL_LINES:
        lines = [
            *lines[: LABEL_LINES - 1],
            textwrap.shorten(" ".join(lines[LABEL_LINES - 1 :]), LABEL_WIDTH),
        ]
    return "\n".join(lines)


def copy_static(folder: Path) -> None:
    """Copy the map's scripts, stylesheet and vendored library into ``folder``."""
    static = resources.files("backchannel.web").joinpath("static")
    for name in STATIC_FILES:
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        with resources.as_file(static.joinpath(name)) as source:
            shutil.copyfile(source, target)


def graph_json(document: dict[str, Any]) -> str:
    """JSON safe to place inside a ``<script type="application/json">`` element."""
    text = json.dumps(document, ensure_ascii=False, default=str)
    # "</script>" or "<!--" inside a string would end or confuse the element.
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def map_document(
    case: Case,
    as_of: dt.date | None = None,
    redacted: bool = False,
    roles: dict[str, str] | None = None,
    disclosure: Disclosure | None = None,
) -> dict[str, Any]:
    """The Cytoscape.js document of the case's map, with each actor's role if given.

    ``roles`` maps actor ids to one of counterpart, spoiler, broker, entry. A redacted map
    (``redaction.Disclosure``, made from the whole case when given, else from ``case``)
    shows masked actors by their labels and every actor and relation by an opaque id; the
    roles follow the actors to their new ids.
    """
    actor_map = case_map(case, as_of)
    if redacted:
        shown = disclosure or Disclosure.of(case)
        actor_map = redact(actor_map, shown)
        roles = {shown.record_label(actor): role for actor, role in (roles or {}).items()}
    document = cytoscape_document(actor_map)
    for node in document["elements"]["nodes"]:
        node["data"]["short"] = short_label(node["data"]["label"])
        role = (roles or {}).get(node["data"]["id"])
        if role:
            node["data"]["role"] = role
    return document


def write_map_viewer(
    case: Case,
    folder: Path,
    as_of: dt.date | None = None,
    redacted: bool = False,
    roles: dict[str, str] | None = None,
    *,
    disclosure: Disclosure | None = None,
) -> Path:
    """Write the interactive map of ``case`` into ``folder``; returns the page's path.

    A redacted page is read back before anything is written, and refused
    (``RedactionLeakError``, nothing written) if a sensitive form is still in it.
    """
    shown = (disclosure or Disclosure.of(case)) if redacted else None
    document = map_document(case, as_of, redacted, roles, shown)
    nodes = [n["data"] for n in document["elements"]["nodes"]]
    labels = {n["id"]: n["label"] for n in nodes}
    relations = [
        {
            **e["data"],
            "source_label": labels.get(e["data"]["source"], e["data"]["source"]),
            "target_label": labels.get(e["data"]["target"], e["data"]["target"]),
        }
        for e in document["elements"]["edges"]
    ]
    page = (
        _page_environment()
        .get_template("actor_map.html")
        .render(
            title=shown.mask_text(case.context.title) if shown else case.context.title,
            as_of=as_of.isoformat() if as_of else None,
            redacted=redacted,
            actors=[{**n, "role": n.get("role")} for n in nodes],
            relations=[
                {**r, **{k: r.get(k) for k in ("strength", "trust", "access")}} for r in relations
            ],
            graph_json=graph_json(document),
            static="",
        )
    )
    if shown is not None:
        check_output(shown, f"actor map page of case {case.id}", page, "html")
    folder.mkdir(parents=True, exist_ok=True)
    copy_static(folder)
    index = folder / "index.html"
    index.write_text(page, encoding="utf-8")
    return index


@cache
def _page_environment() -> Environment:
    # one per process, so the page's template is compiled once
    return Environment(
        loader=PackageLoader("backchannel.reports", "templates"),
        autoescape=select_autoescape(["html"]),
    )
