"""``backchannel assess``: the case's atrocity-risk stage, its reasons and disagreements."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
import yaml

from backchannel import datasets
from backchannel.casefile import load_case
from backchannel.cli.common import (
    FormatOption,
    OutputFormat,
    load_settings,
    out,
    parse_day,
    print_json,
    print_table,
    reported_errors,
)
from backchannel.cli.events import EventsOption, load_event_files
from backchannel.errors import NotFoundError
from backchannel.model.case import Judgement
from backchannel.settings import Settings


def assess(
    case_file: Annotated[Path, typer.Argument(help="The case file (YAML).")],
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Assess with what was known on this day (default: case end)."),
    ] = None,
    events: EventsOption = None,
    format: FormatOption = OutputFormat.table,
    suggest: Annotated[
        bool,
        typer.Option(
            "--suggest",
            help="Print the machine-suggested framework judgements as YAML to add to the case.",
        ),
    ] = False,
) -> None:
    """Assess the case's atrocity-risk stage from the structural forecast and event data."""
    from backchannel.events.backends import connect, event_table
    from backchannel.risk.assessment import assess_case

    settings = load_settings()
    with reported_errors():
        case = load_case(case_file)
        day = parse_day(as_of) or case.context.period.end or dt.date.today()
        try:
            table = event_table(load_event_files(settings, events))
        except NotFoundError:
            table = None
        assessment = assess_case(
            case,
            day,
            table,
            connect() if table is not None else None,
            predictors=_installed_predictors(settings),
        )
    if suggest:
        out.print(suggestions_yaml(assessment.suggestions), end="", highlight=False, markup=False)
        return
    result, notes = assessment.stage, assessment.notes
    document: dict[str, Any] = {"case": case.id, **assessment.as_dict()}
    if format is OutputFormat.json:
        print_json(document)
        return
    print_table(
        "UN Framework risk factors",
        ["factor", "status", "severity", "judgements", "suggested"],
        [
            [
                f"{f.number}. {f.name}",
                f.status + (" (contested)" if f.contested else ""),
                "" if f.severity is None else str(f.severity),
                ", ".join(f.judgements),
                ", ".join(s.subject for s in f.suggestions),
            ]
            for f in assessment.factors
        ],
    )
    out.print(f"{case.context.title}, as of {day}: stage [bold]{result.stage}[/]", highlight=False)
    print_table(
        "Why",
        ["rule", "source", "stage", "reading", "rule says"],
        [
            [r.rule, r.source, r.stage, f"{r.measure} = {r.value:g}", r.description]
            for r in result.reasons
        ],
    )
    for disagreement in result.disagreements:
        out.print(
            f"[yellow]disagreement[/] {disagreement.id}: {disagreement.description}",
            highlight=False,
        )
    for source in result.missing_sources:
        out.print(f"no data from the {source} source", highlight=False)
    for note in notes:
        out.print(note, highlight=False)


def suggestions_yaml(suggestions: list[Judgement]) -> str:
    """Machine suggestions as a ``judgements:`` YAML fragment for a case file."""
    if not suggestions:
        return "# no machine suggestions: the data available do not speak to any indicator\n"
    header = (
        "# Machine-suggested judgements (origin: machine). They count in no roll-up until an\n"
        "# analyst records a judgement that reviews them (reviews: <id>).\n"
    )
    records = [s.model_dump(mode="json", exclude_none=True) for s in suggestions]
    return header + yaml.safe_dump(
        {"judgements": records}, sort_keys=False, allow_unicode=True, width=100
    )


def _installed_predictors(settings: Settings) -> pd.DataFrame | None:
    """The EWP predictor table when installed; the assessment runs without it otherwise."""
    from backchannel.cli.forecast import EWP_PREDICTORS
    from backchannel.risk.forecast.predictors import load_predictors

    try:
        path = datasets.file_path(settings, "ewp", EWP_PREDICTORS)
    except NotFoundError:
        return None
    return load_predictors(path).frame
