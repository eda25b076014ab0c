"""Everything the web workspace reads from the installed data, held by one object per app.

The screening page screens against the designation lists; the dashboard, the assessment
API and the brief analyse a case with event data, the UCDP armed conflicts, the lists, the
EWP predictors and the evidence panel's files (``AnalysisInputs``), as ``backchannel
assess`` does. Reading them takes seconds, so ``InstalledData`` reads each once and hands
the same copy to every request, and to every page: the lists the screening page uses are
the very ones the analyses use.

What is kept belongs to one state of the installation (``InstallationState``): the
identity (modification time in nanoseconds, size, inode) of each data set's
``installed.json``, which an install writes into a fresh folder swapped in whole, so
every pull that changes a data set gives a new identity, and a removal gives none; and
that of every event file ingested into the data folder. Each request compares the state
(a few dozen ``stat`` calls) with the one its copy was read in, and a change starts a new
generation, read afresh on first use. So a list pulled while the server runs is seen by
the next request of every page, and so is a data set removed; "not installed" and "cannot
be read" are remembered only as long as the installation stays as it was.

Each thing is read once per generation however many threads ask for it at once: the
first reads it under a lock, the others wait for that copy. ``preload`` reads the
analysis inputs ahead in a background thread (``backchannel serve`` asks for it).
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from backchannel.datasets.analysis_inputs import AnalysisInputs, installed_inputs
from backchannel.datasets.designation_lists import InstalledListUnreadable
from backchannel.datasets.listing import INSTALLED_JSON
from backchannel.datasets.manifest import MANIFEST
from backchannel.datasets.specs import DatasetSpec
from backchannel.errors import BackchannelError
from backchannel.screening.law import Law, load_law
from backchannel.screening.screen import Screening
from backchannel.settings import Settings
from backchannel.web.screening_index import ListsNotInstalled, LoadedLists, load_lists

log = logging.getLogger(__name__)

T = TypeVar("T")

#: A file's identity: modification time (ns), size and inode; ``None`` when it is absent.
FileIdentity = tuple[int, int, int]


@dataclass(frozen=True)
class InstallationState:
    """What the installed data are at one moment, file identities compared, not contents.

    ``records`` holds, for each data set of the manifest, the identity of its
    ``installed.json`` (``None``: not installed); ``ingested_events`` the name and identity
    of each event file ingested into ``data_dir / "events"``.
    """

    records: tuple[tuple[str, FileIdentity | None], ...]
    ingested_events: tuple[tuple[str, FileIdentity], ...]


def installation_state(
    settings: Settings, manifest: Sequence[DatasetSpec] = MANIFEST
) -> InstallationState:
    """The state of the installation under ``settings``: cheap enough for every request."""
    records = tuple(
        (spec.id, _identity(settings.datasets_dir / spec.id / INSTALLED_JSON)) for spec in manifest
    )
    ingested: list[tuple[str, FileIdentity]] = []
    with contextlib.suppress(FileNotFoundError, NotADirectoryError):  # none ingested
        for entry in os.scandir(settings.data_dir / "events"):
            if entry.name.endswith(".parquet"):
                found = entry.stat()
                ingested.append((entry.name, (found.st_mtime_ns, found.st_size, found.st_ino)))
    return InstallationState(records, tuple(sorted(ingested)))


@dataclass(frozen=True)
class InstalledInputs:
    """A case analysis's inputs and the generation of the installation they were read in
    (a new generation: the analyses made with older inputs are out of date)."""

    generation: int
    inputs: AnalysisInputs


class InstalledData:
    """The app's one holder of the installed data, read on first use in each generation."""

    def __init__(self, settings: Settings, manifest: Sequence[DatasetSpec] = MANIFEST) -> None:
        self.settings = settings
        self._manifest = manifest
        self._lock = threading.Lock()  # guards the generation and the legal rules
        self._generation = _Generation(0, None)
        self._law: Law | None = None
        self._provided: LoadedLists | None = None

    def law(self) -> Law:
        """The legal rules (packaged), read once: needed even when no list is installed."""
        with self._lock:
            if self._law is None:
                self._law = load_law()
            return self._law

    def provide(self, screening: Screening, law: Law | None = None) -> None:
        """Screen against ``screening`` (already built, as tests do) instead of the installed
        lists, whatever is installed, from now on."""
        loaded = LoadedLists(screening, law or self.law())
        with self._lock:
            self._provided = loaded
            self._generation = _Generation(self._generation.number + 1, None)

    def lists(self) -> LoadedLists:
        """The installed designation lists, indexed: ``ListsNotInstalled`` when none is
        installed, ``InstalledListUnreadable`` when an installed one cannot be read."""
        provided = self._provided
        if provided is not None:
            return provided
        return self._current().lists.get(lambda: load_lists(self.settings, self.law()))

    def inputs(self) -> InstalledInputs:
        """The installed inputs of a case's analysis, with their generation."""
        generation = self._current()
        inputs = generation.inputs.get(self._read_inputs)
        return InstalledInputs(generation.number, inputs)

    def _current(self) -> _Generation:
        """The generation of the installation as it is now: the kept one while nothing
        changed, else a new, empty one."""
        with self._lock:
            # Read under the lock: two requests seeing the state at different moments of an
            # install must not replace each other's generation back and forth.
            state = installation_state(self.settings, self._manifest)
            kept = self._generation
            if kept.state != state:
                if kept.state is not None:
                    log.info("the installed data changed: reading them again when asked")
                kept = self._generation = _Generation(kept.number + 1, state)
            return kept

    def preload(self) -> threading.Thread:
        """Read the analysis inputs in a background thread, so the first analysis does not
        wait."""

        def read() -> None:
            try:
                missing = self.inputs().inputs.missing()
            except Exception:  # a broken file must not kill the server: pages say so later
                log.exception("reading the installed analysis inputs failed")
                return
            if missing:
                log.info("analyses run without: %s (not installed)", ", ".join(missing))

        thread = threading.Thread(target=read, name="backchannel-preload", daemon=True)
        thread.start()
        return thread

    def _read_inputs(self) -> AnalysisInputs:
        log.info("reading the installed analysis inputs")
        return installed_inputs(self.settings, lists=self._lists_if_readable)

    def _lists_if_readable(self) -> Screening | None:
        """The lists for an analysis; without them it names them as missing, so no
        counterpart passes for clear, and the screening page says what is wrong."""
        try:
            return self.lists().screening
        except ListsNotInstalled:
            return None
        except InstalledListUnreadable as unreadable:
            log.warning("analyses run without designation lists: %s", unreadable.message)
            return None


class _Once(Generic[T]):
    """A value read once on first use, however many threads ask at once; a failure the
    reader raises on purpose (a list missing or unreadable) is kept and raised again."""

    def __init__(self, kept_failures: tuple[type[BackchannelError], ...] = ()) -> None:
        self._lock = threading.Lock()
        self._value: T | None = None
        self._failure: BackchannelError | None = None
        self._kept_failures = kept_failures

    def get(self, read: Callable[[], T]) -> T:
        with self._lock:
            if self._value is None and self._failure is None:
                try:
                    self._value = read()
                except self._kept_failures as met:
                    self._failure = met
            if self._value is not None:
                return self._value
            kept = self._failure
        assert kept is not None
        # a new error each time: one object raised in several threads would share a traceback
        raise type(kept)(kept.message)


class _Generation:
    """What was read in one state of the installation (``None``: not yet looked at)."""

    def __init__(self, number: int, state: InstallationState | None) -> None:
        self.number = number
        self.state = state
        self.lists: _Once[LoadedLists] = _Once((ListsNotInstalled, InstalledListUnreadable))
        self.inputs: _Once[AnalysisInputs] = _Once()


def _identity(path: Path) -> FileIdentity | None:
    try:
        found = path.stat()
    except FileNotFoundError:
        return None
    return found.st_mtime_ns, found.st_size, found.st_ino
