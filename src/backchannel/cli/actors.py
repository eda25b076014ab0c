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

# The commands register themselves on ``actors_app`` when their modules are imported; they
# import ``actors_app`` from here, so these imports come after its definition.
from backchannel.cli import actors_analyse, actors_io, actors_map  # noqa: E402

__all__ = ["actors_analyse", "actors_app", "actors_io", "actors_map"]
