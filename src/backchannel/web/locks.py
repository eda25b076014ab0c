"""One lock per case, so that two writes to one case never overlap.

A record is added by reading the case, extending it and saving it whole; two such writes
at once would each save a case without the other's record. This serialises them within
one server process (the workspace runs as one).
"""

from __future__ import annotations

import threading


class CaseLocks:
    """A lock per case id, made on first use."""

    def __init__(self) -> None:
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def __call__(self, case_id: str) -> threading.Lock:
        """The lock of ``case_id``."""
        with self._guard:
            return self._locks.setdefault(case_id, threading.Lock())
