"""Fixtures for pulls from a local stand-in of the producers' servers.

The stand-in serves the real mirror's files at the manifest's own upstream addresses
(UCDP's as the zip archives UCDP publishes), a monthly GED candidate release made of
real GED rows, PA-X at an address given through ``BACKCHANNEL_UPSTREAM_URLS``, and a
fake of ACLED's API. Settings point ``upstream_base`` at it, with small timeouts and
backoff so that the failure cases stay fast.
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from backchannel.datasets import MANIFEST
from backchannel.datasets.upstream import monthly_file
from backchannel.settings import Settings
from tests.conftest import mirror_path
from tests.datasets.upstream_server import Upstream, serving

#: Where the PA-X export is served, given to the pull through BACKCHANNEL_UPSTREAM_URLS.
PAX_URL = "https://www.peaceagreements.org/export/pax_all_agreements_data_v6.csv"
#: The GED file the stand-in zips as UCDP's GEDEvent_v23_1.csv (the real 1,000-event sample).
GED_SAMPLE = "ucdp/ged231_global_sample_1000.csv"


def candidate_month(today: dt.date | None = None) -> tuple[int, int]:
    """The month the stand-in's newest candidate release covers: two months before
    ``today``'s, so that the month before (not yet published) answers 404 first."""
    day = today or dt.date.today()
    year, month = day.year, day.month - 2
    if month < 1:
        year, month = year - 1, month + 12
    return year, month


def _zip(member: str, data: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(member, data)
        zf.writestr("codebook-elsewhere.txt", "see the producer's page")
    return buffer.getvalue()


def build_upstream_tree(mirror: Path, upstream: Upstream) -> None:
    """Place every upstream file of the manifest where the stand-in serves it."""
    for spec in MANIFEST:
        for file_spec in spec.files:
            if file_spec.api is not None:
                continue
            if file_spec.monthly is not None:
                year, month = candidate_month()
                release = monthly_file(file_spec.monthly, year, month)
                upstream.place(release.url, (mirror / GED_SAMPLE).read_bytes())
                continue
            if file_spec.url is None:
                upstream.place(PAX_URL, (mirror / file_spec.mirror).read_bytes())
                continue
            source = mirror / (GED_SAMPLE if spec.id == "ucdp-ged" else file_spec.mirror)
            data = source.read_bytes()
            if file_spec.member is not None:
                member = file_spec.member if "*" not in file_spec.member else source.name
                data = _zip(member, data)
            upstream.place(file_spec.url, data)


@pytest.fixture(scope="module")
def upstream_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Upstream]:
    """The stand-in server over a copy of the mirror laid out by upstream address."""
    mirror = mirror_path()
    if mirror is None:
        pytest.skip("no data mirror: set BACKCHANNEL_MIRROR or place ../shared/data")
    root = tmp_path_factory.mktemp("upstream")
    with serving(root) as upstream:
        build_upstream_tree(mirror, upstream)
        yield upstream
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def upstream(upstream_site: Upstream) -> Iterator[Upstream]:
    """The stand-in, with no fault, no ACLED event and an empty log."""
    upstream_site.reset()
    yield upstream_site
    upstream_site.reset()


def pull_settings(tmp_path: Path, upstream: Upstream, **overrides: object) -> Settings:
    """Settings that pull from the stand-in, with small timeouts and backoff."""
    values: dict[str, object] = {
        "data_dir": tmp_path / "data",
        "mirror": None,
        "upstream_base": upstream.base,
        "upstream_urls": {"pax": PAX_URL},
        "download_timeout": 2.0,
        "download_connect_timeout": 2.0,
        "download_retries": 2,
        "download_backoff": 0.01,
        "acled_email": None,
        "acled_password": None,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]
