"""Rendering report models to self-contained HTML (no external requests)."""

from __future__ import annotations

from functools import cache
from importlib import resources

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from backchannel.reports.case_report import CaseReport


@cache
def _environment() -> Environment:
    # One environment per process: it keeps each template compiled after its first use
    # (compiling the brief's templates costs far more than rendering them).
    environment = Environment(
        loader=PackageLoader("backchannel.reports", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["label"] = lambda value: str(value).replace("_", " ")
    environment.filters["figure"] = figure
    environment.filters["first_sentence"] = first_sentence
    return environment


def first_sentence(text: str) -> str:
    """The first sentence of a reason (the body gives it; the annex the whole)."""
    head, dot, _ = str(text).partition(". ")
    return head + "." if dot else str(text)


def figure(value: float | None, measure: str = "") -> str:
    """A measure as a reader should see it: counts whole, risks as a percentage, other
    figures to two significant digits (the data allow no more)."""
    if value is None:
        return "unknown"
    if "risk" in measure and 0 <= value < 1:
        return f"{value:.1%}" if value >= 0.01 else f"{value:.2%}"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:.2g}"


def render_case_html(report: CaseReport) -> str:
    """The brief for one case as a single HTML page with its stylesheet inlined."""
    stylesheet = resources.files("backchannel.reports").joinpath("templates/brief.css").read_text()
    template = _environment().get_template("case_brief.html")
    # the stylesheet is our own packaged file; escaping it would turn its quotes into
    # entities, which a <style> element does not decode
    return template.render(report=report, stylesheet=Markup(stylesheet))  # noqa: S704
