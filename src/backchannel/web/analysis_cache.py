"""The app's memory of recent case analyses, so that pages stay fast under load.

The dashboard, the assessment API and the brief all need ``analyse_for_brief`` of a case,
which takes far longer than reading the case. A small LRU keeps the latest results, keyed
by the case's id, the digest of its content and the day (an open-ended case is assessed
as of today): any change to the case, however made, gives a new digest and so a fresh
analysis; nothing has to be invalidated by hand.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict

from backchannel.model.case import Case
from backchannel.reports.case_analysis import CaseAnalysis, analyse_for_brief
from backchannel.store.cases import case_digest

#: How many analyses are kept: a few per active case is plenty.
CACHE_SIZE = 64

CacheKey = tuple[str, str, dt.date]


class AnalysisCache:
    """A thread-safe LRU of ``analyse_for_brief`` results per case content and day."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        if size < 1:
            raise ValueError("the cache must hold at least one analysis")
        self.size = size
        self._entries: OrderedDict[CacheKey, CaseAnalysis] = OrderedDict()
        self._lock = threading.Lock()

    def analysis(self, case: Case, *, refresh: bool = False) -> CaseAnalysis:
        """The analysis of ``case`` as it is now; computed afresh if not kept or ``refresh``."""
        key = (case.id, case_digest(case) or "", dt.date.today())
        if not refresh:
            with self._lock:
                kept = self._entries.get(key)
                if kept is not None:
                    self._entries.move_to_end(key)
                    return kept
        # computed outside the lock: other cases' pages are not held up meanwhile
        result = analyse_for_brief(case)
        with self._lock:
            self._entries[key] = result
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return result

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)
