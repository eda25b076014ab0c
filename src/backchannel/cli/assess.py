"""``backchannel assess``: the case's atrocity-risk stage, its reasons and disagreements."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
import yaml

from backchannel.casefile import load_case
from backchannel.cli.common import (
    FormatOption,
    OutputFormat,
    load_settings,
    note_on_stderr,
    out,
    parse_day,
    print_json,
    reported_errors,
)
from backchannel.cli.events import EventsOption, load_event_files
from backchannel.cli.output import (
    Column,
    Listing,
    WideOption,
    print_csv,
    print_line,
    print_listing,
)
from backchannel.errors import NotFoundError
from backchannel.model.case import Judgement

if TYPE_CHECKING:
    from backchannel.dialogue.negotiation import NegotiationView
    from backchannel.reports.case_analysis import CaseAnalysis


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
    brief: Annotated[
        Path | None,
        typer.Option(
            "--brief", help="Write the decision brief to this file (.pdf, .html or .json)."
        ),
    ] = None,
    redacted: Annotated[
        bool,
        typer.Option(
            "--redacted",
            help="Mask intermediaries and other channels, participants, places, notes and "
            "evidence in the brief; refuse to write it if a sensitive name remains.",
        ),
    ] = False,
    activity: Annotated[
        list[str] | None,
        typer.Option(
            "--activity",
            help="A planned activity to screen for legal exposure (repeatable; default meeting).",
        ),
    ] = None,
    wide: WideOption = False,
) -> None:
    """Assess the risk stage, recommend a dialogue strategy, and optionally write the brief.

    JSON gives the whole analysis; CSV the rows of the tables (reasons, factors,
    conditions, risks), a ``table`` column telling them apart.
    """
    from backchannel.cli.brief_inputs import check_brief_path, write_brief
    from backchannel.datasets.analysis_inputs import (
        INSTALLED_GED,
        analysis_data_ages,
        installed_conflicts,
        installed_event_extents,
        installed_evidence_sources,
        installed_predictors,
        installed_screening,
        reads_pulled_ged,
    )
    from backchannel.reports.case_analysis import analyse_for_brief
    from backchannel.risk.assessment import assess_case

    settings = load_settings()
    with reported_errors():
        if brief is not None:
            check_brief_path(brief)
        case = load_case(case_file)
        day = parse_day(as_of) or case.context.period.end or dt.date.today()
        try:
            table = load_event_files(settings, events)
        except NotFoundError:
            table = None
        predictors = installed_predictors(settings)
        # files named on the command line are of unknown extent; the pulled GED declares its own
        extents = installed_event_extents(settings) if table is not None and not events else {}
        conflicts = installed_conflicts(settings)
        if suggest:
            from backchannel.events.backends import connect, event_table

            assessment = assess_case(
                case,
                day,
                event_table(table) if table is not None else None,
                connect() if table is not None else None,
                predictors=predictors,
                extents=extents,
                conflicts=conflicts,
            )
            out.print(
                suggestions_yaml(assessment.suggestions), end="", highlight=False, markup=False
            )
            return
        analysis = analyse_for_brief(
            case,
            day,
            events=table,
            event_source=", ".join(str(f) for f in events or []) or INSTALLED_GED,
            screening=installed_screening(settings, note_on_stderr),
            activities=tuple(activity or ("meeting",)),
            predictors=predictors,
            evidence_sources=installed_evidence_sources(settings),
            extents=extents,
            conflicts=conflicts,
            data_ages=analysis_data_ages(
                settings, pulled_events=reads_pulled_ged(settings, events)
            ),
        )
        if brief is not None:
            write_brief(analysis, brief, redacted=redacted)
    if format is OutputFormat.json:
        print_json(analysis.as_dict())
    elif format is OutputFormat.csv:
        print_csv(_assessment_listings(analysis))
    else:
        _print_assessment(analysis, wide)
    if brief is not None:
        kind = "redacted" if redacted else "full"
        out.print(f"{kind} brief written to {brief}", highlight=False)


def _print_assessment(analysis: CaseAnalysis, wide: bool) -> None:
    """The decision first, then the stage, the factors, the conditions and the risks."""
    assessment, strategy = analysis.assessment, analysis.strategy
    result, case = assessment.stage, analysis.case
    recommendation = strategy.recommendation
    why, factors, conditions, risks = _assessment_listings(analysis)
    print_line(
        f"{case.context.title}, as of {analysis.as_of}\n[bold]{recommendation.headline}[/]\n"
        f"kind of dialogue: {recommendation.label}: {recommendation.why}",
        markup=True,
    )
    for verdict in recommendation.legal_split or []:
        print_line(f"legal: {verdict.text}", markup=True)
    for number, step in enumerate(strategy.first_steps, 1):
        print_line(f"first step {number}: {step.step}", markup=True)
    print_line(strategy.confidence.text, markup=True)
    _print_negotiation(strategy.negotiation)
    print_line(f"\nstage [bold]{result.stage or 'unknown'}[/]", markup=True)
    print_listing(why, wide=wide)
    for disagreement in result.disagreements:
        print_line(
            f"[yellow]disagreement[/] {disagreement.id}: {disagreement.description}", markup=True
        )
    for source in result.missing_sources:
        print_line(f"{source} source left out: {result.source_notes.get(source, 'no data')}")
    for shown in (factors, conditions, risks):
        print_listing(shown, wide=wide)
    for note in [*assessment.notes, *analysis.withheld.notes()]:
        print_line(note)
    for missing in strategy.missing_inputs:
        print_line(f"missing input: {missing}")


def _assessment_listings(analysis: CaseAnalysis) -> list[Listing]:
    """The stage's reasons, the framework factors, the conditions and the risks."""
    assessment, strategy = analysis.assessment, analysis.strategy
    result = assessment.stage
    why = Listing(
        "Why",
        (
            Column("rule"),
            Column("source", wide=True),
            Column("stage"),
            Column("reading"),
            Column("rule_says", "rule says"),
        ),
        [
            [r.rule, r.source, r.stage, f"{r.measure} = {r.value:.2g}", r.description]
            for r in result.reasons
        ],
        name="reasons",
    )
    factors = Listing(
        "UN Framework risk factors",
        (
            Column("factor"),
            Column("status"),
            Column("severity", numeric=True),
            Column("judgements", wide=True),
            Column("suggested", wide=True),
        ),
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
        name="factors",
    )
    conditions = Listing(
        "Conditions for dialogue",
        (
            Column("condition"),
            Column("critical"),
            Column("level"),
            Column("basis", wide=True),
            Column("action"),
        ),
        [
            [c.name, "yes" if c.critical else "", c.level, c.basis, c.action or ""]
            for c in strategy.readiness.conditions
        ],
        name="conditions",
    )
    risks = Listing(
        "Risks of engaging",
        (
            Column("risk"),
            Column("likelihood", numeric=True, wide=True),
            Column("impact", numeric=True, wide=True),
            Column("level"),
            Column("why"),
        ),
        [
            [r.name, str(r.likelihood), str(r.impact), r.level, " ".join(r.reasons)]
            for r in strategy.risks
        ],
        name="risks",
    )
    return [why, factors, conditions, risks]


def _print_negotiation(negotiation: NegotiationView) -> None:
    """Our role, the mandate, and what we ask, can offer and already agree on."""
    role = (negotiation.our_role or "unknown (not recorded)").replace("_", " ")
    mandate = negotiation.mandate
    if mandate is None:
        given = "none on record"
    else:
        state = "in force" if mandate.in_force else "lapsed"
        given = f"given by {mandate.mandator} on {mandate.date}, {state}"
    print_line(f"\nour role: {role}; mandate: {given}", markup=True)
    page = negotiation.page_one
    for label, items, empty in (
        ("we ask", page.we_ask, "no position of ours recorded"),
        ("we can offer", page.we_offer, "nothing recorded"),
        ("already agreed", page.we_agree, "nothing recorded"),
        ("red lines of this case", page.red_lines, "none recorded"),
    ):
        print_line(f"{label}: {'; '.join(items) if items else empty}", markup=True)


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
