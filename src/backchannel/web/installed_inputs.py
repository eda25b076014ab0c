"""The installed data a case's analysis reads in the web workspace, loaded once per process.

The dashboard, the assessment API and the brief analyse a case with whatever is installed,
as ``backchannel assess`` does: event data (for the alerts), the designation lists (for the
legal constraints), the EWP predictors and the evidence panel's files. Reading them takes
seconds, so a server process reads them once, at start when it is asked to preload (as
``backchannel serve`` does) or else on its first analysis, and keeps them. The designation
lists are the very ones the screening page holds (``LazyScreening``): one copy per process.
An installed list that cannot be read leaves the analyses without lists (they name them as
missing, so no counterpart passes for clear); the screening page says what is wrong.

Data pulled while the server runs are read by the next server start.
"""

from __future__ import annotations

import logging
import threading

from backchannel.datasets.analysis_inputs import AnalysisInputs, installed_inputs
from backchannel.datasets.designation_lists import InstalledListUnreadable
from backchannel.screening.screen import Screening
from backchannel.settings import Settings
from backchannel.web.screening_index import LazyScreening, ListsNotInstalled

log = logging.getLogger(__name__)


class LazyAnalysisInputs:
    """The process's one ``AnalysisInputs``, read on first use (or by ``preload``)."""

    def __init__(self, settings: Settings, screening: LazyScreening) -> None:
        self.settings = settings
        self.screening = screening
        self._inputs: AnalysisInputs | None = None
        self._lock = threading.Lock()

    def get(self) -> AnalysisInputs:
        """The installed inputs; read now if this is the first call (others wait for it)."""
        inputs = self._inputs
        if inputs is not None:  # the common case: no lock once read
            return inputs
        with self._lock:
            if self._inputs is None:
                self._inputs = self._read()
            return self._inputs

    def preload(self) -> threading.Thread:
        """Read the inputs in a background thread, so the first analysis does not wait."""

        def read() -> None:
            try:
                missing = self.get().missing()
            except Exception:  # a broken file must not kill the server: pages say so later
                log.exception("reading the installed analysis inputs failed")
                return
            if missing:
                log.info("analyses run without: %s (not installed)", ", ".join(missing))

        thread = threading.Thread(target=read, name="backchannel-preload", daemon=True)
        thread.start()
        return thread

    def _read(self) -> AnalysisInputs:
        return installed_inputs(self.settings, lists=self._lists)

    def _lists(self) -> Screening | None:
        try:
            return self.screening.get(self.settings).screening
        except ListsNotInstalled:
            return None
        except InstalledListUnreadable as unreadable:
            log.warning("analyses run without designation lists: %s", unreadable.message)
            return None
