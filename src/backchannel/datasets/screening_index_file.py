"""The screening index of the installed lists, kept in the data folder between runs.

``backchannel screen NAME`` would otherwise read the UN and OFAC lists and index them on
every call, seconds each time. The surfaces first try the persisted index
(``screening.index_store.read_or_rebuild``, which needs nothing from this package, whose
import alone takes half a second); when it is missing or no longer current,
``rebuild_index`` screens from the installed lists as ``designation_lists.load_screening``
always has and writes the index for the next call. ``indexed_screening`` does both for
callers that have imported this package anyway (the analysis inputs, the web).

The index records what it was built from: each designation list's ``installed.json``
(which a pull rewrites, with the files' SHA-256) and every file it names, with their
SHA-256 taken before the build, plus the code here that chooses and reads the files. Any
change to one of them makes the index stale, and a stale index is never used.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from backchannel.datasets import designation_lists, list_check
from backchannel.datasets.designation_lists import LIST_DATASETS, load_screening
from backchannel.datasets.listing import INSTALLED_JSON, installed_dataset
from backchannel.screening import index_store
from backchannel.screening.screen import Screening
from backchannel.settings import Settings

__all__ = ["index_dependencies", "indexed_screening", "rebuild_index"]


def index_dependencies(settings: Settings) -> list[Path]:
    """The files an index of the installed lists is built from: each list's record
    (present or not), the files the record names, and the code that reads them."""
    files: list[Path] = []
    for dataset_id in LIST_DATASETS:
        folder = settings.datasets_dir / dataset_id
        files.append(folder / INSTALLED_JSON)
        record = installed_dataset(settings, dataset_id)
        files.extend(folder / installed.name for installed in record.files)
    files.extend(Path(module.__file__ or "") for module in (designation_lists, list_check))
    return files


def rebuild_index(settings: Settings, reason: str, notice: Callable[[str], None]) -> Screening:
    """Screen from the installed lists, and persist the index for the next call.

    ``reason`` says why the persisted index could not be used; ``notice`` is given one
    line saying so before the lists are read (nothing when no list is installed: the
    ``NotFoundError`` of ``load_screening`` says how to install them). The index is
    written only when no list changed during the build; failing to write it is noticed
    and the screening returned all the same.
    """
    if not any(installed_dataset(settings, d).installed for d in LIST_DATASETS):
        return load_screening(settings)  # raises NotFoundError, saying how to install them
    dependencies = index_dependencies(settings)
    before = index_store.file_digests(dependencies, settings.data_dir)
    notice(f"{reason}: building it from the installed lists (a few seconds)")
    screening = load_screening(settings)
    if index_store.file_digests(dependencies, settings.data_dir) != before:
        notice("the installed lists changed while they were read: the index was not saved")
        return screening
    try:
        index_store.write_index(index_store.index_file(settings.data_dir), screening, before)
    except OSError as error:
        notice(f"the screening index could not be saved ({error.strerror or error})")
    except ValueError as error:  # an index the format cannot hold: screen all the same
        notice(f"the screening index could not be saved ({error})")
    return screening


def indexed_screening(settings: Settings, notice: Callable[[str], None]) -> Screening:
    """The installed lists through their persisted index, rebuilt when it is missing or
    stale (``notice`` is told why, as by ``rebuild_index``).

    ``NotFoundError`` when no list is installed; ``InstalledListUnreadable`` when an
    installed list cannot be read.
    """
    return index_store.read_or_rebuild(
        settings.data_dir,
        max_age_days=settings.list_max_age_days,
        rebuild=lambda reason: rebuild_index(settings, reason, notice),
    )
