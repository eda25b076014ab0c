"""Upstream addresses: the manifest's documentation of them, overrides, the base that moves
them, monthly release names, and the small header parsers of the downloader."""

from __future__ import annotations

import base64
import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backchannel import datasets
from backchannel.datasets.download import _published_sha256, _range_start
from backchannel.datasets.specs import MonthlyRelease
from backchannel.datasets.upstream import (
    address,
    monthly_file,
    monthly_of_name,
    through_base,
)
from backchannel.datasets.upstream_docs import CHECKED
from backchannel.settings import Settings

CANDIDATE = datasets.dataset_spec("ucdp-ged-candidate").files[0].monthly


def test_every_data_set_says_where_its_addresses_are_documented() -> None:
    for spec in datasets.MANIFEST:
        assert spec.upstream is not None, spec.id
        assert spec.upstream.documented_at.startswith("https://"), spec.id
        assert spec.upstream.evidence.strip(), spec.id
        for file in spec.files:
            if file.checked is not None:
                assert file.checked == CHECKED
                assert file.url is not None and file.url.startswith("https://")
            assert file.url is None or file.url.startswith("https://"), file.name


def test_unconfirmed_addresses_say_so_and_confirmed_ones_name_their_source() -> None:
    checked = {f.name for s in datasets.MANIFEST for f in s.files if f.checked is not None}
    assert checked == {
        "prepared2024predictors-2025-09-03.csv",
        "FOOSforecasts_3Sep2025.csv",
        "final_forecasts_data_3Sep2025.csv",
        "basedata2025_4august2025.csv",
        "acled_events.csv",
    }
    for spec in datasets.MANIFEST:
        if any(f.checked is None for f in spec.files):
            assert "unconfirmed" in spec.upstream.evidence or "no address" in (  # type: ignore[union-attr]
                spec.upstream.evidence  # type: ignore[union-attr]
            ), spec.id


def test_a_configured_address_replaces_the_manifest_s() -> None:
    pax = datasets.dataset_spec("pax")
    ewp = datasets.dataset_spec("ewp")
    settings = Settings(
        mirror=None,
        upstream_urls={
            "pax": "https://example.org/pax.csv",
            "ewp/coefficients_3Sep2025.csv": "https://example.org/c.csv",
        },
    )
    assert address(settings, pax, pax.files[0]) == "https://example.org/pax.csv"
    coefficients = next(f for f in ewp.files if f.name == "coefficients_3Sep2025.csv")
    assert address(settings, ewp, coefficients) == "https://example.org/c.csv"
    assert address(settings, ewp, ewp.files[0]) == ewp.files[0].url
    assert address(Settings(mirror=None), pax, pax.files[0]) is None


@pytest.mark.parametrize(
    ("base", "url", "moved"),
    [
        (None, "https://ucdp.uu.se/downloads/x.zip", "https://ucdp.uu.se/downloads/x.zip"),
        (
            "http://127.0.0.1:8000",
            "https://ucdp.uu.se/downloads/x.zip",
            "http://127.0.0.1:8000/ucdp.uu.se/downloads/x.zip",
        ),
        (
            "https://proxy.example.org/mirror/",
            "https://raw.githubusercontent.com/a/b/c%20d/e.csv",
            "https://proxy.example.org/mirror/raw.githubusercontent.com/a/b/c%20d/e.csv",
        ),
        (
            "http://127.0.0.1:8000",
            "https://acleddata.com/api/acled/read?_format=json",
            "http://127.0.0.1:8000/acleddata.com/api/acled/read?_format=json",
        ),
    ],
)
def test_the_base_moves_every_address_under_it(base: str | None, url: str, moved: str) -> None:
    assert through_base(Settings(mirror=None, upstream_base=base), url) == moved


@given(st.integers(2000, 2099), st.integers(1, 12))
def test_a_monthly_release_name_reads_back_to_its_month(year: int, month: int) -> None:
    assert isinstance(CANDIDATE, MonthlyRelease)
    release = monthly_file(CANDIDATE, year, month)
    assert release.url.endswith("/" + release.name)
    assert monthly_of_name(CANDIDATE, release.name) == release
    assert release.version == f"{year % 100:02d}.0.{month}"


@pytest.mark.parametrize(
    "name", ["GEDEvent_v26_01_26_06.csv", "GEDEvent_v26_0_13.csv", "GEDEvent_v26_0_08.csv", "x.csv"]
)
def test_other_names_are_no_monthly_release(name: str) -> None:
    assert isinstance(CANDIDATE, MonthlyRelease)
    assert monthly_of_name(CANDIDATE, name) is None


@given(st.integers(0, 10**12), st.integers(0, 10**12))
def test_a_content_range_gives_its_first_byte(start: int, length: int) -> None:
    end = start + length
    assert _range_start(f"bytes {start}-{end}/{end + 1}") == start
    assert _range_start(f"bytes {start}-{end}/*") == start


@given(st.text(max_size=40))
def test_any_other_content_range_gives_none_or_a_number(text: str) -> None:
    result = _range_start(text)
    assert result is None or (isinstance(result, int) and result >= 0)


@given(st.binary(max_size=64))
def test_a_published_sha256_is_read_from_either_header(data: bytes) -> None:
    digest = hashlib.sha256(data).digest()
    encoded = base64.b64encode(digest).decode()
    assert _published_sha256({"Repr-Digest": f"sha-256=:{encoded}:"}) == digest.hex()
    assert _published_sha256({"Digest": f"SHA-256={encoded}"}) == digest.hex()
    assert _published_sha256({"Digest": "md5=abc"}) is None
    assert _published_sha256({}) is None


@given(st.text(max_size=60))
def test_a_garbled_digest_header_never_passes_for_a_checksum(value: str) -> None:
    result = _published_sha256({"Repr-Digest": value})
    assert result is None or result == "unreadable" or len(result) % 2 == 0
