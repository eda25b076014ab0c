"""The installed designation lists, read and indexed for screening.

The UN Security Council consolidated list and OFAC's SDN list are installed by
``backchannel data pull un-sanctions ofac-sdn``; this reads whichever of them is there
(the screening names the lists it used) into one ``Screening``. The command line and the
web workspace both screen against what this gives.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from backchannel.datasets.install import file_path
from backchannel.errors import NotFoundError
from backchannel.screening.entity import ReadResult
from backchannel.screening.lists import load_lists
from backchannel.screening.read_ofac import read_ofac
from backchannel.screening.read_un import read_un
from backchannel.screening.screen import Screening
from backchannel.settings import Settings

#: The installed files of each list, as the data manifest names them.
UN_FILE = "un_consolidated.xml"
OFAC_FILES = ("ofac_sdn.csv", "ofac_alt.csv", "ofac_add.csv")


def load_screening(settings: Settings, lists: list[Path] | None = None) -> Screening:
    """The list files given, else the installed UN and OFAC lists, indexed for screening.

    ``NotFoundError`` (saying how to install them) when no list is given or installed.
    """
    if lists:
        return Screening(load_lists(*lists))
    results: list[ReadResult] = []
    # Either list may be missing; the screening says which lists it used.
    with contextlib.suppress(NotFoundError):
        results.append(read_un(file_path(settings, "un-sanctions", UN_FILE)))
    with contextlib.suppress(NotFoundError):
        sdn, alt, add = (file_path(settings, "ofac-sdn", name) for name in OFAC_FILES)
        results.append(read_ofac(sdn, alt, add))
    if not results:
        raise NotFoundError(
            "no designation list is installed: run `backchannel data pull un-sanctions "
            "ofac-sdn` (add --mirror DIR when offline), or pass --list FILE"
        )
    return Screening(results)
