"""Writing briefs for the assess command and the demo (atomically, PDF, HTML or JSON).

What they read from the installed data comes from ``backchannel.datasets.analysis_inputs``,
as for the web workspace. A redacted brief is read back before it is written
(``reports.brief_output``): if a sensitive form is still in it, nothing is written.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from backchannel.errors import InvalidInputError, Problem

if TYPE_CHECKING:
    from backchannel.reports.case_analysis import CaseAnalysis

#: The brief's formats by file suffix (as ``reports.brief_output.BRIEF_FORMATS``, which
#: is imported only when a brief is written: it loads the PDF renderer).
BRIEF_SUFFIXES = (".pdf", ".html", ".json")


def check_brief_path(path: Path) -> None:
    """Refuse a brief path whose suffix names no format we write."""
    if path.suffix.lower() not in BRIEF_SUFFIXES:
        raise InvalidInputError(
            str(path),
            [Problem("--brief", f"expected a file name ending in {_choices(BRIEF_SUFFIXES)}")],
        )


def _choices(suffixes: tuple[str, ...]) -> str:
    return ", ".join(suffixes[:-1]) + f" or {suffixes[-1]}"


def write_brief(analysis: CaseAnalysis, path: Path, *, redacted: bool) -> Path:
    """Render the brief as PDF, HTML or JSON by the suffix, written whole or not at all.

    A redacted brief that still holds a sensitive form raises ``RedactionLeakError``
    before anything is written.
    """
    return write_briefs(analysis, [path], redacted=redacted)[0]


def write_briefs(analysis: CaseAnalysis, paths: Sequence[Path], *, redacted: bool) -> list[Path]:
    """Write one variant of the brief in the format each path's suffix names, rendered from
    one report; each file whole or not at all. If a redacted form would leak, none is
    written (``RedactionLeakError``)."""
    from backchannel.reports.brief_output import BRIEF_FORMATS, brief_formats

    for path in paths:
        check_brief_path(path)
    formats = [BRIEF_FORMATS[path.suffix.lower()] for path in paths]
    rendered = brief_formats(analysis, formats, redacted=redacted)
    return [write_atomically(path, rendered[fmt]) for path, fmt in zip(paths, formats, strict=True)]


def write_atomically(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` whole, or leave ``path`` as it was."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # Write beside the target and rename, so a failure never leaves half a file behind.
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path
