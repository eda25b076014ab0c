"""Installing data sets into ``settings.datasets_dir / <id>``, and finding what is installed.

``pull`` fetches every file of a data set into a staging folder, checks each (checksum,
else layout), reads a designation list whole with its own reader and holds its entry count
(``list_check``), writes ``installed.json`` and swaps the folder in whole, so a refused
file leaves the previous installation untouched, byte for byte. ``installed`` lists the
installations; ``file_paths`` and ``file_path`` hand other modules the paths of installed
files.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from pydantic import ValidationError

from backchannel.datasets.fetch import Fetch, Progress, mirror_fetch, url_fetch
from backchannel.datasets.layouts import LayoutError, Measure, measure
from backchannel.datasets.list_check import ListFile, check_list
from backchannel.datasets.manifest import MANIFEST, dataset_spec
from backchannel.datasets.records import InstalledDataset, InstalledFile, ListRecord, Status
from backchannel.datasets.specs import DatasetSpec, FileSpec
from backchannel.errors import DataUnavailableError, NotFoundError
from backchannel.events.coverage import ExtentKind, FileExtent
from backchannel.events.ucdp_conflicts import ucdp_iso3
from backchannel.settings import Settings

__all__ = [
    "INSTALLED_JSON",
    "file_path",
    "file_paths",
    "installed",
    "installed_dataset",
    "pull",
]

INSTALLED_JSON = "installed.json"
_CHUNK = 1 << 16


def pull(
    settings: Settings,
    ids: Iterable[str] | None = None,
    mirror: Path | str | None = None,
    progress: Progress | None = None,
    manifest: Sequence[DatasetSpec] = MANIFEST,
    *,
    force: bool = False,
) -> list[InstalledDataset]:
    """Install data sets into ``settings.datasets_dir / <id>`` and return their records.

    ``ids`` selects data sets (all when ``None``); an unknown id raises ``NotFoundError``
    before anything is fetched. Files come from ``mirror`` (else ``settings.mirror``) when
    one is given, otherwise from upstream with ``settings.download_timeout``. Each data set
    is staged, checked and then swapped in whole; the first one that cannot be fetched or
    fails its checks raises ``DataUnavailableError`` and keeps its previous installation
    (data sets pulled before it stay installed). ``manifest`` replaces the built-in one,
    e.g. to point a download at another server.

    A designation list is read whole by its screening reader and refused when the reader
    cannot take it or finds no entry; its entry count must not fall more than 20% below
    the installed copy's or the count the manifest declares, unless ``force``. Its record
    keeps the entry count and the publication date the file states (none: undated).
    """
    selected = _select(ids, manifest)
    root = Path(mirror) if mirror is not None else settings.mirror
    if root is not None:
        if not root.is_dir():
            raise DataUnavailableError(f"mirror folder {root} does not exist or is not a folder")
        root = root.resolve()
    settings.datasets_dir.mkdir(parents=True, exist_ok=True)
    done: list[InstalledDataset] = []
    for spec in selected:
        try:
            done.append(_install(settings, spec, root, progress, force=force))
        except DataUnavailableError as exc:
            if done:
                names = ", ".join(d.id for d in done)
                raise DataUnavailableError(
                    f"{exc.message}\n(already installed in this pull: {names})"
                ) from exc
            raise
    return done


def _select(ids: Iterable[str] | None, manifest: Sequence[DatasetSpec]) -> list[DatasetSpec]:
    if ids is None:
        return list(manifest)
    wanted = list(dict.fromkeys(ids))
    known = {s.id for s in manifest}
    unknown = [i for i in wanted if i not in known]
    if unknown:
        valid = ", ".join(s.id for s in manifest)
        raise NotFoundError(f"unknown data set id(s): {', '.join(unknown)}; valid ids: {valid}")
    return [dataset_spec(i, manifest) for i in wanted]


def _staging_prefix(dataset_id: str) -> str:
    return f".{dataset_id}.staging-"


def _remove_leftover_staging(datasets_dir: Path, dataset_id: str) -> None:
    """Remove staging folders of ``dataset_id`` that an interrupted pull left behind."""
    pattern = glob.escape(_staging_prefix(dataset_id)) + "*"
    for leftover in datasets_dir.glob(pattern):
        if leftover.is_dir() and not leftover.is_symlink():
            shutil.rmtree(leftover, ignore_errors=True)


def _install(
    settings: Settings,
    spec: DatasetSpec,
    mirror: Path | None,
    progress: Progress | None,
    *,
    force: bool = False,
) -> InstalledDataset:
    _remove_leftover_staging(settings.datasets_dir, spec.id)
    staging = Path(tempfile.mkdtemp(prefix=_staging_prefix(spec.id), dir=settings.datasets_dir))
    try:
        files: list[InstalledFile] = []
        measures: list[Measure] = []
        list_files: list[ListFile] = []
        for file_spec in spec.files:
            for index, (name, fetch, source) in enumerate(
                _sources(settings, spec, file_spec, mirror)
            ):
                if name == INSTALLED_JSON or any(f.name == name for f in files):
                    raise DataUnavailableError(
                        f"{spec.id}: two files would be installed as {name}; "
                        f"rename the file from {source}"
                    )
                installed_file, file_measure = _stage_file(
                    spec,
                    file_spec,
                    name=name,
                    fetch=fetch,
                    source=source,
                    staging=staging,
                    progress=progress,
                )
                files.append(installed_file)
                measures.append(file_measure)
                if index == 0:  # a list reader takes one file of each of the list's parts
                    list_files.append(ListFile(staging / name, name, source))
        list_record = _checked_list(settings, spec, list_files, force=force)
        record = InstalledDataset(
            id=spec.id,
            title=spec.title,
            version=spec.version,
            installed=True,
            status=_overall_status(files),
            source=f"mirror:{mirror}" if mirror is not None else _common_url(files),
            installed_at=datetime.now(UTC).isoformat(timespec="seconds"),
            licence=spec.licence,
            citation=spec.citation,
            coverage=Measure.combine(measures),
            files=tuple(files),
            designation_list=list_record,
        )
        _write_json_atomic(staging / INSTALLED_JSON, record.as_dict())
        _swap_in(staging, settings.datasets_dir / spec.id)
        return record
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _checked_list(
    settings: Settings, spec: DatasetSpec, staged: Sequence[ListFile], *, force: bool
) -> ListRecord | None:
    """The staged list's record once its reader and the entry-count guard took it; ``None``
    for a data set that is not a designation list."""
    if spec.designation_list is None:
        return None
    current = _read_installed(settings, spec)
    folder = settings.datasets_dir / spec.id
    current_files = [folder / f.name for f in current.files]
    return check_list(
        spec,
        spec.designation_list,
        staged,
        current if current.installed else None,
        current_files,
        force=force,
    )


def _sources(
    settings: Settings, spec: DatasetSpec, file_spec: FileSpec, mirror: Path | None
) -> list[tuple[str, Fetch, str]]:
    """(installed name, writer of the bytes, source label) for each file to install."""
    if mirror is not None:
        matches = sorted(p for p in mirror.glob(file_spec.mirror) if p.is_file())
        if not matches:
            raise DataUnavailableError(
                f"{spec.id}: the mirror {mirror} has no file matching {file_spec.mirror!r}"
            )
        return [(p.name, mirror_fetch(p), f"mirror:{p}") for p in matches]
    if file_spec.url is None:
        raise DataUnavailableError(
            f"{spec.id}: {file_spec.name} has no direct download URL. Download it from "
            f"{spec.homepage}, place it in a folder as {file_spec.mirror} and run "
            "`backchannel data pull --mirror DIR`."
        )
    fetch = url_fetch(spec.id, file_spec, settings.download_timeout)
    return [(file_spec.name, fetch, file_spec.url)]


def _stage_file(
    spec: DatasetSpec,
    file_spec: FileSpec,
    *,
    name: str,
    fetch: Fetch,
    source: str,
    staging: Path,
    progress: Progress | None,
) -> tuple[InstalledFile, Measure]:
    target = staging / name
    fd, part_name = tempfile.mkstemp(prefix=f".{name}.", suffix=".part", dir=staging)
    part = Path(part_name)
    with os.fdopen(fd, "wb") as out:
        fetch(out, progress)
        out.flush()
        os.fsync(out.fileno())
    digest, size = _sha256(part)
    verified = file_spec.sha256 is not None and digest == file_spec.sha256.lower()
    try:
        file_measure = measure(part, file_spec.layout)
    except LayoutError as exc:
        if file_spec.sha256 is None:
            why = "it has no fixed checksum, and its layout is wrong"
        else:
            why = "its SHA-256 does not match the manifest, and its layout is wrong"
        raise DataUnavailableError(
            f"{spec.id}: refused {name} from {source.removeprefix('mirror:')}: {why}: "
            f"{exc.message}. Nothing of {spec.id} was replaced."
        ) from exc
    os.replace(part, target)
    record = InstalledFile(
        name=name,
        source=source,
        sha256=digest,
        size=size,
        status=Status.VERIFIED if verified else Status.LAYOUT_CHECKED,
        coverage=file_measure.coverage(),
        extent=_extent(file_spec.extent_kind(name), file_measure),
    )
    return record, file_measure


def _extent(kind: ExtentKind, file_measure: Measure) -> FileExtent:
    """The extent the manifest declares; a country extract lists the ISO codes of the
    countries found in the file (and the names no code was found for)."""
    if kind is not ExtentKind.COUNTRY_EXTRACT:
        return FileExtent(kind=kind)
    names = sorted(file_measure.countries or ())
    codes = {name: ucdp_iso3(name) for name in names}
    return FileExtent(
        kind=kind,
        countries=tuple(sorted({code for code in codes.values() if code is not None})),
        unmatched=tuple(name for name, code in codes.items() if code is None),
    )


def _sha256(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _overall_status(files: Sequence[InstalledFile]) -> Status:
    if files and all(f.status is Status.VERIFIED for f in files):
        return Status.VERIFIED
    return Status.LAYOUT_CHECKED


def _common_url(files: Sequence[InstalledFile]) -> str:
    urls = [f.source for f in files]
    if len(urls) == 1:
        return urls[0]
    # The longest common run of whole path segments, ending in "/".
    split = [u.split("/") for u in urls]
    common: list[str] = []
    for parts in zip(*split, strict=False):
        if len(set(parts)) != 1:
            break
        common.append(parts[0])
    return "/".join(common) + "/"


def _write_json_atomic(path: Path, data: object) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=2, ensure_ascii=False)
        f.write("\n")
    os.replace(tmp, path)


def _swap_in(staging: Path, target: Path) -> None:
    """Replace ``target`` by ``staging``: two renames, the old copy restored on failure."""
    if not target.exists():
        os.replace(staging, target)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
    old.rmdir()
    os.replace(target, old)
    try:
        os.replace(staging, target)
    except OSError:
        os.replace(old, target)
        raise
    shutil.rmtree(old, ignore_errors=True)


# --------------------------------------------------------------------------- listing


def installed(
    settings: Settings, manifest: Sequence[DatasetSpec] = MANIFEST
) -> list[InstalledDataset]:
    """Every data set of the manifest with its installation, in manifest order.

    Not installed ones have ``installed`` false and status "not installed"; one whose
    ``installed.json`` cannot be read or whose files are missing shows as "damaged" with
    the reason in ``problem``.
    """
    return [_read_installed(settings, spec) for spec in manifest]


def installed_dataset(
    settings: Settings, dataset_id: str, manifest: Sequence[DatasetSpec] = MANIFEST
) -> InstalledDataset:
    """The installation of one data set, as ``installed`` reports it; ``NotFoundError`` for
    an id the manifest lacks."""
    return _read_installed(settings, dataset_spec(dataset_id, manifest))


def _read_installed(settings: Settings, spec: DatasetSpec) -> InstalledDataset:
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
    record = _read_installed(settings, spec)
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
