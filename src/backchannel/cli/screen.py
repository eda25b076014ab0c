"""``backchannel screen``: names against the designation lists, decisions on hits.

``screen NAME`` screens one name; ``screen batch FILE``, ``screen case CASE.yaml`` and
``screen decide ...`` are subcommands. A first word that is not a subcommand is the name,
so ``backchannel screen "Al-Shabaab"`` works as a user would type it.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from backchannel.cli.common import (
    FormatOption,
    OutputFormat,
    err,
    load_settings,
    out,
    parse_day,
    print_json,
    print_table,
    reported_errors,
    with_store,
)
from backchannel.errors import InvalidInputError, Problem
from backchannel.settings import Settings

if TYPE_CHECKING:
    from backchannel.screening.freshness import ListCurrency
    from backchannel.screening.screen import NameScreening, Screening

NAME_COMMAND = "name"


class NameFirstGroup(TyperGroup):
    """A group whose first argument, when it is not a subcommand, is a name to screen."""

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = [NAME_COMMAND, *args]
        return super().resolve_command(ctx, args)


screen_app = typer.Typer(
    cls=NameFirstGroup,
    help="Screen names against the UN and OFAC lists; record decisions on hits.",
    no_args_is_help=True,
)

AsOfOption = Annotated[
    str | None,
    typer.Option("--as-of", help="Screen against designations in force on this day (YYYY-MM-DD)."),
]
ListOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--list",
        help="Screen against this list file instead of the installed UN and OFAC lists "
        "(UN XML, OFAC sdn.csv, or FollowTheMoney JSON lines); repeatable.",
    ),
]
ThresholdOption = Annotated[
    float | None, typer.Option("--threshold", help="Lowest score shown (default: the matcher's).")
]


def load_screening(settings: Settings, lists: list[Path] | None = None) -> Screening:
    """The lists given, else the installed ones through their persisted index.

    The index is read without importing ``backchannel.datasets`` (half a second of
    imports); only when it is missing or stale is that imported, to rebuild it, with a
    one-line note on standard error. Lists given with ``--list`` are read and indexed
    on every call.
    """
    if lists:
        from backchannel.datasets.designation_lists import load_screening as from_files

        return from_files(settings, lists)
    from backchannel.screening.index_store import IndexUnusable, index_file, read_index

    try:
        return read_index(
            index_file(settings.data_dir),
            settings.data_dir,
            max_age_days=settings.list_max_age_days,
        )
    except IndexUnusable as unusable:
        from backchannel.datasets.screening_index_file import rebuild_index

        return rebuild_index(settings, unusable.message, _notice)


def _notice(line: str) -> None:
    err.print(f"note: {line}", highlight=False, markup=False)


def _screen_kwargs(threshold: float | None) -> dict[str, Any]:
    return {} if threshold is None else {"threshold": threshold}


CaseOption = Annotated[
    str | None,
    typer.Option(
        "--case",
        help="Show the decisions recorded in this stored case beside the hits (decisions "
        "belong to their case; without --case none is shown).",
    ),
]


def _decisions(settings: Settings, case_id: str | None, names: list[str]) -> list[Any]:
    """The case's stored decisions on these names; none without a case."""
    if case_id is None:
        return []
    return with_store(settings, lambda store: store.screening_decisions(case_id, names))


def lists_line(currency: list[ListCurrency]) -> str:
    """``lists: un-sc (published 2026-02-27, 12 days old); ofac-sdn (undated, ...)``: each
    list screened with its publication date and age on the day screened."""
    parts = []
    for c in currency:
        if c.published is None:
            parts.append(f"{c.list_id} (undated: the file states no publication date)")
            continue
        age = c.age_days
        when = f"{-age} days after {c.on}" if age is not None and age < 0 else f"{age} days old"
        stale = ", stale" if c.status.value == "stale" else ""
        parts.append(f"{c.list_id} (published {c.published.isoformat()}, {when}{stale})")
    return "lists: " + "; ".join(parts)


def _print_screening(result: NameScreening) -> None:
    print_table(
        f"Screening of {result.query!r}"
        + (f" as of {result.as_of.isoformat()}" if result.as_of else ""),
        ["list", "entry", "matched", "score", "programmes", "listed", "decision"],
        [
            [
                h.hit.list,
                h.hit.name,
                h.hit.matched_alias,
                f"{h.hit.score:.2f}",
                ", ".join(h.entity.programmes),
                h.entity.listed_on.isoformat() if h.entity.listed_on else "",
                h.decision.verdict.value if h.decision else "",
            ]
            for h in result.hits
        ],
    )
    if not result.hits:
        out.print("no hit above the match threshold", highlight=False)
    for later in result.listed_later:
        out.print(
            f"listed later: {later.hit.name} ({later.hit.list}) on {later.entity.listed_on}",
            highlight=False,
        )
    for note in result.notes:
        out.print(f"note: {note}", highlight=False)


@screen_app.command(NAME_COMMAND)
def screen_name(
    name: Annotated[str, typer.Argument(help="The name to screen.")],
    as_of: AsOfOption = None,
    lists: ListOption = None,
    threshold: ThresholdOption = None,
    case_id: CaseOption = None,
    format: FormatOption = OutputFormat.table,
) -> None:
    """Screen one name against the lists (JSON: the list of hits, each explained)."""
    settings = load_settings()
    with reported_errors():
        day = parse_day(as_of)
        screening = load_screening(settings, lists)
        result = screening.screen(
            name,
            as_of=day,
            decisions=_decisions(settings, case_id, [name]),
            **_screen_kwargs(threshold),
        )
    if format is OutputFormat.json:
        print_json([h.as_dict() for h in result.hits])
        # the JSON is the list of hits; which copies were screened goes beside it
        err.print(lists_line(result.lists), highlight=False, markup=False)
        return
    _print_screening(result)
    out.print(lists_line(result.lists), highlight=False, markup=False)


def read_names(path: Path) -> list[str]:
    """Names to screen from a file: one per line, or a CSV with a ``name`` column."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInputError(str(path), [Problem("", f"cannot read names: {exc}")]) from None
    lines = text.splitlines()
    if lines and "," in lines[0] and "name" in [c.strip().lower() for c in lines[0].split(",")]:
        rows = list(csv.DictReader(lines))
        column = next(c for c in rows[0] if c.strip().lower() == "name") if rows else "name"
        names = [(row.get(column) or "").strip() for row in rows]
    else:
        names = [line.strip() for line in lines]
    names = [n for n in names if n and not n.startswith("#")]
    if not names:
        raise InvalidInputError(str(path), [Problem("", "no name to screen in the file")])
    return names


@screen_app.command("batch")
def screen_batch(
    file: Annotated[Path, typer.Argument(help="One name per line, or a CSV with a name column.")],
    as_of: AsOfOption = None,
    lists: ListOption = None,
    threshold: ThresholdOption = None,
    case_id: CaseOption = None,
    format: FormatOption = OutputFormat.table,
) -> None:
    """Screen every name in a file."""
    settings = load_settings()
    with reported_errors():
        names = read_names(file)
        day = parse_day(as_of)
        screening = load_screening(settings, lists)
        decisions = _decisions(settings, case_id, names)
        results = [
            screening.screen(n, as_of=day, decisions=decisions, **_screen_kwargs(threshold))
            for n in names
        ]
    currency = screening.currency(day or dt.date.today())
    if format is OutputFormat.json:
        print_json({r.query: [h.as_dict() for h in r.hits] for r in results})
        err.print(lists_line(currency), highlight=False, markup=False)
        return
    print_table(
        f"Screening of {len(names)} names",
        ["name", "hits", "best hit", "list", "score", "decision"],
        [
            [
                r.query,
                len(r.hits),
                r.hits[0].hit.name if r.hits else "",
                r.hits[0].hit.list if r.hits else "",
                f"{r.hits[0].hit.score:.2f}" if r.hits else "",
                r.hits[0].decision.verdict.value if r.hits and r.hits[0].decision else "",
            ]
            for r in results
        ],
    )
    out.print(lists_line(currency), highlight=False, markup=False)


@screen_app.command("decide")
def screen_decide(
    name: Annotated[str, typer.Argument(help="The name that was screened.")],
    *,
    list_id: Annotated[str, typer.Option("--list", help="The hit's list (un-sc, ofac-sdn...).")],
    entity_id: Annotated[str, typer.Option("--entity", help="The hit's entity id.")],
    verdict: Annotated[
        str, typer.Option("--verdict", help="true_match, false_positive or needs_review.")
    ],
    case_id: Annotated[
        str, typer.Option("--case", help="The stored case it belongs to (required).")
    ],
    note: Annotated[str | None, typer.Option("--note", help="Why (stored encrypted).")] = None,
) -> None:
    """Record a decision on a hit, in one case; later screenings of the name there show it."""
    from backchannel.screening.decisions import HitDecision, Verdict

    settings = load_settings()
    with reported_errors():
        try:
            chosen = Verdict(verdict)
        except ValueError:
            raise InvalidInputError(
                "--verdict",
                [Problem("verdict", f"{verdict!r}: expected one of {[v.value for v in Verdict]}")],
            ) from None
        decision = HitDecision(
            query=name,
            list_id=list_id,
            entity_id=entity_id,
            verdict=chosen,
            user=settings.user,
            at=dt.datetime.now(dt.UTC),
            note=note,
            case_id=case_id,
        )
        seq = with_store(settings, lambda store: store.record_decision(decision))
    out.print(
        f"decision {seq} recorded: {name!r} on {list_id} {entity_id} is {chosen.value}",
        highlight=False,
    )


@screen_app.command("case")
def screen_case_command(
    case_file: Annotated[Path, typer.Argument(help="The case file (YAML).")],
    *,
    activities: Annotated[
        list[str] | None,
        typer.Option(
            "--activities",
            "--activity",
            help="Planned activities, comma-separated or repeated (default: meeting).",
        ),
    ] = None,
    jurisdictions: Annotated[
        list[str] | None,
        typer.Option(
            "--jurisdiction",
            help="The organisation's jurisdictions (US, UK, EU, CA, AU), repeatable "
            "(default: all of them).",
        ),
    ] = None,
    as_of: AsOfOption = None,
    lists: ListOption = None,
    format: FormatOption = OutputFormat.table,
) -> None:
    """Screen a case's armed actors and assess the legal exposure of the planned activities."""
    from backchannel.casefile import load_case
    from backchannel.screening.case_screening import DEFAULT_ACTIVITIES, screen_case

    settings = load_settings()
    with reported_errors():
        case = load_case(case_file)
        names = [n for a in case.actors for n in (a.name, *a.aliases)]
        chosen = [a.strip() for item in activities or [] for a in item.split(",") if a.strip()]
        result = screen_case(
            case,
            load_screening(settings, lists),
            activities=chosen or list(DEFAULT_ACTIVITIES),
            jurisdictions=jurisdictions or None,
            as_of=parse_day(as_of),
            decisions=_decisions(settings, case.id, names),
        )
    if format is OutputFormat.json:
        print_json(result.as_dict())
        return
    out.print(f"{case.context.title}: screened as of {result.as_of}", highlight=False, markup=False)
    for actor in result.actors:
        print_table(
            f"{actor.name} ({len(actor.names_screened)} names screened)",
            ["list", "entry", "matched", "score", "programmes", "decision"],
            [
                [
                    h.hit.list,
                    h.hit.name,
                    h.hit.matched_alias,
                    f"{h.hit.score:.2f}",
                    ", ".join(h.entity.programmes),
                    h.decision.verdict.value if h.decision else "to review",
                ]
                for h in actor.hits
            ],
        )
        if actor.exposure is not None and actor.hits:
            print_table(
                f"Exposure of the engagement with {actor.name}",
                ["activity", "jurisdiction", "level", "obtain first"],
                [
                    [c.activity, c.jurisdiction, c.level.value, "; ".join(c.obtain_first)]
                    for c in actor.exposure.cells
                ],
            )
    for note in result.notes:
        out.print(f"note: {note}", highlight=False, markup=False)
    out.print(lists_line(result.currency), highlight=False, markup=False)
    out.print(result.disclaimer, highlight=False, markup=False)
