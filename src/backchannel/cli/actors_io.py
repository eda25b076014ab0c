"""``backchannel actors export`` and ``backchannel actors seed``: maps out, proposals in.

``export`` writes a case's actor map as GraphML, GEXF, Cytoscape.js JSON or a CSV edge
list, redacted unless ``--include-sensitive``; a redacted export that still holds a
sensitive form is refused and nothing is written. ``seed`` proposes a country's actors and
relations from the installed UCDP data; its YAML output is a case-file fragment whose
records are valid as they stand, with the evidence and the "proposed" marker in comments
(a separate key would break the case model, which refuses unknown fields).
"""

from __future__ import annotations

import datetime as dt
import sys
import textwrap
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml

from backchannel import datasets
from backchannel.actors.exchange import MapFormat, export_case
from backchannel.actors.seed import Evidence, SeedProposal, UcdpFiles, seed_country
from backchannel.casefile import load_case
from backchannel.cli.actors import actors_app
from backchannel.cli.brief_inputs import write_atomically
from backchannel.cli.common import (
    err,
    load_settings,
    parse_day,
    print_json,
    reported_errors,
)
from backchannel.cli.output import (
    Column,
    Listing,
    WideOption,
    print_csv,
    print_line,
    print_listing,
)
from backchannel.errors import NotFoundError
from backchannel.settings import Settings

ROWS_SHOWN = 6  # evidence rows quoted per comment line; the JSON output has them all
COMMENT_WIDTH = 96
DAY_FIELDS = frozenset({"valid_from", "valid_to", "observed", "date"})


@actors_app.command("export")
def actors_export(
    case_file: Annotated[Path, typer.Argument(help="The case file (YAML).")],
    to: Annotated[MapFormat, typer.Option("--to", help="Format to write.")],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write (default: stdout).")
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Only the relations in force on this day (YYYY-MM-DD)."),
    ] = None,
    include_sensitive: Annotated[
        bool,
        typer.Option(
            "--include-sensitive",
            help="Also export notes and masked actors' identities (default: redacted).",
        ),
    ] = False,
) -> None:
    """Export a case's actor map as GraphML, GEXF (dynamic, for Gephi), Cytoscape JSON or CSV."""
    day = parse_day(as_of)
    with reported_errors():
        text = export_case(load_case(case_file), to, as_of=day, include_sensitive=include_sensitive)
    if output is None:
        sys.stdout.write(text)
        return
    write_atomically(output, text.encode("utf-8"))
    redaction = "with sensitive fields" if include_sensitive else "redacted"
    err.print(f"wrote {output} ({to.value}, {redaction})", highlight=False)


class SeedFormat(StrEnum):
    """How ``seed`` prints its proposal."""

    yaml = "yaml"
    json = "json"
    table = "table"
    csv = "csv"


def ucdp_files(settings: Settings) -> UcdpFiles:
    """The installed UCDP files to seed from: the actor list is required, the rest optional."""

    def optional(dataset_id: str) -> list[Path]:
        try:
            return datasets.file_paths(settings, dataset_id)
        except NotFoundError:
            return []

    dyadic = optional("ucdp-dyadic")
    return UcdpFiles(
        actor_list=datasets.file_path(settings, "ucdp-actors"),
        dyadic=dyadic[0] if dyadic else None,
        ged=tuple(optional("ucdp-ged")),
        actor_list_version=datasets.dataset_spec("ucdp-actors").version,
        dyadic_version=datasets.dataset_spec("ucdp-dyadic").version,
        ged_version=datasets.dataset_spec("ucdp-ged").version,
    )


@actors_app.command("seed")
def actors_seed(
    country: Annotated[str, typer.Option("--country", help="ISO 3166-1 alpha-3 code, e.g. CAF.")],
    format: Annotated[
        SeedFormat,
        typer.Option(
            "--format",
            "-f",
            help="YAML case-file fragment, JSON with evidence, tables, or CSV (their rows).",
        ),
    ] = SeedFormat.yaml,
    with_supporters: Annotated[
        bool,
        typer.Option(
            "--with-supporters",
            help="Also propose the foreign governments UCDP names as secondary warring parties.",
        ),
    ] = False,
    wide: WideOption = False,
) -> None:
    """Propose a country's actors and relations from UCDP data, for the analyst to confirm."""
    settings = load_settings()
    with reported_errors():
        proposal = seed_country(country, ucdp_files(settings), include_supporters=with_supporters)
    if format is SeedFormat.json:
        print_json(proposal.as_dict())
    elif format is SeedFormat.table:
        _print_tables(proposal, wide)
    elif format is SeedFormat.csv:
        print_csv(_seed_listings(proposal))
    else:
        sys.stdout.write(seed_yaml(proposal, country))
    for note in proposal.notes:
        err.print(f"note: {note}", highlight=False)


# --------------------------------------------------------------------------- rendering


def _comment(text: str, indent: str) -> list[str]:
    return textwrap.wrap(
        text, COMMENT_WIDTH, initial_indent=f"{indent}# ", subsequent_indent=f"{indent}#   "
    )


def _evidence_comment(evidence: Evidence, indent: str) -> list[str]:
    lines = _comment(f"{evidence.source}: {evidence.statement}", indent)
    if evidence.rows:
        shown = ", ".join(evidence.rows[:ROWS_SHOWN])
        more = len(evidence.rows) - ROWS_SHOWN
        rows = f"  rows: {shown}" + (f" (and {more} more)" if more > 0 else "")
        lines += _comment(rows, indent)
    return lines


class _FragmentDumper(yaml.SafeDumper):
    """Block mappings, and lists of scalars on one line, as the example case files have them."""


def _represent_list(dumper: yaml.SafeDumper, items: list[Any]) -> yaml.Node:
    flat = all(not isinstance(item, dict | list) for item in items)
    return dumper.represent_sequence(
        "tag:yaml.org,2002:seq", items, flow_style=flat and bool(items)
    )


_FragmentDumper.add_representer(list, _represent_list)


def _yaml_dates(record: dict[str, Any]) -> dict[str, Any]:
    """Days and times as YAML timestamps rather than quoted text, as case files write them."""
    values = dict(record)
    for name in DAY_FIELDS & values.keys():
        values[name] = dt.date.fromisoformat(values[name])
    if "at" in values:
        values["at"] = dt.datetime.fromisoformat(values["at"])
    return values


def _record_yaml(record: dict[str, Any], indent: str) -> list[str]:
    text = yaml.dump(
        [_yaml_dates(record)],
        Dumper=_FragmentDumper,
        sort_keys=False,
        allow_unicode=True,
        width=COMMENT_WIDTH,
    )
    return [indent + line for line in text.splitlines()]


def seed_yaml(proposal: SeedProposal, country: str) -> str:
    """The proposal as a case-file fragment: valid records, evidence in comments."""
    fragment = proposal.fragment()
    lines = [
        f"# PROPOSED by `backchannel actors seed --country {country}` from UCDP data: nothing",
        "# here is confirmed. Review each record before pasting it into a case file (drop any",
        "# source the case already has); the evidence for each record is in the comments",
        "# above it, and `--format json` gives every row.",
        *[line for note in proposal.notes for line in _comment(f"note: {note}", "")],
        "sources:",
    ]
    for source in fragment["sources"]:
        lines += _record_yaml(source, "  ")
    lines.append("actors:")
    for actor, record in zip(proposal.actors, fragment["actors"], strict=True):
        lines.append("  # PROPOSED")
        for evidence in actor.evidence:
            lines += _evidence_comment(evidence, "  ")
        lines += _record_yaml(record, "  ")
    lines.append("relations:")
    for relation, record in zip(proposal.relations, fragment["relations"], strict=True):
        lines.append("  # PROPOSED")
        for evidence in relation.evidence:
            lines += _evidence_comment(evidence, "  ")
        lines += _record_yaml(record, "  ")
    lines.append("judgements:")
    for record in fragment["judgements"]:
        lines += _comment(
            "PROPOSED: suggested from data (origin: machine); review it by recording a "
            "judgement that names it in `reviews`.",
            "  ",
        )
        lines += _record_yaml(record, "  ")
    return "\n".join(lines) + "\n"


def _print_tables(proposal: SeedProposal, wide: bool) -> None:
    print_line(
        f"Proposed from UCDP for {proposal.country} ({proposal.country_names[0]}): "
        f"{len(proposal.actors)} actors, {len(proposal.relations)} relations; none confirmed."
    )
    for shown in _seed_listings(proposal):
        print_listing(shown, wide=wide)


def _seed_listings(proposal: SeedProposal) -> list[Listing]:
    """The proposed actors, and the proposed relations with their first evidence."""
    actors = Listing(
        "Actors (proposed)",
        (
            Column("id"),
            Column("name"),
            Column("kind"),
            Column("ucdp_id", "UCDP id", numeric=True),
            Column("attacks_on_civilians", "attacks on civilians (events, deaths)", wide=True),
        ),
        [
            [
                p.actor.id,
                p.actor.name,
                p.actor.kind.value,
                p.actor.ucdp_actor_id,
                ""
                if p.civilian_harm is None
                else f"{p.civilian_harm.events + p.civilian_harm.joint_events}, "
                f"{p.civilian_harm.deaths + p.civilian_harm.joint_deaths}",
            ]
            for p in proposal.actors
        ],
        name="actors",
    )
    relations = Listing(
        "Relations (proposed)",
        (
            Column("id", wide=True),
            Column("source"),
            Column("kind"),
            Column("target"),
            Column("from"),
            Column("to"),
            Column("evidence", wide=True),
        ),
        [
            [
                p.relation.id,
                p.relation.source,
                p.relation.kind.value,
                p.relation.target,
                p.relation.valid_from,
                p.relation.valid_to,
                p.evidence[0].statement if p.evidence else "",
            ]
            for p in proposal.relations
        ],
        name="relations",
    )
    return [actors, relations]
