"""What is installed: the records of ``settings.datasets_dir / <id> / installed.json``.

``installed`` lists every data set of the manifest with its installation; ``file_paths``
and ``file_path`` hand other modules the paths of installed files.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from backchannel.datasets.manifest import MANIFEST, dataset_spec
from backchannel.datasets.records import InstalledDataset, Status
from backchannel.datasets.specs import DatasetSpec
from backchannel.errors import NotFoundError
from backchannel.settings import Settings

__all__ = [
    "INSTALLED_JSON",
    "file_path",
    "file_paths",
    "installed",
    "installed_dataset",
    "read_installed",
]

INSTALLED_JSON = "installed.json"


def installed(
    settings: Settings, manifest: Sequence[DatasetSpec] = MANIFEST
) -> list[InstalledDataset]:
    """Every data set of the manifest with its installation, in manifest order.

    Not installed ones have ``installed`` false and status "not installed"; one whose
    ``installed.json`` cannot be read or whose files are missing shows as "damaged" with
    the reason in ``problem``.
    """
    return [read_installed(settings, spec) for spec in manifest]


def installed_dataset(
    settings: Settings, dataset_id: str, manifest: Sequence[DatasetSpec] = MANIFEST
) -> InstalledDataset:
    """The installation of one data set, as ``installed`` reports it; ``NotFoundError`` for
    an id the manifest lacks."""
    return read_installed(settings, dataset_spec(dataset_id, manifest))


def read_installed(settings: Settings, spec: DatasetSpec) -> InstalledDataset:
    """The installation of ``spec``: its record, a blank one, or a damaged one."""
    folder = settings.datasets_dir / spec.id
    record_path = folder / INSTALLED_JSON
    blank = InstalledDataset(
        id=spec.id,
        title=spec.title,
        version=spec.version,
        licence=spec.licence,
        citation=spec.citation,
    )
    if not record_path.is_file():
        return blank
    try:
        data = json.loads(record_path.read_text(encoding="utf-8"))
        record = InstalledDataset.model_validate(data)
    except (OSError, ValueError, ValidationError) as exc:
        problem = f"cannot read {record_path}: {exc}"
        return blank.model_copy(update={"status": Status.DAMAGED, "problem": problem})
    missing = [f.name for f in record.files if not (folder / f.name).is_file()]
    if missing:
        problem = f"missing file(s) in {folder}: {', '.join(missing)}"
        return record.model_copy(update={"status": Status.DAMAGED, "problem": problem})
    return record


def file_paths(
    settings: Settings, dataset_id: str, manifest: Sequence[DatasetSpec] = MANIFEST
) -> list[Path]:
    """The paths of every installed file of ``dataset_id``, in install order.

    Raises ``NotFoundError`` for an unknown id, or when the data set is not installed
    (saying to run ``backchannel data pull``).
    """
    spec = dataset_spec(dataset_id, manifest)
    record = read_installed(settings, spec)
    pull_hint = f"run `backchannel data pull {dataset_id}` (add --mirror DIR when offline)"
    if not record.installed:
        raise NotFoundError(f"data set {dataset_id} is not installed: {pull_hint}")
    if record.status is Status.DAMAGED:
        raise NotFoundError(f"data set {dataset_id} is damaged ({record.problem}): {pull_hint}")
    folder = settings.datasets_dir / dataset_id
    return [folder / f.name for f in record.files]


def file_path(
    settings: Settings,
    dataset_id: str,
    file_name: str | None = None,
    manifest: Sequence[DatasetSpec] = MANIFEST,
) -> Path:
    """The path of one installed file of ``dataset_id``, for other modules to read.

    ``file_name`` may be omitted when the data set has one installed file. Raises
    ``NotFoundError`` when the data set or file is not installed (saying to run
    ``backchannel data pull``), or when ``file_name`` is omitted but several are installed.
    """
    paths = file_paths(settings, dataset_id, manifest)
    names = ", ".join(p.name for p in paths)
    if file_name is None:
        if len(paths) == 1:
            return paths[0]
        raise NotFoundError(
            f"data set {dataset_id} has {len(paths)} installed files ({names}): name one"
        )
    for path in paths:
        if path.name == file_name:
            return path
    raise NotFoundError(
        f"data set {dataset_id} has no installed file {file_name!r} (installed: {names}); "
        f"run `backchannel data pull {dataset_id}` to reinstall it"
    )
