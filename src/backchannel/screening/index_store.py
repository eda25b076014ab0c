"""A screening of the lists, index included, written to one file and read back whole.

Reading the UN and OFAC lists and building their index takes seconds: ~10,000 entries,
~27,000 name forms prepared, ~250,000 blocking keys filed. ``write_index`` stores what
that produced (the lists as read, and the index's parts); ``read_index`` gives back a
``Screening`` that screens exactly as the one built from the lists, in a small fraction
of the time, so that ``backchannel screen NAME`` answers in well under a second.

A file is used only while it is current. It records the files it was built from (the
installed lists and their records, and any code outside this package that decided what
was read), each with its SHA-256, and a fingerprint of the code that indexes names (this
package's sources, the Python version, the libraries that fold and sound out names).
``read_index`` refuses the file, with ``IndexUnusable`` saying why, when it is missing,
of another format version, made by other code, made from files that have changed since,
or when its content does not match its own digest (truncated, damaged, edited); the
caller then rebuilds it. A file refused is never partly used.

Layout: the magic line ``MAGIC``, the header's length (8 bytes, little-endian), the
header (JSON: version, fingerprint, dependencies, the payload's SHA-256, each section's
place in the payload), then the payload. Sections are JSON documents (entries, the
lists' accounts, word counts, name forms), UTF-8 text (the keys, one a line) or flat
little-endian arrays whose types are fixed here, never read from the file: nothing in
the file is unpickled or otherwise able to run code.
"""

from __future__ import annotations

import gc
import hashlib
import importlib.metadata
import json
import os
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from backchannel.errors import DataUnavailableError
from backchannel.screening import entity_codec
from backchannel.screening.entity import ReadResult
from backchannel.screening.index import ScreeningIndex
from backchannel.screening.index_parts import IndexParts, Postings
from backchannel.screening.screen import Screening

__all__ = [
    "FORMAT_VERSION",
    "INDEX_FILE",
    "IndexUnusable",
    "code_fingerprint",
    "file_digests",
    "index_file",
    "read_index",
    "read_or_rebuild",
    "write_index",
]

#: Raised with every change to what the file holds or how it is laid out.
FORMAT_VERSION = 1
MAGIC = b"backchannel screening index\n"
#: The folder under the data folder that holds the index of the installed lists.
INDEX_FOLDER = "screening-index"
#: The file's name in its folder.
INDEX_FILE = "screening-index.bin"
#: Libraries whose versions change how names are folded, spelt and sounded out
#: (normality is not imported here: rigour's transliteration falls back on it).
NAME_LIBRARIES = ("rigour", "normality", "jellyfish")
_LENGTH_BYTES = 8
_LARGEST_HEADER = 1 << 24
_CHUNK = 1 << 20
# Each array section's type on disk; loaded arrays are converted to what the index uses.
_ARRAYS: dict[str, np.dtype[Any]] = {
    "name_entities": np.dtype("<i4"),
    "name_listed": np.dtype("<i4"),
    "totals": np.dtype("<f8"),
    "offsets": np.dtype("<i8"),
    "ids": np.dtype("<i4"),
}
_JSON = ("lists", "entities", "weights", "forms")
_KEY_SEPARATOR = "\n"


class IndexUnusable(DataUnavailableError):
    """A persisted index that must not be used; the message says why."""


def index_file(data_dir: Path) -> Path:
    """Where the index of the lists installed under ``data_dir`` is kept."""
    return data_dir / INDEX_FOLDER / INDEX_FILE


def code_fingerprint() -> dict[str, str]:
    """What the index depends on in code: this package's sources, the Python version,
    and the versions of the libraries that normalise names."""
    sources = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        sources.update(path.name.encode() + b"\0")
        sources.update(path.read_bytes())
    found = {"python": "{}.{}".format(*sys.version_info[:2]), "screening": sources.hexdigest()}
    for library in NAME_LIBRARIES:
        try:
            found[library] = importlib.metadata.version(library)
        except importlib.metadata.PackageNotFoundError:
            found[library] = "absent"
    return found


def file_digests(paths: Sequence[Path], root: Path) -> dict[str, str | None]:
    """Each file's SHA-256 (``None`` for a file that does not exist), keyed by its path
    relative to ``root`` when it lies inside it (so that a moved data folder still
    matches), else by its absolute path."""
    found: dict[str, str | None] = {}
    resolved_root = root.resolve()
    for path in paths:
        absolute = path.resolve()
        try:
            key = absolute.relative_to(resolved_root).as_posix()
        except ValueError:
            key = str(absolute)
        found[key] = _sha256(absolute)
    return found


def write_index(path: Path, screening: Screening, dependencies: Mapping[str, str | None]) -> None:
    """Write ``screening`` to ``path``, with the digests of the files it was built from
    (``file_digests``, taken before the build so that a change during it is not
    mistaken for the state built from).

    The file is written beside its place, made readable by its owner only, and moved
    into place whole: a reader sees the previous file or this one, never a part.
    """
    sections = _sections(screening)
    payload = bytearray()
    places: dict[str, list[int]] = {}
    for name, data in sections.items():
        places[name] = [len(payload), len(data)]
        payload += data
    header = {
        "format": FORMAT_VERSION,
        "fingerprint": code_fingerprint(),
        "dependencies": dict(dependencies),
        "payload_sha256": hashlib.sha256(payload).hexdigest(),
        "sections": places,
    }
    header_bytes = json.dumps(header, sort_keys=True).encode()
    _private_folder(path.parent)
    fd, staging = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            os.fchmod(out.fileno(), 0o600)
            out.write(MAGIC)
            out.write(len(header_bytes).to_bytes(_LENGTH_BYTES, "little"))
            out.write(header_bytes)
            out.write(payload)
            out.flush()
            os.fsync(out.fileno())
        os.replace(staging, path)
    finally:
        Path(staging).unlink(missing_ok=True)


def read_index(path: Path, root: Path, *, max_age_days: int) -> Screening:
    """The screening stored at ``path``, when it is current; ``IndexUnusable`` (saying
    why) when it is missing, of another version, made by other code or from other files
    (relative dependency paths are under ``root``), or damaged.

    ``max_age_days`` is passed to the ``Screening``, as when it is built from the lists.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise IndexUnusable("there is no screening index yet") from None
    except OSError as error:
        raise IndexUnusable(f"the screening index cannot be read ({error.strerror})") from None
    header, payload = _split(data)
    if header.get("format") != FORMAT_VERSION:
        raise IndexUnusable("the screening index is of another format version")
    if header.get("fingerprint") != code_fingerprint():
        raise IndexUnusable("the screening index was made by another version of the code")
    changed = _changed_dependency(header.get("dependencies"), root)
    if changed is not None:
        raise IndexUnusable(f"the screening index is out of date ({changed})")
    if hashlib.sha256(payload).hexdigest() != header.get("payload_sha256"):
        raise IndexUnusable("the screening index is damaged (its content fails its digest)")
    # ~50,000 small objects are made, none in a cycle: the cyclic collector, which would
    # run over them again and again, is held off meanwhile
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _screening(header["sections"], payload, max_age_days)
    except (KeyError, IndexError, TypeError, ValueError) as error:
        raise IndexUnusable(f"the screening index is damaged ({error})") from None
    finally:
        if collecting:
            gc.enable()


def read_or_rebuild(
    data_dir: Path, *, max_age_days: int, rebuild: Callable[[str], Screening]
) -> Screening:
    """The screening of the lists installed under ``data_dir``: from their persisted index
    when it is current, else from ``rebuild``, given the reason the index was refused
    (the caller reads the lists, writes a new index and says so in its own way)."""
    try:
        return read_index(index_file(data_dir), data_dir, max_age_days=max_age_days)
    except IndexUnusable as unusable:
        return rebuild(unusable.message)


def _split(data: bytes) -> tuple[dict[str, Any], memoryview]:
    """The header and the payload; ``IndexUnusable`` when the frame is wrong."""
    damaged = IndexUnusable("the screening index is damaged or truncated")
    start = len(MAGIC) + _LENGTH_BYTES
    if len(data) < start or not data.startswith(MAGIC):
        raise damaged
    length = int.from_bytes(data[len(MAGIC) : start], "little")
    if length > min(_LARGEST_HEADER, len(data) - start):
        raise damaged
    try:
        header = json.loads(data[start : start + length])
    except ValueError:
        raise damaged from None
    if not isinstance(header, dict):
        raise damaged
    return header, memoryview(data)[start + length :]


def _changed_dependency(recorded: object, root: Path) -> str | None:
    """What differs now among the files the index was made from (the first file whose
    content or existence changed), or ``None`` when nothing does."""
    if not isinstance(recorded, dict) or not recorded:
        return "it records no file it was made from"
    for name, digest in recorded.items():
        place = Path(name)
        if _sha256(place if place.is_absolute() else root / place) != digest:
            return f"{name} changed"
    return None


def _sha256(path: Path) -> str | None:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as source:
            while chunk := source.read(_CHUNK):
                digest.update(chunk)
    except FileNotFoundError:
        return None
    except OSError:
        # unreadable counts as changed: the digest of no recorded file looks like this
        return "unreadable"
    return digest.hexdigest()


def _private_folder(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(folder, 0o700)


def _sections(screening: Screening) -> dict[str, bytes]:
    parts = screening.index.parts
    keys = parts.postings.sorted_keys
    if any(_KEY_SEPARATOR in key for key in keys):
        raise ValueError("a blocking key holds a line break: the index cannot be stored")
    frequency, documents = parts.frequency, parts.documents
    documents_json = {
        "lists": [entity_codec.encode_result(result) for result in screening.results],
        "entities": [entity_codec.encode_entity(entity) for entity in screening.entities],
        "weights": {"documents": documents, "frequency": dict(frequency)},
        "forms": list(parts.forms),
    }
    sections = {
        name: json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
        for name, document in documents_json.items()
    }
    sections["keys"] = _KEY_SEPARATOR.join(keys).encode()
    arrays = {
        "name_entities": parts.name_entities,
        "name_listed": parts.name_listed,
        "totals": parts.totals,
        "offsets": parts.postings.offsets,
        "ids": parts.postings.ids,
    }
    for name, array in arrays.items():
        sections[name] = np.ascontiguousarray(array, dtype=_ARRAYS[name]).tobytes()
    return sections


def _screening(places: Mapping[str, Any], payload: memoryview, max_age_days: int) -> Screening:
    """Decode the sections and check that they fit together (counts, ranges), so that a
    file that passed its digest but was written wrong fails here, not in a search."""

    def section(name: str) -> memoryview:
        start, length = places[name]
        if not (isinstance(start, int) and isinstance(length, int)):
            raise ValueError(f"section {name} is misplaced")
        if start < 0 or length < 0 or start + length > len(payload):
            raise ValueError(f"section {name} lies outside the file")
        return payload[start : start + length]

    documents = {name: json.loads(bytes(section(name))) for name in _JSON}
    arrays = {name: _array(section(name), dtype, name) for name, dtype in _ARRAYS.items()}
    keys = bytes(section("keys")).decode()
    entities = [entity_codec.decode_entity(item) for item in documents["entities"]]
    results = _results(documents["lists"], entities)
    forms = documents["forms"]
    if not isinstance(forms, list) or not all(isinstance(form, str) for form in forms):
        raise ValueError("the name forms are not a list of texts")
    weights = documents["weights"]
    frequency = weights["frequency"]
    if not isinstance(frequency, dict) or not isinstance(weights["documents"], int):
        raise ValueError("the word counts are malformed")
    key_list = keys.split(_KEY_SEPARATOR) if keys else []
    names = len(forms)
    name_entities = arrays["name_entities"].astype(np.int64)
    name_listed = arrays["name_listed"].astype(np.int64)
    offsets = arrays["offsets"].astype(np.int64)
    ids = arrays["ids"].astype(np.int64)
    totals = arrays["totals"].astype(np.float64)
    _check(len(name_entities) == len(name_listed) == len(totals) == names, "name counts differ")
    _check(len(offsets) == len(key_list) + 1, "the key offsets do not match the keys")
    _check(
        bool(offsets.size)
        and offsets[0] == 0
        and offsets[-1] == len(ids)
        and bool(np.all(np.diff(offsets) >= 0)),
        "the key offsets are out of order",
    )
    _check(not ids.size or (ids.min() >= 0 and ids.max() < names), "a key names no name")
    name_counts = np.array([len(entity.names) for entity in entities], dtype=np.int64)
    _check(
        not names
        or (
            name_entities.min() >= 0
            and name_entities.max() < len(entities)
            and name_listed.min() >= 0
            and bool(np.all(name_listed < name_counts[name_entities]))
        ),
        "a name points at no entry",
    )
    parts = IndexParts(
        forms=forms,
        name_entities=name_entities,
        name_listed=name_listed,
        totals=totals,
        frequency=frequency,
        documents=weights["documents"],
        postings=Postings(key_list, offsets, ids),
    )
    index = ScreeningIndex.from_parts(entities, parts)
    return Screening(results, max_age_days=max_age_days, index=index)


def _results(lists: object, entities: list[Any]) -> list[ReadResult]:
    if not isinstance(lists, list):
        raise ValueError("the lists' accounts are not a list")
    results: list[ReadResult] = []
    start = 0
    for item in lists:
        result, count = entity_codec.decode_result(item, entities, start)
        results.append(result)
        start += count
    _check(start == len(entities), "the entries do not add up to the lists' counts")
    return results


def _array(data: memoryview, dtype: np.dtype[Any], name: str) -> np.ndarray[Any, Any]:
    if len(data) % dtype.itemsize:
        raise ValueError(f"section {name} is not a whole number of values")
    return np.frombuffer(data, dtype=dtype)


def _check(condition: bool, problem: str) -> None:
    if not condition:
        raise ValueError(problem)
