"""The ``backchannel`` command line: thin commands over the library.

Exit codes (one table, used by every command):

=====  ===========================================================
0      success
1      unexpected error inside backchannel
2      wrong usage (unknown option, missing argument)
3      invalid input: a case file, data file or value broke its contract
4      not found: no such case, data set or file
5      integrity failure: the audit chain or a sealed value does not verify
6      data unavailable: a download or mirror install failed
7      configuration or key problem
=====  ===========================================================
"""

from __future__ import annotations

import typer

from backchannel.cli.actors import actors_app
from backchannel.cli.admin import audit_app, keys_app
from backchannel.cli.assess import assess
from backchannel.cli.cases import case_app, schema
from backchannel.cli.common import EXIT_CODES, exit_code_for
from backchannel.cli.data import data_app
from backchannel.cli.demo import demo, example_case_files
from backchannel.cli.events import events_app
from backchannel.cli.forecast import forecast_app
from backchannel.cli.screen import screen_app
from backchannel.cli.serve import serve
from backchannel.cli.stage import stage_app
from backchannel.cli.users import members_app, users_app

app = typer.Typer(
    help="Decision support for atrocity prevention through dialogue with armed groups.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.command()(schema)
app.command()(demo)
app.command()(assess)
app.command()(serve)
app.add_typer(case_app, name="case")
app.add_typer(data_app, name="data")
app.add_typer(audit_app, name="audit")
app.add_typer(keys_app, name="keys")
app.add_typer(forecast_app, name="forecast")
app.add_typer(events_app, name="events")
app.add_typer(stage_app, name="stage")
app.add_typer(actors_app, name="actors")
app.add_typer(screen_app, name="screen")
app.add_typer(users_app, name="users")
app.add_typer(members_app, name="members")

__all__ = ["EXIT_CODES", "app", "example_case_files", "exit_code_for", "main"]


def main() -> None:
    """Entry point of the ``backchannel`` script."""
    app()
