"""Benchmark: the strategy engine and the decision brief, against the work they build on.

For each packaged example case, times in the same process:

- the strategy engine (conditions, facts, risks, modality, status, plan) against the stage
  assessment it reads (``assess_case``), the anchor: the engine should add little to it;
- the cut of the case as known on a day (``known_on``), which every replay runs first,
  against the same anchor;
- the actor analysis the engine reads (``analyse_case``), for scale;
- rendering the brief to PDF (WeasyPrint) against rendering the same report to HTML.

Prints each median and the ratio to its baseline. Run: ``.venv/bin/python benchmarks/strategy.py``.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from backchannel.actors.analysis import analyse_case
from backchannel.casefile import load_case
from backchannel.cli.demo import example_case_files
from backchannel.dialogue.inputs import StrategyInputs
from backchannel.dialogue.rules import load_dialogue_rules
from backchannel.dialogue.strategy import recommend
from backchannel.model.as_of import known_on
from backchannel.reports.case_analysis import analyse_for_brief, brief_report
from backchannel.reports.pdf import render_case_pdf
from backchannel.reports.render import render_case_html
from backchannel.risk.assessment import assess_case


def median_seconds(work: Callable[[], Any], repeats: int) -> float:
    """Median wall time of ``repeats`` runs (one warm-up run first)."""
    work()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    load_dialogue_rules()  # read once, as every later call does
    print(
        f"{'case':32} {'stage':>9} {'actors':>9} {'strategy':>9} {'ratio':>6}"
        f" {'cut':>8} {'ratio':>6} {'html':>8} {'pdf':>8} {'ratio':>6}"
    )
    for path in example_case_files():
        case = load_case(path)
        day = case.context.period.end
        assert day is not None
        stage = assess_case(case, day)
        actors = analyse_case(case, day)
        inputs = StrategyInputs(case, day, actors, stage=stage)
        t_stage = median_seconds(partial(assess_case, case, day), 20)
        t_actors = median_seconds(partial(analyse_case, case, day), 20)
        t_engine = median_seconds(partial(recommend, inputs), 50)
        middle = case.context.period.start + (day - case.context.period.start) / 2
        t_cut = median_seconds(partial(known_on, case, middle), 200)
        report = brief_report(analyse_for_brief(case))
        t_html = median_seconds(partial(render_case_html, report), 5)
        t_pdf = median_seconds(partial(render_case_pdf, report), 2)
        print(
            f"{case.id:32} {t_stage * 1e3:7.1f}ms {t_actors * 1e3:7.1f}ms "
            f"{t_engine * 1e3:7.1f}ms {t_engine / t_stage:5.2f}x "
            f"{t_cut * 1e3:6.2f}ms {t_cut / t_stage:5.3f}x "
            f"{t_html * 1e3:6.0f}ms {t_pdf * 1e3:6.0f}ms {t_pdf / t_html:5.0f}x"
        )
    print("ratio (strategy): engine time / stage assessment time (the anchor it builds on)")
    print("ratio (cut): known_on as of mid-period / stage assessment time")
    print("ratio (pdf): PDF render time / HTML render time of the same report")


if __name__ == "__main__":
    main()
