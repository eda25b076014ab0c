"""The static actor map for the decision brief, drawn with matplotlib to PNG bytes.

The same visual grammar as the interactive map (``web/static/actor-map.js``): colour and
shape by the actor's kind (Okabe-Ito palette, shapes repeat the grouping so it reads in
grey), hostile ties dashed in vermillion, command and membership ties dark and solid,
splinters dotted, line width by strength, and a thick outline for the actor's role
(counterpart, spoiler, broker, entry point). The layout is deterministic (Kamada-Kawai on
the undirected graph), so the same case draws the same map in every brief.
"""

from __future__ import annotations

import datetime as dt
import io
import textwrap
from typing import Any

import networkx as nx
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from backchannel.model.case import Case
from backchannel.redaction import Disclosure
from backchannel.reports.actor_map_page import map_document

PNG_DPI = 150
GREY = "#999999"
KIND_STYLE: dict[str, tuple[str, str]] = {
    "armed_group": ("#D55E00", "s"),
    "faction": ("#D55E00", "s"),
    "militia": ("#D55E00", "s"),
    "leader": ("#D55E00", "o"),
    "state_force": ("#0072B2", "D"),
    "government": ("#0072B2", "D"),
    "own_organisation": ("#009E73", "*"),
    "intermediary": ("#E69F00", "d"),
    "community_leader": ("#56B4E9", "o"),
    "religious_leader": ("#56B4E9", "o"),
    "civil_society": ("#56B4E9", "o"),
    "diaspora": ("#56B4E9", "o"),
    "international_actor": ("#CC79A7", "h"),
}
LEGEND_GROUPS = (
    ("armed groups, factions, militias", "armed_group"),
    ("government and state forces", "government"),
    ("our organisation", "own_organisation"),
    ("intermediaries", "intermediary"),
    ("community, religious, civil society", "civil_society"),
    ("international actors", "international_actor"),
)
HOSTILE = frozenset({"fights", "rival"})
HIERARCHY = frozenset({"commands", "member_of"})
ROLE_COLOURS = {
    "counterpart": "#000000",
    "spoiler": "#CC79A7",
    "broker": "#0072B2",
    "entry": "#009E73",
}


def _edge_style(kind: str) -> dict[str, Any]:
    if kind in HOSTILE:
        return {"color": "#D55E00", "linestyle": "--"}
    if kind in HIERARCHY:
        return {"color": "#222222", "linestyle": "-"}
    if kind == "splinter_of":
        return {"color": "#555555", "linestyle": ":"}
    return {"color": "#777777", "linestyle": "-"}


def _layout(document: dict[str, Any]) -> dict[str, tuple[float, float]]:
    graph = nx.Graph()
    graph.add_nodes_from(n["data"]["id"] for n in document["elements"]["nodes"])
    graph.add_edges_from(
        (e["data"]["source"], e["data"]["target"]) for e in document["elements"]["edges"]
    )
    if graph.number_of_nodes() == 0:
        return {}
    if graph.number_of_nodes() == 1:
        return {next(iter(graph.nodes)): (0.0, 0.0)}
    positions = nx.kamada_kawai_layout(graph)
    return {node: (float(x), float(y)) for node, (x, y) in positions.items()}


def actor_map_figure(
    case: Case,
    as_of: dt.date | None = None,
    redacted: bool = False,
    roles: dict[str, str] | None = None,
    disclosure: Disclosure | None = None,
) -> Figure:
    """The actor map of ``case`` as a matplotlib figure (for tests to inspect); a redacted
    one masks by ``disclosure``, or by one made from ``case``."""
    shown = (disclosure or Disclosure.of(case)) if redacted else None
    document = map_document(case, as_of, redacted, roles, shown)
    title = shown.mask_text(case.context.title) if shown else case.context.title
    positions = _layout(document)
    figure = Figure(figsize=(9.0, 7.0), layout="constrained")
    FigureCanvasAgg(figure)
    ax: Axes = figure.add_subplot()
    ax.set_axis_off()
    when = f", relations in force on {as_of.isoformat()}" if as_of else ""
    ax.set_title(textwrap.fill(f"Actor map: {title}{when}", 90), fontsize=10)
    for edge in document["elements"]["edges"]:
        data = edge["data"]
        (x0, y0), (x1, y1) = positions[data["source"]], positions[data["target"]]
        strength = data.get("strength")
        ax.annotate(
            "",
            xy=(x1, y1),
            xytext=(x0, y0),
            arrowprops={
                "arrowstyle": "-|>",
                "shrinkA": 9,
                "shrinkB": 9,
                "linewidth": 1.0 + 3.0 * (strength if strength is not None else 0.3),
                **_edge_style(data["label"]),
            },
            zorder=1,
        )
    for node in document["elements"]["nodes"]:
        data = node["data"]
        colour, marker = KIND_STYLE.get(data.get("kind", ""), (GREY, "o"))
        role = data.get("role")
        x, y = positions[data["id"]]
        ax.scatter(
            [x],
            [y],
            s=260 if marker == "*" else 160,
            c=colour,
            marker=marker,
            edgecolors=ROLE_COLOURS.get(role or "", "#333333"),
            linewidths=3.0 if role else 0.8,
            zorder=2,
            gid=f"actor:{data['id']}",
        )
        ax.annotate(
            data["short"],
            (x, y),
            xytext=(0, -13),
            textcoords="offset points",
            ha="center",
            va="top",
            fontsize=7,
            zorder=3,
        )
    ax.margins(0.12)
    handles = [
        Line2D(
            [], [], linestyle="", marker=KIND_STYLE[kind][1], color=KIND_STYLE[kind][0], label=label
        )
        for label, kind in LEGEND_GROUPS
    ] + [
        Line2D([], [], color="#D55E00", linestyle="--", label="fights / rival"),
        Line2D([], [], color="#222222", label="commands / member of"),
        Line2D([], [], color="#555555", linestyle=":", label="splinter of"),
    ]
    figure.legend(handles=handles, loc="outside lower center", fontsize=7, frameon=False, ncols=3)
    return figure


def actor_map_png(
    case: Case,
    as_of: dt.date | None = None,
    redacted: bool = False,
    roles: dict[str, str] | None = None,
    *,
    disclosure: Disclosure | None = None,
) -> bytes:
    """The actor map rendered to PNG bytes (a redacted one masks by ``disclosure``)."""
    buffer = io.BytesIO()
    figure = actor_map_figure(case, as_of, redacted, roles, disclosure)
    figure.savefig(buffer, format="png", dpi=PNG_DPI)
    return buffer.getvalue()
