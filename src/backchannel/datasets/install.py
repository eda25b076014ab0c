"""Installing data sets into ``settings.datasets_dir / <id>``.

``pull_outcomes`` fetches every file of a data set into a staging folder (from a mirror,
a producer's address, or ACLED's API), checks each (checksum, else layout), reads a
designation list whole with its own reader and holds its entry count (``list_check``),
writes ``installed.json`` and swaps the folder in whole, so a refused file leaves the
previous installation untouched, byte for byte. A copy identical to the installed one
(every file's SHA-256 the same, or the server answering that nothing changed) is reported
"up to date" and nothing is rewritten. ``pull`` returns the records alone.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

from backchannel.datasets.download import DownloadPolicy, Progress
from backchannel.datasets.fetch import Source
from backchannel.datasets.layouts import LayoutError, Measure, measure
from backchannel.datasets.list_check import ListFile, check_list
from backchannel.datasets.listing import INSTALLED_JSON, read_installed
from backchannel.datasets.manifest import MANIFEST, dataset_spec
from backchannel.datasets.records import (
    InstalledDataset,
    InstalledFile,
    ListRecord,
    Publication,
    Status,
)
from backchannel.datasets.sources import partial_dir, skip_reason, sources
from backchannel.datasets.specs import DatasetSpec, FileSpec
from backchannel.errors import ConfigurationError, DataUnavailableError, NotFoundError
from backchannel.events.coverage import ExtentKind, FileExtent
from backchannel.events.ucdp_conflicts import ucdp_iso3
from backchannel.settings import Settings

__all__ = ["Action", "PullOutcome", "partial_dir", "pull", "pull_outcomes"]

_CHUNK = 1 << 16


class Action(StrEnum):
    """What a pull did with one data set."""

    INSTALLED = "installed"
    UPDATED = "updated"
    UP_TO_DATE = "up to date"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class PullOutcome:
    """One data set after a pull: its record (the installed one when nothing changed or
    it was skipped), what was done, and why it was skipped."""

    record: InstalledDataset
    action: Action
    note: str = ""


def pull(
    settings: Settings,
    ids: Iterable[str] | None = None,
    mirror: Path | str | None = None,
    progress: Progress | None = None,
    manifest: Sequence[DatasetSpec] = MANIFEST,
    *,
    force: bool = False,
) -> list[InstalledDataset]:
    """Install data sets and return the records of those installed, updated or already up
    to date (not of those skipped); see ``pull_outcomes``."""
    outcomes = pull_outcomes(settings, ids, mirror, progress, manifest, force=force)
    return [o.record for o in outcomes if o.action is not Action.SKIPPED]


def pull_outcomes(
    settings: Settings,
    ids: Iterable[str] | None = None,
    mirror: Path | str | None = None,
    progress: Progress | None = None,
    manifest: Sequence[DatasetSpec] = MANIFEST,
    *,
    force: bool = False,
) -> list[PullOutcome]:
    """Install data sets into ``settings.datasets_dir / <id>`` and say what became of each.

    ``ids`` selects data sets (all when ``None``); an unknown id raises ``NotFoundError``
    before anything is fetched. Files come from ``mirror`` (else ``settings.mirror``) when
    one is given, otherwise from upstream (``settings.upstream_urls`` and
    ``settings.upstream_base`` apply) with the download settings' timeouts and retries.
    Each data set is staged, checked and then swapped in whole; the first one that cannot
    be fetched or fails its checks raises ``DataUnavailableError`` (``ConfigurationError``
    for ACLED without credentials) and keeps its previous installation (data sets pulled
    before it stay installed). ``manifest`` replaces the built-in one.

    When all are pulled, a data set that cannot be pulled this way is skipped with the
    reason: ACLED from a mirror (its terms forbid redistribution) or without credentials,
    an optional data set the mirror lacks, a file without a confirmed upstream address.
    Asked for by id, the same raises.

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
    policy = DownloadPolicy.of(settings)
    done: list[PullOutcome] = []
    for spec in selected:
        skip = None if ids is not None else skip_reason(settings, spec, root)
        if skip is not None:
            done.append(PullOutcome(read_installed(settings, spec), Action.SKIPPED, skip))
            continue
        try:
            done.append(_install(settings, spec, root, progress, policy, force=force))
        except (DataUnavailableError, ConfigurationError) as exc:
            pulled = [o.record.id for o in done if o.action is not Action.SKIPPED]
            if pulled:
                raise type(exc)(
                    f"{exc.message}\n(already installed in this pull: {', '.join(pulled)})"
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


# --------------------------------------------------------------------------- one data set


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
    policy: DownloadPolicy,
    *,
    force: bool = False,
) -> PullOutcome:
    _remove_leftover_staging(settings.datasets_dir, spec.id)
    current = read_installed(settings, spec)
    intact = _intact_files(settings, current)
    staging = Path(tempfile.mkdtemp(prefix=_staging_prefix(spec.id), dir=settings.datasets_dir))
    try:
        files: list[InstalledFile] = []
        measures: list[Measure] = []
        list_files: list[ListFile] = []
        version: str | None = None
        publication: Publication | None = None
        for file_spec in spec.files:
            file_sources = sources(
                settings, spec, file_spec, mirror=mirror, intact=intact, policy=policy
            )
            for index, source in enumerate(file_sources):
                if source.name == INSTALLED_JSON or any(f.name == source.name for f in files):
                    raise DataUnavailableError(
                        f"{spec.id}: two files would be installed as {source.name}; "
                        f"rename the file from {source.label}"
                    )
                staged = _stage_file(
                    settings, spec, file_spec, source, staging=staging, progress=progress
                )
                files.append(staged.record)
                measures.append(staged.measure)
                version = version or staged.version
                publication = publication or staged.publication
                if index == 0:  # a list reader takes one file of each of the list's parts
                    list_files.append(ListFile(staging / source.name, source.name, source.label))
        if _unchanged(spec, current, intact, files):
            return PullOutcome(current, Action.UP_TO_DATE)
        list_record = _checked_list(settings, spec, current, list_files, force=force)
        record = InstalledDataset(
            id=spec.id,
            title=spec.title,
            version=version or spec.version,
            installed=True,
            status=_overall_status(files),
            source=f"mirror:{mirror}" if mirror is not None else _common_url(files),
            installed_at=datetime.now(UTC).isoformat(timespec="seconds"),
            licence=spec.licence,
            citation=spec.citation,
            coverage=Measure.combine(measures),
            files=tuple(files),
            designation_list=list_record,
            publication=_publication(spec, list_record, publication),
        )
        _write_json_atomic(staging / INSTALLED_JSON, record.as_dict())
        _swap_in(staging, settings.datasets_dir / spec.id)
        action = Action.UPDATED if current.installed else Action.INSTALLED
        return PullOutcome(record, action)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        _clear_partials(settings, spec.id)


def _intact_files(settings: Settings, current: InstalledDataset) -> dict[str, InstalledFile]:
    """The installed files whose bytes still have the SHA-256 their record holds, by name."""
    if not current.installed or current.status is Status.DAMAGED:
        return {}
    folder = settings.datasets_dir / current.id
    return {f.name: f for f in current.files if _sha256(folder / f.name)[0] == f.sha256}


def _unchanged(
    spec: DatasetSpec,
    current: InstalledDataset,
    intact: dict[str, InstalledFile],
    staged: Sequence[InstalledFile],
) -> bool:
    """Whether the staged copy is the installed one, intact, with a complete record."""
    if len(intact) != len(current.files) or not current.files:
        return False
    if spec.designation_list is not None and current.designation_list is None:
        return False  # a record from before list counts: reinstall to record the count
    return [(f.name, f.sha256) for f in current.files] == [(f.name, f.sha256) for f in staged]


def _clear_partials(settings: Settings, dataset_id: str) -> None:
    """Remove the data set's partial folder once nothing in it is left to resume."""
    # absent, or holding a download a later pull will resume: then it stays
    with contextlib.suppress(OSError):
        partial_dir(settings, dataset_id).rmdir()


def _checked_list(
    settings: Settings,
    spec: DatasetSpec,
    current: InstalledDataset,
    staged: Sequence[ListFile],
    *,
    force: bool,
) -> ListRecord | None:
    """The staged list's record once its reader and the entry-count guard took it; ``None``
    for a data set that is not a designation list."""
    if spec.designation_list is None:
        return None
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


def _publication(
    spec: DatasetSpec, list_record: ListRecord | None, from_source: Publication | None
) -> Publication | None:
    """When the producer published the copy: the date a list states, the release a source
    names, or the manifest's date of the pinned release; ``None``: undated."""
    if list_record is not None:
        if list_record.published is None:
            return None
        stated = list_record.published.isoformat()
        return Publication.of(stated, "the publication date the list's file states")
    if from_source is not None:
        return from_source
    if spec.published:
        return Publication.of(spec.published, f"the producer's date of release {spec.version}")
    return None


# --------------------------------------------------------------------------- one file


@dataclass(frozen=True)
class _Staged:
    record: InstalledFile
    measure: Measure
    version: str | None
    publication: Publication | None


def _stage_file(
    settings: Settings,
    spec: DatasetSpec,
    file_spec: FileSpec,
    source: Source,
    *,
    staging: Path,
    progress: Progress | None,
) -> _Staged:
    target = staging / source.name
    outcome = source.fetch(target, progress)
    if outcome.not_modified:
        # The server says the installed copy is current (it was found intact): stage it.
        shutil.copyfile(settings.datasets_dir / spec.id / source.name, target)
    if not spec.redistributable:
        target.chmod(0o600)  # the producer's terms keep it to the user's own store
    digest, size = _sha256(target)
    verified = file_spec.sha256 is not None and digest == file_spec.sha256.lower()
    try:
        file_measure = measure(target, file_spec.layout)
    except LayoutError as exc:
        if file_spec.sha256 is None:
            why = "it has no fixed checksum, and its layout is wrong"
        else:
            why = "its SHA-256 does not match the manifest, and its layout is wrong"
        raise DataUnavailableError(
            f"{spec.id}: refused {source.name} from {source.label.removeprefix('mirror:')}: "
            f"{why}: {exc.message}. Nothing of {spec.id} was replaced."
        ) from exc
    record = InstalledFile(
        name=source.name,
        source=source.label,
        sha256=digest,
        size=size,
        status=Status.VERIFIED if verified else Status.LAYOUT_CHECKED,
        coverage=file_measure.coverage(),
        extent=_extent(file_spec.extent_kind(source.name), file_measure),
        etag=outcome.validators.etag,
        last_modified=outcome.validators.last_modified,
    )
    return _Staged(record, file_measure, outcome.version, outcome.publication)


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
    try:
        with path.open("rb") as f:
            while chunk := f.read(_CHUNK):
                digest.update(chunk)
                size += len(chunk)
    except OSError:
        return "", 0
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
