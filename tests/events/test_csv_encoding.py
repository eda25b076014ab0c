"""The codec of an event file, held to Python's own codecs."""

from __future__ import annotations

import codecs

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backchannel.errors import InvalidInputError
from backchannel.events.csv_encoding import decode_file, is_utf8

# bytes that start, continue or break multi-byte sequences, and the edges of each range
edges = st.sampled_from(
    [0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xED,
     0xEE, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF]
)  # fmt: skip
byte_strings = st.lists(edges | st.integers(0, 255), max_size=12).map(bytes) | st.binary()


def python_decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


@settings(max_examples=2000, deadline=None)
@given(data=byte_strings)
def test_utf8_validity_is_pythons(data: bytes) -> None:
    assert is_utf8(data) == python_decodes(data, "utf-8")


@pytest.mark.parametrize(
    "code_point", [0xD7FF, 0xD800, 0xDBFF, 0xDC00, 0xDFFF, 0xE000, 0xFFFF, 0x10FFFF]
)
def test_surrogates_are_refused_as_python_refuses_them(code_point: int) -> None:
    data = chr(code_point).encode("utf-8", "surrogatepass")
    assert is_utf8(data) == python_decodes(data, "utf-8")


@settings(max_examples=500, deadline=None)
@given(data=byte_strings.filter(bool))
def test_any_file_is_read_in_the_codec_python_would_choose(data: bytes) -> None:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        if not python_decodes(data, "utf-16"):
            with pytest.raises(InvalidInputError, match="UTF-16 byte-order mark"):
                decode_file(data, "f.csv")
            return
        expected = "utf-16"
    elif python_decodes(data, "utf-8"):
        expected = "utf-8-sig" if data.startswith(codecs.BOM_UTF8) else "utf-8"
    else:
        expected = "cp1252" if python_decodes(data, "cp1252") else "latin-1"
    text = decode_file(data, "f.csv")
    assert text.encoding == expected
    assert bytes(text.utf8).decode("utf-8") == data.decode(expected)


def test_an_empty_file_is_refused_by_name() -> None:
    with pytest.raises(InvalidInputError, match=r"f\.csv.*empty"):
        decode_file(b"", "f.csv")
