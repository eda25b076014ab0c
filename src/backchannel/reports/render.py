"""Rendering report models to self-contained HTML (no external requests)."""

from __future__ import annotations

from importlib import resources

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from backchannel.reports.case_report import CaseReport


def _environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("backchannel.reports", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["label"] = lambda value: str(value).replace("_", " ")
    return environment


def render_case_html(report: CaseReport) -> str:
    """The brief for one case as a single HTML page with its stylesheet inlined."""
    stylesheet = resources.files("backchannel.reports").joinpath("templates/brief.css").read_text()
    template = _environment().get_template("case_brief.html")
    # the stylesheet is our own packaged file; escaping it would turn its quotes into
    # entities, which a <style> element does not decode
    return template.render(report=report, stylesheet=Markup(stylesheet))  # noqa: S704
