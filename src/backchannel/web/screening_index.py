"""The designation lists the web workspace screens against, read from the installed data.

Reading the installed UN and OFAC lists and indexing them takes seconds, far too long for
a request, and the index is read-only once built: one copy serves every request of the
app (``InstalledData`` keeps it, and reads it again when an installation changes). It is
read from the index persisted in the data folder (a fraction of a second), which is
rebuilt from the lists, and the rebuild logged, when it is missing or stale.

This module's ``LoadedLists`` is not ``backchannel.screening.index.ScreeningIndex`` (the
blocking index over listed names, which the ``Screening`` it holds contains).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from backchannel.datasets.screening_index_file import indexed_screening
from backchannel.errors import NotFoundError
from backchannel.screening.law import Law
from backchannel.screening.screen import Screening
from backchannel.settings import Settings

_log = logging.getLogger(__name__)


class ListsNotInstalled(NotFoundError):
    """No designation list is installed; the message says how to install them."""


@dataclass(frozen=True)
class LoadedLists:
    """The lists indexed for screening, and the legal rules to assess exposure with."""

    screening: Screening
    law: Law


def load_lists(settings: Settings, law: Law) -> LoadedLists:
    """The installed lists, indexed, with ``law``: ``ListsNotInstalled`` when none is
    installed, ``InstalledListUnreadable`` when an installed one cannot be read."""
    try:
        screening = indexed_screening(settings, _log.info)
    except NotFoundError as missing:
        raise ListsNotInstalled(missing.message) from None
    return LoadedLists(screening, law)
