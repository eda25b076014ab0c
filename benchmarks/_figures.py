"""Where benchmarks leave their headline figures, so the README can quote them.

Each benchmark calls ``write_figures`` once with the figures it printed; they land in
``benchmarks/figures/<benchmark>.json`` beside the machine and the day they were measured.
The README's figures section is generated from these files and a test compares the two,
so a figure quoted there is always one a benchmark wrote.
"""

from __future__ import annotations

import json
import os
import platform
from datetime import UTC, datetime
from pathlib import Path

FIGURES_DIR = Path(__file__).resolve().parent / "figures"


def write_figures(benchmark: str, figures: dict[str, object]) -> Path:
    """Store ``figures`` (JSON-serialisable values, rounded as printed) for ``benchmark``."""
    FIGURES_DIR.mkdir(exist_ok=True)
    target = FIGURES_DIR / f"{benchmark}.json"
    document = {
        "benchmark": benchmark,
        "measured": datetime.now(UTC).date().isoformat(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "figures": figures,
    }
    staged = target.with_suffix(".json.tmp")
    staged.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    staged.replace(target)
    return target


def read_figures(benchmark: str) -> dict[str, object]:
    """The figures last written for ``benchmark`` (``FileNotFoundError`` when never run)."""
    document = json.loads((FIGURES_DIR / f"{benchmark}.json").read_text(encoding="utf-8"))
    figures = document["figures"]
    if not isinstance(figures, dict):
        raise ValueError(f"{benchmark}.json: 'figures' is not an object")
    return figures
