"""The ``backchannel`` command line: thin commands over the library.

Exit codes (one table, used by every command; ``common.EXIT_CODE_MEANINGS`` holds it and
``common.EXIT_CODES`` maps each error type to its code):

=====  ==========================================================================================
0      success
1      unexpected error inside backchannel
2      wrong usage (unknown option, missing argument)
3      invalid input: a case file, data file or value broke its contract
4      not found: no such case, data set or file
5      integrity failure: the audit chain or a sealed value does not verify
6      data unavailable: a download or mirror install failed
7      configuration or key problem
8      authentication failed: wrong user name or password, or locked out
9      permission denied: the user's role does not allow the action
10     ambiguous name: several actors match; the candidates are listed, give one exactly
11     `watch`: the pass ran but a data pull or a case failed
12     conflict: a case with that id or a user with that name exists already
13     redaction refused: a sensitive name remained in a redacted output; nothing was written
=====  ==========================================================================================
"""

from __future__ import annotations

from typing import Any

import typer

from backchannel.cli.common import EXIT_CODES, exit_code_for
from backchannel.cli.lazy import lazy_group

# Each command's module is imported when the command runs (or help lists it): importing
# them all takes about a second, which `backchannel screen NAME` would pay on every call.
app = typer.Typer(
    cls=lazy_group(
        commands={
            "schema": "backchannel.cli.cases:schema",
            "demo": "backchannel.cli.demo:demo",
            "assess": "backchannel.cli.assess:assess",
            "serve": "backchannel.cli.serve:serve",
            "watch": "backchannel.cli.watch:watch",
        },
        groups={
            "case": "backchannel.cli.cases:case_app",
            "data": "backchannel.cli.data:data_app",
            "audit": "backchannel.cli.admin:audit_app",
            "keys": "backchannel.cli.admin:keys_app",
            "forecast": "backchannel.cli.forecast:forecast_app",
            "events": "backchannel.cli.events:events_app",
            "stage": "backchannel.cli.stage:stage_app",
            "actors": "backchannel.cli.actors:actors_app",
            "screen": "backchannel.cli.screen:screen_app",
            "users": "backchannel.cli.users:users_app",
            "members": "backchannel.cli.users:members_app",
        },
    ),
    help="Decision support for atrocity prevention through dialogue with armed groups.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def _commands() -> None:
    # a group whose commands are all loaded lazily needs a callback to be a group
    pass


__all__ = ["EXIT_CODES", "app", "example_case_files", "exit_code_for", "main"]


def main() -> None:
    """Entry point of the ``backchannel`` script."""
    app()


def __getattr__(name: str) -> Any:
    # ``example_case_files`` lives with the demo command, imported only when asked for
    if name == "example_case_files":
        from backchannel.cli.demo import example_case_files

        return example_case_files
    raise AttributeError(name)
