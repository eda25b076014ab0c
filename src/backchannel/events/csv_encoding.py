"""The codec of an event CSV file, and its text as UTF-8 bytes for the record splitter.

A file is read as UTF-8 (``utf-8-sig`` when it starts with a UTF-8 byte-order mark),
UTF-16 when it starts with a UTF-16 byte-order mark, and otherwise, when it is not valid
UTF-8, as cp1252 (Windows exports) if every byte decodes, else latin-1 (which decodes
anything). The splitter works on UTF-8 bytes: a UTF-8 file is passed on as it is (less its
byte-order mark), any other is transcoded once. Line breaks, quotes and commas are the
same characters in every one of these codecs, so records and line numbers do not change.
"""

from __future__ import annotations

import codecs
from typing import NamedTuple

import numpy as np
import pyarrow as pa

from backchannel.errors import InvalidInputError, Problem

__all__ = ["FileText", "decode_file"]


class FileText(NamedTuple):
    """A file's text as UTF-8 bytes, and the codec that decoded the file."""

    utf8: bytes | memoryview
    encoding: str


def decode_file(data: bytes, file: str) -> FileText:
    """The codec that decodes the whole of ``data``, and the text as UTF-8 bytes.

    Raises ``InvalidInputError`` naming ``file`` when it is empty, or has a UTF-16
    byte-order mark but does not decode as UTF-16.
    """
    if not data:
        raise InvalidInputError(file, [Problem("", "the file is empty; expected a header")])
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return FileText(data.decode("utf-16").encode("utf-8"), "utf-16")
        except UnicodeDecodeError:
            raise InvalidInputError(
                file, [Problem("", "has a UTF-16 byte-order mark but is not UTF-16")]
            ) from None
    if is_utf8(data):
        if data.startswith(codecs.BOM_UTF8):
            return FileText(memoryview(data)[len(codecs.BOM_UTF8) :], "utf-8-sig")
        return FileText(data, "utf-8")
    try:
        text, encoding = data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:  # a byte cp1252 leaves undefined
        text, encoding = data.decode("latin-1"), "latin-1"
    return FileText(text.encode("utf-8"), encoding)


def is_utf8(data: bytes | memoryview) -> bool:
    """Whether ``data`` is valid UTF-8, as Python's strict decoder judges it (Arrow's
    validator, which a test holds to Python's, checks it in place, without decoding)."""
    if isinstance(data, bytes) and data.isascii():
        return True
    whole = pa.LargeBinaryArray.from_buffers(
        pa.large_binary(),
        1,
        [None, pa.py_buffer(np.array([0, len(data)], dtype=np.int64)), pa.py_buffer(data)],
    )
    try:
        whole.cast(pa.large_string())
    except pa.ArrowInvalid:
        return False
    return True
