"""Downloads that go wrong, against the local stand-in: slow, missing, failing, cut short,
resumed, offline, with a wrong published checksum. Each leaves the installed copy as it was
and says what happened, naming the data set and the address.
"""

from __future__ import annotations

import hashlib
import socket
from pathlib import Path

import pytest

from backchannel import datasets
from backchannel.datasets import Action
from backchannel.datasets.download import DownloadPolicy, NotPublished
from backchannel.datasets.install import partial_dir
from backchannel.errors import DataUnavailableError
from tests.datasets.conftest import pull_settings
from tests.datasets.upstream_server import Upstream

UN_URL = "https://scsanctions.un.org/resources/xml/en/consolidated.xml"
ACTORS_URL = "https://ucdp.uu.se/downloads/actor/ucdp-actor-221-csv.zip"
EWP_COEFFICIENTS = (
    "https://raw.githubusercontent.com/EarlyWarningProject/2025-Statistical-Risk-Assessment/"
    "3a31c0a8b0e32b4882c2eeb6503e726bbb27a2b4/3.Modeling/coefficients_3Sep2025.csv"
)


def _snapshot(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def _statuses(upstream: Upstream, url: str) -> list[int]:
    return [r.status for r in upstream.requests(upstream.url_path(url))]


def test_a_slow_server_is_retried_then_fails_naming_the_address(
    tmp_path: Path, upstream: Upstream
) -> None:
    settings = pull_settings(tmp_path, upstream, download_timeout=0.2, download_retries=2)
    upstream.fault(upstream.url_path(ACTORS_URL)).stall = 1.0
    with pytest.raises(DataUnavailableError) as caught:
        datasets.pull(settings, ["ucdp-actors"])
    message = caught.value.message
    assert "ucdp-actors" in message and upstream.url_path(ACTORS_URL) in message
    assert "failed after 3 attempt(s)" in message and "read timeout" in message
    assert "--mirror" in message
    assert upstream.arrivals[upstream.url_path(ACTORS_URL)] == 3  # 1 + 2 retries
    assert not (settings.datasets_dir / "ucdp-actors").exists()
    assert not list(settings.datasets_dir.glob(".*"))


def test_a_404_is_not_retried_and_names_the_address(tmp_path: Path, upstream: Upstream) -> None:
    settings = pull_settings(tmp_path, upstream)
    served = upstream.root / upstream.url_path(EWP_COEFFICIENTS).lstrip("/")
    kept = served.read_bytes()
    served.unlink()
    try:
        with pytest.raises(NotPublished) as caught:
            datasets.pull(settings, ["ewp"])
    finally:
        served.write_bytes(kept)
    message = caught.value.message
    assert "HTTP 404" in message and upstream.base + upstream.url_path(EWP_COEFFICIENTS) in message
    assert _statuses(upstream, EWP_COEFFICIENTS) == [404]
    assert not (settings.datasets_dir / "ewp").exists()
    assert not list(settings.datasets_dir.glob(".*")), "nothing to resume is kept"


def test_a_500_is_retried_with_backoff_until_the_server_recovers(
    tmp_path: Path, upstream: Upstream
) -> None:
    settings = pull_settings(tmp_path, upstream, download_retries=3)
    upstream.fault(upstream.url_path(ACTORS_URL)).errors = 2
    [outcome] = datasets.pull_outcomes(settings, ["ucdp-actors"])
    assert outcome.action is Action.INSTALLED
    assert outcome.record.status is datasets.Status.VERIFIED
    assert _statuses(upstream, ACTORS_URL) == [500, 500, 200]


def test_a_server_that_keeps_failing_is_given_up_on(tmp_path: Path, upstream: Upstream) -> None:
    settings = pull_settings(tmp_path, upstream, download_retries=1)
    upstream.fault(upstream.url_path(ACTORS_URL)).errors = 5
    with pytest.raises(DataUnavailableError, match=r"after 2 attempt\(s\): HTTP 500"):
        datasets.pull(settings, ["ucdp-actors"])
    assert _statuses(upstream, ACTORS_URL) == [500, 500]


def test_the_backoff_doubles() -> None:
    policy = DownloadPolicy(connect_timeout=1, read_timeout=1, retries=4, backoff=0.5)
    assert [policy.wait_before(n) for n in (1, 2, 3, 4)] == [0.5, 1.0, 2.0, 4.0]


def test_a_body_cut_short_is_refused_and_the_installed_copy_kept(
    tmp_path: Path, upstream: Upstream
) -> None:
    settings = pull_settings(tmp_path, upstream, download_retries=1)
    datasets.pull(settings, ["un-sanctions"])
    folder = settings.datasets_dir / "un-sanctions"
    before = _snapshot(folder)
    served = upstream.root / upstream.url_path(UN_URL).lstrip("/")
    original = served.read_bytes()
    try:
        served.write_bytes(original.replace(b"2026-02-27T00:00:09", b"2026-03-01T00:00:09", 1))
        fault = upstream.fault(upstream.url_path(UN_URL))
        fault.cut = 5  # every answer: Content-Length says more than arrives
        with pytest.raises(DataUnavailableError) as caught:
            datasets.pull(settings, ["un-sanctions"])
        assert "closed after" in caught.value.message or "broke" in caught.value.message
        assert _snapshot(folder) == before
        # a body cut short without a Content-Length is caught by the layout check
        fault.cut, fault.cut_without_length = 5, True
        for partial in partial_dir(settings, "un-sanctions").glob("*"):
            partial.unlink()
        with pytest.raises(DataUnavailableError, match="not well-formed XML"):
            datasets.pull(settings, ["un-sanctions"])
        assert _snapshot(folder) == before
    finally:
        served.write_bytes(original)


def test_a_cut_download_resumes_with_a_range_request(tmp_path: Path, upstream: Upstream) -> None:
    settings = pull_settings(tmp_path, upstream)
    path = upstream.url_path(UN_URL)
    upstream.fault(path).cut = 1  # the first answer stops half-way; the retry resumes
    [record] = datasets.pull(settings, ["un-sanctions"])
    first, second = upstream.requests(path)
    assert (first.status, second.status) == (200, 206)
    served = (upstream.root / path.lstrip("/")).read_bytes()
    assert second.headers["Range"] == f"bytes={len(served) // 2}-"
    assert second.headers["If-Range"] == first_etag(upstream, path)
    assert record.files[0].sha256 == hashlib.sha256(served).hexdigest()
    assert not partial_dir(settings, "un-sanctions").exists()


def first_etag(upstream: Upstream, path: str) -> str:
    data = (upstream.root / path.lstrip("/")).read_bytes()
    return '"' + hashlib.sha256(data).hexdigest()[:16] + '"'


def test_a_failed_pull_keeps_its_partial_file_for_the_next_pull_to_resume(
    tmp_path: Path, upstream: Upstream
) -> None:
    settings = pull_settings(tmp_path, upstream, download_retries=0)
    path = upstream.url_path(UN_URL)
    upstream.fault(path).cut = 1
    with pytest.raises(DataUnavailableError):
        datasets.pull(settings, ["un-sanctions"])
    partials = list(partial_dir(settings, "un-sanctions").glob("*.part"))
    assert len(partials) == 1 and partials[0].stat().st_size > 0
    kept = partials[0].stat().st_size

    [record] = datasets.pull(settings, ["un-sanctions"])
    last = upstream.requests(path)[-1]
    assert last.status == 206 and last.headers["Range"] == f"bytes={kept}-"
    assert record.designation_list is not None and record.designation_list.entries == 1003
    assert not partial_dir(settings, "un-sanctions").exists()


def test_offline_fails_at_once_naming_the_data_set_the_address_and_the_mirror(
    tmp_path: Path, upstream: Upstream
) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = pull_settings(tmp_path, upstream, upstream_base=f"http://127.0.0.1:{port}")
    with pytest.raises(DataUnavailableError) as caught:
        datasets.pull(settings, ["ucdp-actors"])
    message = caught.value.message
    assert message.startswith("ucdp-actors: cannot reach ")
    assert f"http://127.0.0.1:{port}/ucdp.uu.se/downloads/actor/ucdp-actor-221-csv.zip" in message
    assert "--mirror" in message and "attempt" not in message  # no retry when unreachable


def test_a_wrong_published_checksum_is_refused(tmp_path: Path, upstream: Upstream) -> None:
    settings = pull_settings(tmp_path, upstream)
    upstream.fault(upstream.url_path(ACTORS_URL)).wrong_digest = True
    with pytest.raises(DataUnavailableError, match="does not match the SHA-256 the server"):
        datasets.pull(settings, ["ucdp-actors"])
    assert not (settings.datasets_dir / "ucdp-actors").exists()
    assert not list(partial_dir(settings, "ucdp-actors").glob("*"))
    fault = upstream.fault(upstream.url_path(ACTORS_URL))
    fault.wrong_digest, fault.digest = False, True
    [record] = datasets.pull(settings, ["ucdp-actors"])
    assert record.status is datasets.Status.VERIFIED


def test_a_partial_file_of_a_copy_since_replaced_is_fetched_whole(
    tmp_path: Path, upstream: Upstream
) -> None:
    settings = pull_settings(tmp_path, upstream, download_retries=0)
    path = upstream.url_path(UN_URL)
    upstream.fault(path).cut = 1
    with pytest.raises(DataUnavailableError):
        datasets.pull(settings, ["un-sanctions"])
    served = upstream.root / path.lstrip("/")
    original = served.read_bytes()
    try:
        changed = original.replace(b"2026-02-27T00:00:09.554Z", b"2026-12-01T00:00:01.000Z", 1)
        served.write_bytes(changed)
        [record] = datasets.pull(settings, ["un-sanctions"])
    finally:
        served.write_bytes(original)
    last = upstream.requests(path)[-1]
    assert "Range" in last.headers and last.status == 200  # If-Range no longer matched
    assert record.files[0].sha256 == hashlib.sha256(changed).hexdigest()
    assert record.publication is not None and record.publication.stated == "2026-12-01"
