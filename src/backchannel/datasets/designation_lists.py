"""The installed designation lists, read and indexed for screening.

The UN Security Council consolidated list and OFAC's SDN list are installed by
``backchannel data pull un-sanctions ofac-sdn``; this reads whichever of them is there
(the screening names the lists it used) into one ``Screening``, which holds each list's
copy to ``settings.list_max_age_days``. The command line and the web workspace both screen
against what this gives.

An installed list that its reader cannot take (a file damaged after it was installed) is
an ``InstalledListUnreadable`` naming the list and the file by its name only, with the
command that reinstalls it: never skipped, since a screening that quietly leaves a list
out would call its designated clear.
"""

from __future__ import annotations

from pathlib import Path

from backchannel.datasets.list_check import read_list
from backchannel.datasets.listing import file_paths
from backchannel.datasets.manifest import dataset_spec
from backchannel.errors import DataUnavailableError, InvalidInputError, NotFoundError
from backchannel.screening.entity import ReadResult
from backchannel.screening.lists import load_lists
from backchannel.screening.screen import Screening
from backchannel.settings import Settings

#: The designation lists screening reads when installed, in the order they are searched.
LIST_DATASETS = ("un-sanctions", "ofac-sdn")
#: Problems quoted when an installed list cannot be read.
_SHOWN = 3


class InstalledListUnreadable(DataUnavailableError):
    """An installed designation list its reader cannot take; the message names the list,
    the file (by name, never by its place on disk) and how to reinstall it."""


def load_screening(settings: Settings, lists: list[Path] | None = None) -> Screening:
    """The list files given, else the installed UN and OFAC lists, indexed for screening.

    ``NotFoundError`` (saying how to install them) when no list is given or installed;
    ``InstalledListUnreadable`` when an installed list cannot be read.
    """
    age = settings.list_max_age_days
    if lists:
        return Screening(load_lists(*lists), max_age_days=age)
    results: list[ReadResult] = []
    for dataset_id in LIST_DATASETS:
        # Either list may be missing; the screening says which lists it used.
        try:
            paths = file_paths(settings, dataset_id)
        except NotFoundError:
            continue
        results.append(_read_installed_list(dataset_id, paths))
    if not results:
        raise NotFoundError(
            "no designation list is installed: run `backchannel data pull un-sanctions "
            "ofac-sdn` (add --mirror DIR when offline), or pass --list FILE"
        )
    return Screening(results, max_age_days=age)


def _read_installed_list(dataset_id: str, paths: list[Path]) -> ReadResult:
    spec = dataset_spec(dataset_id)
    check = spec.designation_list
    assert check is not None, f"{dataset_id} is not a designation list in the manifest"
    try:
        return read_list(check.reader, paths)
    except (InvalidInputError, ValueError) as error:
        raise InstalledListUnreadable(_unreadable_message(spec.title, dataset_id, error)) from None


def _unreadable_message(title: str, dataset_id: str, error: Exception) -> str:
    if isinstance(error, InvalidInputError):
        name = Path(error.source).name if error.source else "its file"
        problems = "; ".join(p.describe(name) for p in error.problems[:_SHOWN])
    else:
        problems = "its installed files are not the ones the manifest names"
    return (
        f"The installed {title} cannot be read ({problems}). An administrator must "
        f"reinstall it: `backchannel data pull {dataset_id}` (add --mirror DIR when offline)."
    )
