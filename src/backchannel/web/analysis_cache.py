"""The app's memory of recent cases and their analyses, so that pages stay fast under load.

Reading a case decrypts every sealed field, and ``analyse_for_brief`` takes far longer
still; a dashboard needs both, and fifty people may be looking at one case. So the app
keeps the latest decrypted cases, their analyses and the assessment documents made from
them, in small least-recently-used caches (``cachetools.LRUCache``) keyed by the case's
stored version (``CaseVersion``: its revision and the time of its last save). Each request
first reads that version, which costs one indexed lookup and decrypts nothing: any change
to the case, through the web, the CLI or another server process, gives a new version and
so a fresh read; nothing is invalidated by hand.
An analysis is also keyed by the day, since an open-ended case is assessed as of today,
and by the generation of the installed data it read (``InstalledData``), so that data
pulled or removed while the server runs reach the dashboard and the brief at once.

What is kept is what the server process holds in memory while it serves the case anyway;
it never reaches a disk. Access is checked before anything here is asked for.

A redacted assessment document withholds every text of the negotiation and the case's
own texts the recommendation carries (``redaction.negotiation``), is masked by the case's
``redaction.Disclosure`` (kept per version too) and read back before it is kept: if a
sensitive form is still in it, ``RedactionLeakError`` is raised and nothing is kept or
shown.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from typing import Any, Generic, TypeVar

from cachetools import LRUCache

from backchannel.errors import NotFoundError
from backchannel.model.case import Case
from backchannel.redaction import Disclosure, ensure_redacted
from backchannel.redaction.leaks import json_pieces
from backchannel.redaction.negotiation import withheld_strategy
from backchannel.reports.case_analysis import CaseAnalysis, analyse_for_brief
from backchannel.store.case_changes import CaseVersion
from backchannel.store.service import CaseStore
from backchannel.web.installed_data import InstalledInputs

#: How many cases (and analyses, and documents of each kind) are kept.
CACHE_SIZE = 64

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Lru(Generic[K, V]):
    """A thread-safe least-recently-used map of at most ``size`` entries: a
    ``cachetools.LRUCache``, which is not thread-safe by itself, under a lock.

    ``get_or_make`` makes a missing value once however many threads ask for it at once:
    the first makes it, the others wait for that result. Fifty people opening a dashboard
    just after a change must not start fifty analyses of the same case.
    """

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError("a cache must hold at least one entry")
        self.size = size
        self._entries: LRUCache[K, V] = LRUCache(maxsize=size)
        self._making: dict[K, Future[V]] = {}
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        """The value kept for ``key`` (now the most recently used), or ``None``."""
        with self._lock:
            return self._kept(key)

    def put(self, key: K, value: V) -> V:
        """Keep ``value`` for ``key``, dropping the least recently used beyond the size."""
        with self._lock:
            self._keep(key, value)
        return value

    def get_or_make(self, key: K, make: Callable[[], V], *, refresh: bool = False) -> V:
        """The value for ``key``: kept, being made by another thread, or made now.

        ``refresh`` passes over a kept value (but joins one being made: that is fresh).
        ``make`` runs outside the lock; what it raises reaches every thread waiting on it.
        """
        with self._lock:
            kept = None if refresh else self._kept(key)
            if kept is not None:
                return kept
            pending = self._making.get(key)
            owner = pending is None
            if pending is None:
                pending = self._making[key] = Future()
        if not owner:
            return pending.result()
        try:
            value = make()
        except BaseException as error:
            with self._lock:
                del self._making[key]
            pending.set_exception(error)
            raise
        with self._lock:
            del self._making[key]
            self._keep(key, value)
        pending.set_result(value)
        return value

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def _kept(self, key: K) -> V | None:
        return self._entries.get(key)  # a hit makes the entry the most recently used

    def _keep(self, key: K, value: V) -> None:
        self._entries[key] = value  # beyond the size, the least recently used goes


VersionKey = tuple[str, int, dt.datetime]
#: An analysis's key: the case's version, the day it is as of, the installed data's generation.
AnalysisKey = tuple[VersionKey, dt.date, int]


class AnalysisCache:
    """Cases, their analyses and assessment documents, by case version (and day).

    Analyses read the installed data ``inputs`` gives (none: the packaged content only),
    and are kept for the generation of the installation those were read in.
    """

    def __init__(
        self, size: int = CACHE_SIZE, inputs: Callable[[], InstalledInputs] | None = None
    ) -> None:
        self.size = size
        self._inputs = inputs
        self._cases: Lru[VersionKey, Case] = Lru(size)
        self._analyses: Lru[AnalysisKey, CaseAnalysis] = Lru(size)
        self._documents: Lru[tuple[AnalysisKey, bool], dict[str, Any]] = Lru(size)
        self._disclosures: Lru[VersionKey, Disclosure] = Lru(size)

    def case(self, store: CaseStore, case_id: str) -> Case:
        """The stored case as it is now; ``NotFoundError`` if there is none."""
        return self._versioned(store, case_id)[0]

    def disclosure(self, store: CaseStore, case_id: str) -> Disclosure:
        """How redacted views of the stored case mask it (made once per version)."""
        case, key = self._versioned(store, case_id)
        return self._disclosures.get_or_make(key, lambda: Disclosure.of(case))

    def analysis(
        self, store: CaseStore, case_id: str, *, refresh: bool = False
    ) -> tuple[Case, CaseAnalysis]:
        """The case and its analysis as of today; run afresh if not kept or ``refresh``."""
        case, _key, analysis = self._analysed(store, case_id, refresh=refresh)
        return case, analysis

    def assessment(
        self, store: CaseStore, case_id: str, *, redacted: bool, refresh: bool = False
    ) -> tuple[Case, dict[str, Any]]:
        """The case and its assessment document, masked (and the case's own texts of the
        strategy withheld) when ``redacted``.

        Treat the document as read-only: the same one is handed to every request. A
        redacted document that still holds a sensitive form raises ``RedactionLeakError``.
        """
        case, key, analysis = self._analysed(store, case_id, refresh=refresh)

        def document() -> dict[str, Any]:
            full = {**analysis.as_dict(), "alerts": alerts_document(analysis)}
            if not redacted:
                return full
            withheld = dataclasses.replace(analysis, strategy=withheld_strategy(analysis.strategy))
            masked = analysis.disclosure.redact({**full, **withheld.as_dict()})
            ensure_redacted(analysis.disclosure, "assessment", json_pieces(masked))
            return masked

        kept = self._documents.get_or_make((key, redacted), document, refresh=refresh)
        return case, kept

    def __len__(self) -> int:
        return len(self._analyses)

    def _analysed(
        self, store: CaseStore, case_id: str, *, refresh: bool
    ) -> tuple[Case, AnalysisKey, CaseAnalysis]:
        """The case, the key its analysis is kept under, and the analysis."""
        case, version = self._versioned(store, case_id)
        installed = self._inputs() if self._inputs is not None else None
        generation = installed.generation if installed is not None else 0
        key = (version, dt.date.today(), generation)
        analysis = self._analyses.get_or_make(
            key, lambda: self._analyse(case, installed), refresh=refresh
        )
        return case, key, analysis

    def _analyse(self, case: Case, installed: InstalledInputs | None) -> CaseAnalysis:
        if installed is None:
            return analyse_for_brief(case)
        inputs = installed.inputs
        return analyse_for_brief(
            case,
            events=inputs.events,
            event_source=inputs.event_source,
            screening=inputs.screening,
            predictors=inputs.predictors,
            evidence_sources=inputs.evidence_sources,
            extents=inputs.event_extents,
            conflicts=inputs.conflicts,
            data_ages=inputs.data_ages,
        )

    def _versioned(self, store: CaseStore, case_id: str) -> tuple[Case, VersionKey]:
        version = store.case_version(case_id)
        if version is None:
            raise NotFoundError(f"no case with id {case_id!r} in the store")
        key = _version_key(case_id, version)
        kept = self._cases.get(key)
        if kept is not None:
            return kept, key
        # Read the case and its version together: a save in between must not file the
        # newer content under the older version's key.
        case, read_version = store.versioned_case(case_id)
        key = _version_key(case_id, read_version)
        return self._cases.put(key, case), key


def alerts_document(analysis: CaseAnalysis) -> dict[str, Any]:
    """The event alerts of an analysis as the dashboard and the API show them (no charts)."""
    signals = analysis.events
    return {
        "source": signals.source or None,
        "note": signals.note,
        "signals": [signal.model_dump() for signal in signals.signals],
    }


def _version_key(case_id: str, version: CaseVersion) -> VersionKey:
    return case_id, version.revision, version.updated_at
