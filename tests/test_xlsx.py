"""One workbook reader for installing and for analysing: what one refuses, the other does.

The real UCDP termination workbook from the mirror, with one XML part changed (a DTD
declared in lower case, the part re-encoded as UTF-16, or declared in another encoding),
is refused by ``backchannel data pull`` (the installed copy kept) and by the evidence
panel's reader, each naming the file and the part at fault.
"""

from __future__ import annotations

import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from backchannel import datasets
from backchannel.datasets import layouts
from backchannel.dialogue.evidence.readers import read_termination_dyads
from backchannel.errors import DataUnavailableError, InvalidInputError
from backchannel.settings import Settings
from backchannel.xlsx import read_first_sheet

DATASET = "ucdp-termination"
DYADS = "ucdp-term-dyad-3-2021.xlsx"
SHEET = "xl/worksheets/sheet1.xml"
WORKBOOK = "xl/workbook.xml"


def _doctype_in_lower_case(data: bytes) -> bytes:
    declaration, rest = data.split(b"?>", 1)
    return declaration + b'?><!doctype worksheet [<!entity a "aaaa">]>' + rest


def _utf16(data: bytes) -> bytes:
    return data.decode("utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")


def _utf16_without_a_byte_order_mark(data: bytes) -> bytes:
    return data.decode("utf-8").encode("utf-16-le")


def _declared_latin1(data: bytes) -> bytes:
    return data.replace(b'encoding="UTF-8"', b'encoding="ISO-8859-1"', 1)


CHANGES = [
    pytest.param(SHEET, _doctype_in_lower_case, "declares a DTD", id="doctype-lower-case"),
    pytest.param(SHEET, _utf16, "is not UTF-8 XML", id="utf-16-sheet"),
    pytest.param(
        WORKBOOK, _utf16_without_a_byte_order_mark, "is not UTF-8 XML", id="utf-16-le-no-bom"
    ),
    pytest.param(WORKBOOK, _declared_latin1, "declares encoding 'iso-8859-1'", id="latin-1"),
]


def changed_workbook(
    source: Path, target: Path, part: str, change: Callable[[bytes], bytes]
) -> Path:
    """A copy of the workbook at ``source`` with ``part`` changed, written to ``target``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with (
        zipfile.ZipFile(source) as original,
        zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as copy,
    ):
        assert part in original.namelist()
        for info in original.infolist():
            data = original.read(info)
            copy.writestr(info, change(data) if info.filename == part else data)
    return target


@pytest.fixture
def dyads(mirror: Path) -> Path:
    path = mirror / "ucdp" / DYADS
    if not path.is_file():
        pytest.skip(f"no ucdp/{DYADS} in the data mirror")
    return path


def test_the_real_workbook_reads_alike_at_install_and_at_analysis(dyads: Path) -> None:
    layout = datasets.dataset_spec(DATASET).files[0].layout
    assert isinstance(layout, datasets.XlsxLayout)
    measured = layouts.measure_xlsx(dyads, layout)
    sheet = read_first_sheet(dyads)
    assert measured.rows == len(sheet.rows) - 1 == 3140  # the header is not a data row


@pytest.mark.parametrize(("part", "change", "expected"), CHANGES)
def test_the_evidence_reader_refuses_the_part_naming_file_and_part(
    tmp_path: Path, dyads: Path, part: str, change: Callable[[bytes], bytes], expected: str
) -> None:
    hostile = changed_workbook(dyads, tmp_path / DYADS, part, change)
    with pytest.raises(InvalidInputError) as caught:
        read_termination_dyads(hostile)
    assert caught.value.source == str(hostile)
    (problem,) = caught.value.problems
    assert problem.message.startswith(f"{part} ")
    assert expected in problem.message


@pytest.mark.parametrize(("part", "change", "expected"), CHANGES)
def test_the_installer_refuses_the_part_naming_file_and_part_and_keeps_the_copy(
    tmp_path: Path,
    mirror: Path,
    dyads: Path,
    part: str,
    change: Callable[[bytes], bytes],
    expected: str,
) -> None:
    settings = Settings(data_dir=tmp_path / "data", mirror=None)
    datasets.pull(settings, [DATASET], mirror=mirror)
    installed = settings.datasets_dir / DATASET / DYADS
    before = installed.read_bytes()

    bad_mirror = tmp_path / "bad-mirror"
    for spec in datasets.dataset_spec(DATASET).files:
        (bad_mirror / spec.mirror).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(mirror / spec.mirror, bad_mirror / spec.mirror)
    changed_workbook(dyads, bad_mirror / "ucdp" / DYADS, part, change)

    with pytest.raises(DataUnavailableError) as caught:
        datasets.pull(settings, [DATASET], mirror=bad_mirror)
    message = caught.value.message
    assert f"refused {DYADS}" in message
    assert f"{part} " in message and expected in message
    assert "Nothing of ucdp-termination was replaced" in message
    assert installed.read_bytes() == before
