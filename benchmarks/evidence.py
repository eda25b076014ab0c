"""Benchmark: the evidence panel for the three example cases, against a naive baseline.

In one process, on the real files of the data mirror (BACKCHANNEL_MIRROR, else
../shared/data):

- our panel for the first case with nothing cached (every file read), then for every case
  with the reads cached (goal: well under 2 s cold, a fraction of a second warm);
- the baseline: each world-scope figure computed the obvious way, re-reading the files it
  needs with pandas (openpyxl for the workbooks) per figure, for the first case;
- the baseline's figures must equal ours (it is a check as well as a clock).

Prints the times and the ratio baseline / ours.

Run: ``.venv/bin/python benchmarks/evidence.py``
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pandas as pd

from backchannel.casefile import load_case
from backchannel.dialogue.evidence import EvidenceSources, build_evidence_panel
from backchannel.model.case import Case

T = TypeVar("T")
REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "src" / "backchannel" / "data" / "examples"
CASES = {
    "colombia-2012": ["farc"],
    "somalia-2011": ["al-shabaab"],
    "central-african-republic-2013": ["seleka", "anti-balaka"],
}
FILES = {
    "termination_dyad": "ucdp/ucdp-term-dyad-3-2021.xlsx",
    "termination_conflict": "ucdp/ucdp-term-acd-3-2021.xlsx",
    "peace_agreements": "ucdp/ucdp-peace-agreements-221.xlsx",
    "dyadic": "ucdp/ucdp-dyadic-251.csv",
    "pax": "pax/pax_all_agreements_data_v6.csv",
    "ushmm_factors": "ushmm/all_factors_3.csv",
}


def mirror() -> Path:
    configured = os.environ.get("BACKCHANNEL_MIRROR")
    folder = Path(configured) if configured else REPO.parent / "shared" / "data"
    if not all((folder / f).is_file() for f in FILES.values()):
        sys.exit(f"the evidence files are not all in {folder}: set BACKCHANNEL_MIRROR")
    return folder


# --------------------------------------------------------------------------- the baseline


def naive_world_figures(files: EvidenceSources, cut: dt.date) -> dict[str, tuple[int, int]]:
    """Each world figure on its own, reading what it needs afresh: (numerator, denominator)."""
    day = pd.Timestamp(cut)

    def dyad_ends() -> pd.DataFrame:
        frame = pd.read_excel(files.termination_dyad)
        frame = frame[frame["outcome"].notna()].copy()
        year_end = pd.to_datetime(frame["year"].astype(str) + "-12-31")
        frame["end"] = pd.to_datetime(frame["ependdate"], errors="coerce").fillna(year_end)
        return frame[frame["end"] < day]

    def dyad_outcome(code: int) -> tuple[int, int]:
        ends = dyad_ends()
        return int((ends["outcome"] == code).sum()), len(ends)

    def recurrence() -> tuple[int, int]:
        frame = pd.read_excel(files.termination_conflict)
        frame["end"] = pd.to_datetime(frame["ependdate"])
        latest = day - pd.DateOffset(years=5)
        settled = frame[frame["outcome"].isin([1, 2]) & (frame["end"] < latest)]
        hits = 0
        for row in settled.itertuples():
            renewed = frame[
                (frame["conflict_id"] == row.conflict_id)
                & (frame["recur"] == 1)
                & (frame["year"] > row.year)
            ]
            hits += bool((renewed["start_date2"] <= row.end + pd.DateOffset(years=5)).any())
        return hits, len(settled)

    def agreements(column: str) -> tuple[int, int]:
        frame = pd.read_excel(files.peace_agreements)
        signed = frame[pd.to_datetime(frame["pa_date"]) < day]
        if column == "cease":
            return int(signed["cease"].sum()), len(signed)
        ended = (signed["ended"] == True) & (pd.to_datetime(signed["duration"]) < day)  # noqa: E712
        return int(ended.sum()), len(signed)

    def pax_stage(stage: str) -> tuple[int, int]:
        frame = pd.read_csv(files.pax, encoding="utf-8-sig", low_memory=False)
        dates = pd.to_datetime(frame["Dat"])
        window = frame[(dates >= day - pd.DateOffset(years=10)) & (dates < day)]
        return int((window["Stage"] == stage).sum()), len(window)

    figures: dict[str, Callable[[], tuple[int, int]]] = {
        "termination.dyad_peace_agreement.world": lambda: dyad_outcome(1),
        "termination.dyad_ceasefire.world": lambda: dyad_outcome(2),
        "termination.conflict_recurrence_after_settlement.world": recurrence,
        "agreements.ceasefire_provision.world": lambda: agreements("cease"),
        "agreements.ceased_to_hold.world": lambda: agreements("ended"),
        "pax.pre_negotiation.world": lambda: pax_stage("Pre"),
        "pax.ceasefire.world": lambda: pax_stage("Cea"),
    }
    return {figure_id: compute() for figure_id, compute in figures.items()}


# --------------------------------------------------------------------------- the run


def timed(work: Callable[[], T]) -> tuple[float, T]:
    started = time.perf_counter()
    result = work()
    return time.perf_counter() - started, result


def main() -> None:
    folder = mirror()
    files = EvidenceSources(**{field: folder / name for field, name in FILES.items()})
    cases: dict[str, Case] = {name: load_case(EXAMPLES / f"{name}.yaml") for name in CASES}
    first = next(iter(CASES))

    cold, panel = timed(
        lambda: build_evidence_panel(cases[first], files, counterparts=CASES[first])
    )
    print(f"ours, {first}, nothing cached: {cold:.3f} s ({len(panel.figures)} figures)")
    warm_times = []
    for name, counterparts in CASES.items():
        seconds, built = timed(
            functools.partial(build_evidence_panel, cases[name], files, counterparts=counterparts)
        )
        warm_times.append(seconds)
        print(f"ours, {name}, reads cached: {seconds:.3f} s ({len(built.figures)} figures)")
    warm = sum(warm_times) / len(warm_times)

    cut = cases[first].context.period.start
    baseline, naive = timed(lambda: naive_world_figures(files, cut))
    print(f"baseline, {first}, 7 world figures re-reading per figure: {baseline:.3f} s")
    for figure_id, (numerator, denominator) in naive.items():
        ours = panel.figure(figure_id)
        if (ours.numerator, ours.denominator) != (numerator, denominator):
            sys.exit(
                f"MISMATCH {figure_id}: ours {ours.numerator}/{ours.denominator}, "
                f"baseline {numerator}/{denominator}"
            )
    print("baseline figures equal ours: yes")
    print(f"ratio baseline / ours, nothing cached: {baseline / cold:.1f}x")
    print(
        f"ratio baseline / ours, reads cached (mean of {len(warm_times)}): {baseline / warm:.1f}x"
    )


if __name__ == "__main__":
    main()
