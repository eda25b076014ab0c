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
    WideOption,
    err,
    load_settings,
    note_on_stderr,
    out,
    parse_day,
    print_data,
    print_json,
    print_line,
    print_listing,
    reported_errors,
    with_store,
)
from backchannel.cli.output import Column, Listing
from backchannel.errors import InvalidInputError, Problem
from backchannel.settings import Settings

if TYPE_CHECKING:
    from backchannel.screening.case_screening import ActorScreening, CaseScreening
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
    from backchannel.screening.index_store import read_or_rebuild

    def rebuild(reason: str) -> Screening:
        from backchannel.datasets.screening_index_file import rebuild_index

        return rebuild_index(settings, reason, note_on_stderr)

    return read_or_rebuild(
        settings.data_dir, max_age_days=settings.list_max_age_days, rebuild=rebuild
    )


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


#: The columns of one name's hits: the alias matched and the programmes behind ``--wide``.
HIT_COLUMNS = (
    Column("list"),
    Column("entry"),
    Column("matched", wide=True),
    Column("score", numeric=True),
    Column("programmes", wide=True),
    Column("listed"),
    Column("decision"),
)


def _screening_listing(result: NameScreening) -> Listing:
    return Listing(
        f"Screening of {result.query!r}"
        + (f" as of {result.as_of.isoformat()}" if result.as_of else ""),
        HIT_COLUMNS,
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


def _print_screening(result: NameScreening, wide: bool) -> None:
    print_listing(_screening_listing(result), wide=wide)
    if not result.hits:
        print_line("no hit above the match threshold")
    for later in result.listed_later:
        print_line(f"listed later: {later.hit.name} ({later.hit.list}) on {later.entity.listed_on}")
    for note in result.notes:
        print_line(f"note: {note}")


@screen_app.command(NAME_COMMAND)
def screen_name(
    name: Annotated[str, typer.Argument(help="The name to screen.")],
    as_of: AsOfOption = None,
    lists: ListOption = None,
    threshold: ThresholdOption = None,
    case_id: CaseOption = None,
    format: FormatOption = OutputFormat.table,
    wide: WideOption = False,
) -> None:
    """Screen one name against the lists (JSON: the list of hits, each explained; CSV: the
    table's rows, every column)."""
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
    if format is OutputFormat.csv:
        print_data(_screening_listing(result), format)
        err.print(lists_line(result.lists), highlight=False, markup=False)
        return
    _print_screening(result, wide)
    print_line(lists_line(result.lists))


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
    wide: WideOption = False,
) -> None:
    """Screen every name in a file: one row per name, with its best hit."""
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
    document = {r.query: [h.as_dict() for h in r.hits] for r in results}
    shown = Listing(
        f"Screening of {len(names)} names",
        (
            Column("name"),
            Column("hits", numeric=True),
            Column("best_hit", "best hit"),
            Column("list", wide=True),
            Column("score", numeric=True),
            Column("decision"),
        ),
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
    print_data(shown, format, wide=wide, document=document)
    if format is OutputFormat.table:
        print_line(lists_line(currency))
    else:
        err.print(lists_line(currency), highlight=False, markup=False)


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
    wide: WideOption = False,
) -> None:
    """Screen a case's armed actors and assess the legal exposure of the planned activities.

    A table of hits per actor, and of exposure per activity and jurisdiction for an actor
    with hits; CSV gives both as rows (a ``table`` column tells them apart), JSON the whole
    result with the reasons.
    """
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
    if format is not OutputFormat.table:
        print_data(_case_listings(result), format, document=result.as_dict())
        return
    print_line(f"{case.context.title}: screened as of {result.as_of}")
    for actor in result.actors:
        hits, exposure = _actor_listings(actor)
        print_listing(hits, wide=wide)
        if actor.exposure is not None and actor.hits:
            print_listing(exposure, wide=wide)
    for note in result.notes:
        print_line(f"note: {note}")
    print_line(lists_line(result.currency))
    print_line(result.disclaimer)


#: The columns of a case actor's hits; ``actor`` names it in CSV (the table's title does).
CASE_HIT_COLUMNS = (
    Column("actor", wide=True),
    Column("list"),
    Column("entry"),
    Column("matched", wide=True),
    Column("score", numeric=True),
    Column("programmes", wide=True),
    Column("decision"),
)
EXPOSURE_COLUMNS = (
    Column("actor", wide=True),
    Column("activity"),
    Column("jurisdiction"),
    Column("level"),
    Column("obtain_first", "obtain first"),
)


def _actor_listings(actor: ActorScreening) -> tuple[Listing, Listing]:
    """One screened actor's hits, and the exposure of engaging it."""
    hits = Listing(
        f"{actor.name} ({len(actor.names_screened)} names screened)",
        CASE_HIT_COLUMNS,
        [
            [
                actor.name,
                h.hit.list,
                h.hit.name,
                h.hit.matched_alias,
                f"{h.hit.score:.2f}",
                ", ".join(h.entity.programmes),
                h.decision.verdict.value if h.decision else "to review",
            ]
            for h in actor.hits
        ],
        name="hits",
    )
    cells = actor.exposure.cells if actor.exposure is not None and actor.hits else []
    exposure = Listing(
        f"Exposure of the engagement with {actor.name}",
        EXPOSURE_COLUMNS,
        [
            [actor.name, c.activity, c.jurisdiction, c.level.value, "; ".join(c.obtain_first)]
            for c in cells
        ],
        name="exposure",
    )
    return hits, exposure


def _case_listings(result: CaseScreening) -> list[Listing]:
    """Every actor's hits in one listing, then every exposure cell in another."""
    pairs = [_actor_listings(actor) for actor in result.actors]
    hits = [row for pair in pairs for row in pair[0].rows]
    exposure = [row for pair in pairs for row in pair[1].rows]
    return [
        Listing("Hits", CASE_HIT_COLUMNS, hits, name="hits"),
        Listing("Exposure", EXPOSURE_COLUMNS, exposure, name="exposure"),
    ]
