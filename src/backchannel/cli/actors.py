"""``backchannel actors``: analyse, export and seed actor maps.

The group is defined here; its commands live in ``actors_analyse`` and ``actors_io`` so
that each stays small. Importing this module registers them all.
"""

from __future__ import annotations

import typer

actors_app = typer.Typer(
    help="Actor maps: entry points, brokers, spoilers, cohesion; exports; UCDP seeding.",
    no_args_is_help=True,
)
