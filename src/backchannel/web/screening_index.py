"""The designation lists the web workspace screens against, loaded once per app and kept.

Reading the installed UN and OFAC lists and indexing them takes seconds, far too long for
a request, and the index is read-only once built: one copy serves every request of the
app. It is read from the index persisted in the data folder (a fraction of a second),
which is rebuilt from the lists, and the rebuild logged, when it is missing or stale.
``LazyScreening`` loads it on first use, under a lock so that two first requests do not
both pay for it, together with the legal rules the exposure assessment reads.

When no list is installed, or an installed one cannot be read, the failure is remembered
with its message (which says how to install or reinstall them), so that pages can say so
without reading the disk on every request; it is tried again after ``RETRY_AFTER``
seconds, so that lists pulled while the server runs are found without a restart. Tests
hand in a prebuilt ``Screening`` with ``provide``.

This holder is not ``backchannel.screening.index.ScreeningIndex`` (the blocking index over
listed names, which the ``Screening`` it holds contains).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from backchannel.datasets.designation_lists import InstalledListUnreadable
from backchannel.datasets.screening_index_file import rebuild_index
from backchannel.errors import BackchannelError, NotFoundError
from backchannel.screening.index_store import IndexUnusable, index_file, read_index
from backchannel.screening.law import Law, load_law
from backchannel.screening.screen import Screening
from backchannel.settings import Settings

_log = logging.getLogger(__name__)

#: Seconds a failed load (no list installed) is remembered before the disk is read again.
RETRY_AFTER = 30.0


class ListsNotInstalled(NotFoundError):
    """No designation list is installed; the message says how to install them."""


@dataclass(frozen=True)
class LoadedLists:
    """The lists indexed for screening, and the legal rules to assess exposure with."""

    screening: Screening
    law: Law


class LazyScreening:
    """The app's one ``Screening`` of the installed lists, loaded on first use."""

    def __init__(self) -> None:
        self._loaded: LoadedLists | None = None
        # the error met (lists missing or unreadable), and when
        self._failure: tuple[BackchannelError, float] | None = None
        self._law: Law | None = None
        self._lock = threading.Lock()

    def law(self) -> Law:
        """The legal rules (packaged), read once: needed even when no list is installed."""
        law = self._law
        if law is None:
            with self._lock:
                if self._law is None:
                    self._law = load_law()
                law = self._law
        return law

    def provide(self, screening: Screening, law: Law | None = None) -> None:
        """Use ``screening`` (already built, as tests do) instead of loading the lists."""
        rules = law or self.law()
        with self._lock:
            self._loaded = LoadedLists(screening, rules)
            self._failure = None

    def get(self, settings: Settings) -> LoadedLists:
        """The loaded lists; ``ListsNotInstalled`` when none is installed,
        ``InstalledListUnreadable`` when an installed one cannot be read.

        ``settings`` say where the lists are installed; the app has one ``Settings``, so
        the first call's are the ones that count.
        """
        loaded = self._loaded
        if loaded is not None:  # the common case: no lock once loaded
            return loaded
        with self._lock:
            if self._loaded is not None:
                return self._loaded
            if self._failure is not None:
                error, met = self._failure
                if time.monotonic() - met < RETRY_AFTER:
                    raise type(error)(error.message)
            try:
                screening = _installed_screening(settings)
            except NotFoundError as missing:
                self._failure = (ListsNotInstalled(missing.message), time.monotonic())
                raise ListsNotInstalled(missing.message) from None
            except InstalledListUnreadable as unreadable:
                self._failure = (unreadable, time.monotonic())
                raise
            if self._law is None:
                self._law = load_law()
            self._loaded = LoadedLists(screening, self._law)
            self._failure = None
            return self._loaded


def _installed_screening(settings: Settings) -> Screening:
    """The installed lists through their persisted index, rebuilt (and logged) when it is
    missing or stale."""
    try:
        return read_index(
            index_file(settings.data_dir),
            settings.data_dir,
            max_age_days=settings.list_max_age_days,
        )
    except IndexUnusable as unusable:
        return rebuild_index(settings, unusable.message, _log.info)
