"""Benchmark: how fast an offline pull gives up, and how fast the real lists are read.

Three paths a user waits on, each timed beside a baseline run in the same process:

- ``backchannel data pull ewp`` with no network (the command, run in process through
  Typer's runner, with a 3 s read timeout): against one bare HTTP request to the same
  upstream address with the same timeouts. Goal: under 30 s.
- ``datasets.pull`` of EWP pointed at a port where nothing listens (127.0.0.1:9): against
  one bare HTTP request to that address. Goal: under 5 s.
- ``load_lists`` on the mirror's OFAC files, UN XML and the OpenSanctions sample: against
  reading the same files' bytes and splitting the CSV files into rows with the ``csv``
  module. Goal: under 4 s.

Each is run several times and the median kept. Run:
``.venv/bin/python benchmarks/fail_fast.py [MIRROR]`` (default ../shared/data).
"""

from __future__ import annotations

import csv
import dataclasses
import io
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx

# A benchmark runs as a script, so its own folder (with _figures) is first on sys.path.
from _figures import write_figures
from typer.testing import CliRunner

from backchannel import datasets
from backchannel.cli import app
from backchannel.errors import DataUnavailableError
from backchannel.screening.lists import load_lists
from backchannel.settings import Settings

RUNS = 5
CLI_RUNS = 3
NOWHERE = "http://127.0.0.1:9"  # the discard port: nothing listens there
FTM_SAMPLE = (
    Path(__file__).resolve().parents[1]
    / "tests"
    / "fixtures"
    / "screening"
    / "opensanctions_sample.ftm.json"
)
GOALS = {"cli_offline_pull": 30.0, "offline_download": 5.0, "real_lists_load": 4.0}


def median_seconds(action: Callable[[], object], runs: int) -> float:
    """The median wall time of ``runs`` calls of ``action``."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def bare_request_fails(url: str, timeout: httpx.Timeout) -> None:
    """One GET with no retry and no pull machinery; it must fail, as there is no network."""
    try:
        httpx.get(url, timeout=timeout)
    except httpx.HTTPError:
        return
    raise SystemExit(f"{url} answered: this benchmark times the offline path, run it offline")


def cli_pull_fails(folder: Path) -> None:
    """``backchannel data pull ewp`` offline; it must exit 6 and point to --mirror."""
    env = {
        "BACKCHANNEL_DATA_DIR": str(folder / "cli-data"),
        "BACKCHANNEL_DOWNLOAD_TIMEOUT": "3",
        "BACKCHANNEL_MIRROR": None,
    }
    result = CliRunner().invoke(app, ["data", "pull", "ewp"], env=env)
    if result.exit_code != 6 or "--mirror" not in result.stderr:
        raise SystemExit(f"data pull ewp: exit {result.exit_code}, stderr {result.stderr!r}")


def pull_nowhere_fails(folder: Path) -> None:
    """``datasets.pull`` of EWP from a port where nothing listens; it must refuse."""
    spec = datasets.dataset_spec("ewp")
    files = tuple(dataclasses.replace(f, url=f"{NOWHERE}/{f.mirror}") for f in spec.files)
    settings = Settings(data_dir=folder / "pull-data", mirror=None)
    try:
        datasets.pull(settings, manifest=[dataclasses.replace(spec, files=files)])
    except DataUnavailableError:
        return
    raise SystemExit(f"a pull from {NOWHERE} succeeded")


def naive_read(paths: list[Path]) -> int:
    """Every file's bytes read, and the CSV ones split into rows: the floor of any reader."""
    rows = 0
    for path in paths:
        data = path.read_bytes()
        if path.suffix == ".csv":
            rows += sum(1 for _ in csv.reader(io.StringIO(data.decode("cp1252"))))
    return rows


def main() -> None:
    """Time the three paths and their baselines; print and record the ratios."""
    default = Path(__file__).resolve().parents[1].parent / "shared" / "data"
    mirror = Path(sys.argv[1]) if len(sys.argv) > 1 else default
    sanctions = mirror / "sanctions"
    os.environ.pop("BACKCHANNEL_MIRROR", None)
    figures: dict[str, object] = {}

    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        defaults = Settings(data_dir=folder / "defaults", mirror=None)
        ewp_url = datasets.dataset_spec("ewp").files[0].url
        assert ewp_url is not None
        cli_timeout = httpx.Timeout(3.0, connect=defaults.download_connect_timeout)
        baseline = median_seconds(lambda: bare_request_fails(ewp_url, cli_timeout), CLI_RUNS)
        measured = median_seconds(lambda: cli_pull_fails(folder), CLI_RUNS)
        figures["cli_offline_pull"] = report(
            "cli_offline_pull", "data pull ewp, offline", measured, baseline
        )

        nowhere_url = f"{NOWHERE}/ewp/x.csv"
        timeout = httpx.Timeout(
            defaults.download_timeout, connect=defaults.download_connect_timeout
        )
        baseline = median_seconds(lambda: bare_request_fails(nowhere_url, timeout), RUNS)
        measured = median_seconds(lambda: pull_nowhere_fails(folder), RUNS)
        figures["offline_download"] = report(
            "offline_download", "pull from 127.0.0.1:9", measured, baseline
        )

    lists = [sanctions, FTM_SAMPLE]
    files = [*sorted(p for p in sanctions.iterdir() if p.is_file()), FTM_SAMPLE]
    results = load_lists(*lists)
    if not all(r.reconciles() for r in results):
        raise SystemExit("a list read from the mirror does not reconcile")
    baseline = median_seconds(lambda: naive_read(files), RUNS)
    measured = median_seconds(lambda: load_lists(*lists), RUNS)
    figures["real_lists_load"] = report(
        "real_lists_load",
        f"load_lists ({', '.join(r.list_id for r in results)})",
        measured,
        baseline,
    )
    path = write_figures("fail_fast", figures)
    print(f"figures written to {path}")


def report(path: str, label: str, measured: float, baseline: float) -> dict[str, float]:
    """Print one path's time against its baseline and its goal; return them as figures."""
    goal = GOALS[path]
    ratio = measured / baseline if baseline else float("inf")
    verdict = "within" if measured < goal else "OVER"
    print(
        f"{label:40} {measured:8.3f} s  baseline {baseline:8.3f} s  ratio {ratio:7.1f}x  "
        f"({verdict} the goal of {goal:.0f} s)"
    )
    return {
        "seconds": round(measured, 3),
        "baseline_seconds": round(baseline, 3),
        "ratio": round(ratio, 1),
        "goal_seconds": goal,
    }


if __name__ == "__main__":
    main()
