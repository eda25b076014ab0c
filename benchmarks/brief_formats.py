"""Benchmark: a case's briefs in every format from one rendering, against one per format.

For the packaged Somalia example (no installed data), in one process, the four files the
demo writes for a case (full and redacted, each as HTML and PDF):

- baseline: each file rendered on its own, as a brief was before: a report model and an
  HTML page per file, the brief's templates compiled and its charts drawn every time
  (the template and chart caches are cleared before each file);
- ours: ``brief_formats`` per variant, so HTML and PDF share one report and one page,
  with the template and chart caches as a running process keeps them.

Checks that both give the same bytes (the PDFs under a fixed ``SOURCE_DATE_EPOCH``),
prints both times and the ratio baseline / ours. Run: ``.venv/bin/python
benchmarks/brief_formats.py [RUNS]``.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable

from _figures import write_figures

from backchannel.casefile import load_case
from backchannel.cli.demo import example_case_files
from backchannel.reports import chart_cache, render
from backchannel.reports.brief_output import brief_bytes, brief_formats
from backchannel.reports.case_analysis import CaseAnalysis, analyse_for_brief

FORMATS = ("html", "pdf")
Files = dict[tuple[bool, str], bytes]


def one_per_file(analysis: CaseAnalysis) -> Files:
    files: Files = {}
    for redacted in (False, True):
        for fmt in FORMATS:
            chart_cache.forget_charts()
            render._environment.cache_clear()
            files[(redacted, fmt)] = brief_bytes(analysis, fmt, redacted=redacted)
    return files


def shared(analysis: CaseAnalysis) -> Files:
    files: Files = {}
    for redacted in (False, True):
        for fmt, data in brief_formats(analysis, FORMATS, redacted=redacted).items():
            files[(redacted, fmt)] = data
    return files


def timed(work: Callable[[], Files]) -> tuple[float, Files]:
    start = time.perf_counter()
    files = work()
    return time.perf_counter() - start, files


def main(runs: int) -> None:
    os.environ["SOURCE_DATE_EPOCH"] = "1700000000"
    path = next(p for p in example_case_files() if p.stem == "somalia-2011")
    analysis = analyse_for_brief(load_case(path))
    shared(analysis)  # warm: imports, fonts, the caches a running process holds
    baseline_times, our_times = [], []
    for _ in range(runs):  # in turns, so a busy machine weighs on both alike
        seconds, expected = timed(lambda: one_per_file(analysis))
        baseline_times.append(seconds)
        seconds, files = timed(lambda: shared(analysis))
        our_times.append(seconds)
        assert files == expected, "one rendering per variant changed a file"
    baseline, ours = statistics.median(baseline_times), statistics.median(our_times)
    print(f"four brief files of {path.stem}: median of {runs} runs")
    print(f"  one rendering per file (caches cleared): {baseline:6.2f} s")
    print(f"  one rendering per variant (brief_formats): {ours:6.2f} s")
    print(f"  ratio baseline / ours: {baseline / ours:.2f}x")
    write_figures(
        "brief_formats",
        {
            "files": len(expected),
            "baseline_seconds": round(baseline, 1),
            "ours_seconds": round(ours, 1),
            "speedup": round(baseline / ours, 2),
        },
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
