"""Where each file of a pull comes from: a mirror's files, a producer's address, ACLED's API.

``sources`` gives, for one file of the manifest, the ``fetch.Source`` objects to install:
each file of a mirror that matches, else the upstream file (the configured or manifest
address, moved under ``settings.upstream_base``; the newest monthly release; ACLED's API),
made conditional on the installed copy's validators when that copy is intact.
``skip_reason`` says why a pull of all data sets leaves one out.
"""

from __future__ import annotations

from pathlib import Path

from backchannel.datasets.acled import require_credentials
from backchannel.datasets.download import DownloadPolicy, Validators
from backchannel.datasets.fetch import Source, acled_fetch, mirror_fetch, url_fetch
from backchannel.datasets.records import InstalledFile, Publication
from backchannel.datasets.specs import DatasetSpec, FileSpec
from backchannel.datasets.upstream import (
    address,
    monthly_of_name,
    newest_monthly,
    override_keys,
    through_base,
)
from backchannel.errors import ConfigurationError, DataUnavailableError
from backchannel.settings import Settings

__all__ = ["NOT_IN_A_MIRROR", "no_address", "partial_dir", "skip_reason", "sources"]


def skip_reason(settings: Settings, spec: DatasetSpec, root: Path | None) -> str | None:
    """Why a pull of all data sets leaves ``spec`` out, or ``None`` to pull it."""
    if root is not None:
        if not spec.redistributable:
            return NOT_IN_A_MIRROR.format(id=spec.id)
        if spec.optional and not any(_mirror_matches(root, f) for f in spec.files):
            patterns = ", ".join(f.mirror for f in spec.files)
            return f"the mirror {root} has no file matching {patterns}"
        return None
    for file_spec in spec.files:
        if file_spec.api == "acled":
            try:
                require_credentials(settings)
            except ConfigurationError as exc:
                return exc.message
        elif file_spec.monthly is None and address(settings, spec, file_spec) is None:
            return no_address(spec, file_spec)
    return None


NOT_IN_A_MIRROR = (
    "{id}: its terms forbid redistributing its data, so it is never installed from a "
    "mirror: pull it from the producer's API with your own account "
    "(`backchannel data pull {id}`, without --mirror)"
)


def no_address(spec: DatasetSpec, file_spec: FileSpec) -> str:
    keys = " or ".join(f'"{k}"' for k in override_keys(spec, file_spec))
    return (
        f"{spec.id}: {file_spec.name} has no confirmed download address. Download it from "
        f"{spec.homepage}, place it in a folder as {file_spec.mirror} and run "
        "`backchannel data pull --mirror DIR`; or give its address in "
        f"BACKCHANNEL_UPSTREAM_URLS under {keys}."
    )


def _mirror_matches(root: Path, file_spec: FileSpec) -> list[Path]:
    return sorted(p for p in root.glob(file_spec.mirror) if p.is_file())


def partial_dir(settings: Settings, dataset_id: str) -> Path:
    """Where interrupted downloads of ``dataset_id`` wait to be resumed."""
    return settings.datasets_dir / f".{dataset_id}.partial"


def sources(
    settings: Settings,
    spec: DatasetSpec,
    file_spec: FileSpec,
    *,
    mirror: Path | None,
    intact: dict[str, InstalledFile],
    policy: DownloadPolicy,
) -> list[Source]:
    """The files to install for ``file_spec``: each mirror match, or the upstream file."""
    if mirror is not None:
        return _mirror_sources(spec, file_spec, mirror)
    folder = settings.datasets_dir / spec.id
    partials = partial_dir(settings, spec.id)
    if file_spec.api == "acled":
        require_credentials(settings)
        url = through_base(settings, address(settings, spec, file_spec) or "")
        installed = folder / file_spec.name if file_spec.name in intact else None
        return [Source(file_spec.name, url, acled_fetch(settings, policy, installed))]
    if file_spec.monthly is not None:
        release = newest_monthly(settings, spec, file_spec.monthly, policy)
        published = _monthly_publication(release.month, release.version)
        fetch = url_fetch(
            spec.id,
            release.url,
            member=None,
            partial_dir=partials,
            policy=policy,
            validators=_validators(intact, release.name, release.url),
            version=release.version,
            publication=published,
        )
        return [Source(release.name, release.url, fetch)]
    upstream = address(settings, spec, file_spec)
    if upstream is None:
        raise DataUnavailableError(no_address(spec, file_spec))
    url = through_base(settings, upstream)
    fetch = url_fetch(
        spec.id,
        url,
        member=file_spec.member,
        partial_dir=partials,
        policy=policy,
        validators=_validators(intact, file_spec.name, url),
    )
    return [Source(file_spec.name, url, fetch)]


def _mirror_sources(spec: DatasetSpec, file_spec: FileSpec, mirror: Path) -> list[Source]:
    if not spec.redistributable:
        raise DataUnavailableError(NOT_IN_A_MIRROR.format(id=spec.id))
    matches = _mirror_matches(mirror, file_spec)
    if not matches:
        raise DataUnavailableError(
            f"{spec.id}: the mirror {mirror} has no file matching {file_spec.mirror!r}"
        )
    sources = []
    for path in matches:
        release = monthly_of_name(file_spec.monthly, path.name) if file_spec.monthly else None
        fetch = (
            mirror_fetch(
                path,
                version=release.version,
                publication=_monthly_publication(release.month, release.version),
            )
            if release is not None
            else mirror_fetch(path)
        )
        sources.append(Source(path.name, f"mirror:{path}", fetch))
    return sources


def _monthly_publication(month: str, version: str) -> Publication:
    basis = f"monthly release {version}, named for the month its events cover"
    return Publication.of(month, basis, covers_period=True)


def _validators(intact: dict[str, InstalledFile], name: str, url: str) -> Validators | None:
    """The validators of the installed copy of ``name``, when it is intact and came from
    ``url``: the download then asks whether it changed."""
    installed = intact.get(name)
    if installed is None or installed.source != url:
        return None
    validators = Validators(installed.etag, installed.last_modified)
    return validators if validators else None
