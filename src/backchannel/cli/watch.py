"""``backchannel watch``: monitoring between two manual runs, for cron or a systemd timer.

Exit codes of ``watch --once`` (beside the table in ``backchannel.cli``): 0 when the pass
ran, whether or not it found new alerts; ``EXIT_INCOMPLETE`` (11) when it ran but a pull
or a case failed (each is reported); the usual codes when it could not run at all (7 for
keys or settings, 5 for a store that does not verify...).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from backchannel.cli.common import (
    FormatOption,
    OutputFormat,
    err,
    load_settings,
    out,
    reported_errors,
)
from backchannel.cli.output import (
    Column,
    Listing,
    WideOption,
    print_data,
    print_listing,
)

if TYPE_CHECKING:
    from backchannel.cli.watch_pass import WatchPass

#: The exit code of a pass that ran but in which a pull or a case failed.
EXIT_INCOMPLETE = 11
#: The shortest interval ``--every`` takes: a data producer is not polled more often.
MIN_INTERVAL_SECONDS = 60
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_DURATION = re.compile(r"(\d+)([smhd])")


def parse_duration(text: str) -> int:
    """Seconds in a duration such as ``15m``, ``1h30m``, ``6h``, ``1d`` (units s, m, h, d).

    ``typer.BadParameter`` for anything else, or for less than ``MIN_INTERVAL_SECONDS``.
    """
    compact = text.strip().lower()
    parts = _DURATION.findall(compact)
    if not parts or "".join(n + u for n, u in parts) != compact:
        raise typer.BadParameter(
            f"--every expects a duration such as 15m, 1h30m, 6h or 1d; got {text!r}"
        )
    seconds = sum(int(number) * _UNITS[unit] for number, unit in parts)
    if seconds < MIN_INTERVAL_SECONDS:
        raise typer.BadParameter(
            f"--every must be at least {MIN_INTERVAL_SECONDS // 60} minute; got {text!r}"
        )
    return seconds


def repeat(
    one_pass: Callable[[], int],
    every_seconds: float,
    *,
    sleep: Callable[[float], None] = time.sleep,
    passes: int | None = None,
) -> None:
    """Run ``one_pass`` every ``every_seconds`` (from the start of one pass to the start of
    the next; a pass longer than the interval is followed at once), ``passes`` times or
    until interrupted."""
    done = 0
    while passes is None or done < passes:
        began = time.monotonic()
        one_pass()
        done += 1
        if passes is not None and done >= passes:
            return
        sleep(max(0.0, every_seconds - (time.monotonic() - began)))


def watch(
    once: Annotated[
        bool, typer.Option("--once", help="Run one pass, then exit (for cron or a timer).")
    ] = False,
    every: Annotated[
        str | None,
        typer.Option(
            "--every",
            metavar="DURATION",
            help="Run a pass, sleep, run again, until stopped (15m, 1h30m, 6h, 1d; at least 1m).",
        ),
    ] = None,
    mirror: Annotated[
        Path | None,
        typer.Option(
            "--mirror",
            help="Pull from this local folder instead of upstream (default: BACKCHANNEL_MIRROR).",
        ),
    ] = None,
    format: FormatOption = OutputFormat.table,
    wide: WideOption = False,
) -> None:
    """Pull what is new, run every case's alerts, and record the alerts not seen before.

    Each new alert is stored sealed in its case and shown on the case's dashboard as new
    to each member until they open it. Every pass is audited per case. Exit code 0 when the
    pass ran (with or without new alerts), 11 when a pull or a case failed (the pass still
    went on). The output names counterparts: keep it where the case store is kept.
    """
    if once == (every is not None):
        raise typer.BadParameter("give either --once or --every DURATION")
    interval = parse_duration(every) if every is not None else None
    settings = load_settings()

    def one_pass() -> int:
        from backchannel.cli.watch_pass import run_pass

        with reported_errors():
            result = run_pass(settings, mirror)
        show(result, format, wide)
        return 0 if result.complete else EXIT_INCOMPLETE

    if interval is None:
        raise typer.Exit(one_pass())

    def pass_in_loop() -> int:
        # a pass that cannot run (a database restarting) is reported and tried again
        try:
            return one_pass()
        except typer.Exit as stop:
            return int(stop.exit_code)

    try:
        repeat(pass_in_loop, interval)
    except KeyboardInterrupt:
        err.print("watch stopped", highlight=False, markup=False)


def show(result: WatchPass, format: OutputFormat, wide: bool = False) -> None:
    """Print a pass: the JSON document, or tables of pulls, cases and new alerts.

    Failures are also written to standard error, one line each, so that a job that
    discards standard output (which names counterparts) still logs why a pass fell short.
    """
    for pull in result.pulls:
        if pull.status == "failed":
            err.print(
                f"watch: pull of {pull.id} failed: {pull.message}", highlight=False, markup=False
            )
    if result.events.rows is None:
        err.print(f"watch: no events read: {result.events.message}", highlight=False, markup=False)
    for case in result.cases:
        if case.status == "failed":
            err.print(
                f"watch: case {case.case_id} failed: {case.message}", highlight=False, markup=False
            )
    pulls = Listing(
        "Data sets pulled",
        (Column("data_set", "data set"), Column("status"), Column("message")),
        [[p.id, p.status, p.message] for p in result.pulls],
        name="pulls",
    )
    cases = Listing(
        "Cases",
        (
            Column("case"),
            Column("status"),
            Column("alerts_found", "alerts found", numeric=True),
            Column("new", numeric=True),
            Column("message"),
        ),
        [[c.case_id, c.status, c.alerts_found, len(c.new), c.message] for c in result.cases],
        name="cases",
    )
    new = [(c.case_id, alert) for c in result.cases for alert in c.new]
    alerts = Listing(
        f"{len(new)} new alerts",
        (
            Column("case"),
            Column("kind"),
            Column("actor"),
            Column("period"),
            Column("what"),
            Column("events", numeric=True, wide=True),
        ),
        [[case_id, a.kind, a.actor, a.period, a.summary, a.event_count] for case_id, a in new],
        name="alerts",
    )
    if format is not OutputFormat.table:
        print_data([pulls, cases, alerts], format, document=result.as_dict())
        return
    for shown in [pulls] * bool(result.pulls) + [cases] + [alerts] * bool(new):
        print_listing(shown, wide=wide)
    totals = result.totals()
    out.print(
        f"{totals['new_alerts']} new of {totals['alerts_found']} alerts in "
        f"{totals['cases_checked']} of {totals['cases']} cases; "
        f"{totals['datasets_failed']} pulls failed; {result.seconds:.1f} s",
        highlight=False,
    )
