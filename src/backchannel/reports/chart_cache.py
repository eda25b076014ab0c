"""Charts drawn once per process for the inputs they show.

A brief draws its readiness chart and risk matrix from the strategy's document. The full
and the redacted brief of a case, its HTML and its PDF, and a brief asked for again all
give the same document more often than not, and drawing a chart costs about a second:
:func:`chart_png` keeps the PNG of the most recent inputs, keyed by a digest of the
inputs themselves. A hit returns exactly the bytes the same inputs would draw, so what one
case's brief shows can never reach another's through it.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable
from typing import Any

from cachetools import LRUCache
from matplotlib.figure import Figure

from backchannel.reports.charts import render_png

#: Charts kept: a few cases' worth (each PNG is some 100 KB).
KEPT_CHARTS = 32

_drawn: LRUCache[str, bytes] = LRUCache(maxsize=KEPT_CHARTS)
_lock = threading.Lock()  # LRUCache is not thread-safe, and the web serves from threads


def chart_png(kind: str, inputs: Any, figure: Callable[[Any], Figure]) -> bytes:
    """The PNG of ``figure(inputs)``, drawn now or when the same ``kind`` of chart was last
    asked for with equal inputs (compared as canonical JSON)."""
    canonical = json.dumps(inputs, sort_keys=True, default=str, ensure_ascii=False)
    key = f"{kind}:{hashlib.sha256(canonical.encode('utf-8')).hexdigest()}"
    with _lock:
        kept = _drawn.get(key)
    if kept is not None:
        return kept
    png = render_png(figure(inputs))
    with _lock:
        _drawn[key] = png
    return png


def forget_charts() -> None:
    """Drop every kept chart (tests that count drawings start from none)."""
    with _lock:
        _drawn.clear()
