"""The labelled screening names, read and split into a tuning half and a held-out half.

The matcher's threshold and weights were chosen by looking at how they score the labelled
set (tests/fixtures/screening/labelled_names.csv), so figures measured on the whole set are
in-sample. ``split_labelled`` cuts the set once, the same way on every run, into a half
that choices may be made on (tuning) and a half that only reports (held out):

- Positives go by **listed body**, never by row: every variant of one listed entry falls in
  the same half, and so do the entries of different lists that designate the same body or
  carry the same listed name (``SAME_BODY``: Al-Shabaab on the UN list and on OFAC's),
  so that no half is graded on a body whose spellings the other half tuned on.
- Bodies are dealt in the order of the SHA-256 of their key (the smallest of their
  ``list:entity`` ids), each to the half holding fewer rows of the body's rarest variant
  kind (rarest over the whole set); on a tie, to the half holding fewer positives; on a
  tie, to the half the hash's last bit names. The order is fixed by the hash and not by
  anything measured, and the dealing keeps the rare kinds (four ``longer_name`` rows, in
  three bodies) on both sides.
- Negatives go by the SHA-256 of the query: its last bit names the half.

The result is deterministic for a given file; adding rows may move later bodies, which is
why figures name the split they were measured on by the counts of each half.
"""

from __future__ import annotations

import csv
import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LABELLED = REPO / "tests" / "fixtures" / "screening" / "labelled_names.csv"
REQUIRED_COLUMNS = ("query", "expected_list", "expected_entity", "label", "variant_kind")
MATCH = "match"
NO_MATCH = "no_match"
TUNING = "tuning"
HELD_OUT = "held_out"

# Entries of the labelled set that designate one body, or carry one listed name. A query
# written for one may rightly find the other, so they are split together.
# tests/screening/test_labelled_split.py checks against the lists that no two expected
# entries sharing a listed name are missing here.
SAME_BODY: tuple[tuple[tuple[str, str], ...], ...] = (
    (("un-sc", "SOe.001"), ("ofac-sdn", "10761")),  # Al-Shabaab
    (("un-sc", "QDe.138"), ("ofac-sdn", "16363")),  # Boko Haram
    (("un-sc", "QDe.137"), ("ofac-sdn", "16937")),  # Al-Nusrah Front
    (("un-sc", "QDe.118"), ("ofac-sdn", "7140")),  # Lashkar-e-Tayyiba
    (("un-sc", "QDe.115"), ("ofac-sdn", "8759")),  # Al-Qaida in Iraq, renamed ISIL
    (("un-sc", "QDe.159"), ("ofac-sdn", "24879")),  # JNIM
    (("un-sc", "IRi.039"), ("ofac-sdn", "10481")),  # Qasem Soleimani
    (("un-sc", "TAi.144"), ("ofac-sdn", "10743")),  # Sirajuddin Haqqani
    (("un-sc", "QDi.299"), ("ofac-sdn", "12926")),  # Abu Bakr al-Baghdadi
    (("un-sc", "YEi.004"), ("ofac-sdn", "17927")),  # Abdulmalik al-Houthi
    # Two bodies, one listed name: OFAC gives Hizballah the alias ANSAR ALLAH, the
    # Houthis' own name on the UN list.
    (("un-sc", "YEe.001"), ("ofac-sdn", "4697")),
    # Two UN entries, one listed name: both carry the alias HARAKAT UL-ANSAR.
    (("un-sc", "QDe.008"), ("un-sc", "QDe.130")),
)


class LabelledSetError(ValueError):
    """A labelled-set file that cannot be read, named with its row and field."""


@dataclass(frozen=True)
class LabelledName:
    """One labelled query: a positive names the listed entry it should find."""

    line: int  # line of the CSV file, the header being line 1
    query: str
    expected: tuple[str, str] | None  # (list id, entity id or reference) for a positive
    kind: str  # the variant kind of a positive; for a negative, how it resembles one


@dataclass(frozen=True)
class LabelledSplit:
    """The two halves of the labelled set; they never share a row or a listed body."""

    tuning: tuple[LabelledName, ...]
    held_out: tuple[LabelledName, ...]

    def __post_init__(self) -> None:
        shared = {n.line for n in self.tuning} & {n.line for n in self.held_out}
        if shared:
            raise ValueError(f"rows in both halves: lines {sorted(shared)}")
        tuning_bodies = {body_key(n.expected) for n in self.tuning if n.expected}
        held_bodies = {body_key(n.expected) for n in self.held_out if n.expected}
        if tuning_bodies & held_bodies:
            raise ValueError(f"listed bodies in both halves: {sorted(tuning_bodies & held_bodies)}")

    def half(self, name: str) -> tuple[LabelledName, ...]:
        """The half called ``name`` (``tuning`` or ``held_out``)."""
        if name == TUNING:
            return self.tuning
        if name == HELD_OUT:
            return self.held_out
        raise ValueError(f"no half called {name!r}: expected {TUNING!r} or {HELD_OUT!r}")


def read_labelled(path: Path = LABELLED) -> tuple[LabelledName, ...]:
    """Every row of the labelled set, checked: a row with a missing or unknown field, or a
    query asked twice, is refused with the file, line and field."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or ())]
        if missing:
            raise LabelledSetError(f"{path}: line 1: missing columns {', '.join(missing)}")
        names: list[LabelledName] = []
        seen: dict[str, int] = {}
        for row in reader:
            line = reader.line_num
            names.append(_labelled_name(path, line, row))
            query = names[-1].query
            if query in seen:
                raise LabelledSetError(
                    f"{path}: line {line}: field 'query': {query!r} already on line {seen[query]}"
                )
            seen[query] = line
    return tuple(names)


def _labelled_name(path: Path, line: int, row: Mapping[str, str | None]) -> LabelledName:
    def field(column: str) -> str:
        return (row.get(column) or "").strip()

    query, label, kind = field("query"), field("label"), field("variant_kind")
    if not query:
        raise LabelledSetError(f"{path}: line {line}: field 'query' is empty")
    if not kind:
        raise LabelledSetError(f"{path}: line {line}: field 'variant_kind' is empty")
    if label == NO_MATCH:
        return LabelledName(line, query, None, kind)
    if label != MATCH:
        raise LabelledSetError(
            f"{path}: line {line}: field 'label': {label!r}, expected {MATCH!r} or {NO_MATCH!r}"
        )
    for column in ("expected_list", "expected_entity"):
        if not field(column):
            raise LabelledSetError(f"{path}: line {line}: field {column!r} is empty for a match")
    return LabelledName(line, query, (field("expected_list"), field("expected_entity")), kind)


def _entry_id(entry: tuple[str, str]) -> str:
    return f"{entry[0]}:{entry[1]}"


def _body_keys(groups: Iterable[Sequence[tuple[str, str]]]) -> dict[tuple[str, str], str]:
    keys: dict[tuple[str, str], str] = {}
    for group in groups:
        key = min(_entry_id(entry) for entry in group)
        for entry in group:
            if entry in keys:
                raise ValueError(f"{_entry_id(entry)} is in two SAME_BODY groups")
            keys[entry] = key
    return keys


BODY_KEYS = _body_keys(SAME_BODY)


def body_key(entry: tuple[str, str]) -> str:
    """The key of the listed body ``entry`` designates: the smallest ``list:entity`` id of
    its ``SAME_BODY`` group, or its own."""
    return BODY_KEYS.get(entry, _entry_id(entry))


def _digest(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8")).digest()


def split_labelled(names: Sequence[LabelledName]) -> LabelledSplit:
    """Cut the labelled set into its tuning and held-out halves (see the module's text)."""
    by_body: dict[str, list[LabelledName]] = defaultdict(list)
    negatives: list[LabelledName] = []
    for name in names:
        if name.expected is None:
            negatives.append(name)
        else:
            by_body[body_key(name.expected)].append(name)
    kind_totals = Counter(n.kind for rows in by_body.values() for n in rows)
    halves: dict[str, list[LabelledName]] = {TUNING: [], HELD_OUT: []}
    kinds_in: dict[str, Counter[str]] = {TUNING: Counter(), HELD_OUT: Counter()}
    for key in sorted(by_body, key=_digest):
        rows = by_body[key]
        rarest = min({n.kind for n in rows}, key=lambda kind: (kind_totals[kind], kind))
        hashed = HELD_OUT if _digest(key)[-1] & 1 else TUNING
        chosen = min(
            (TUNING, HELD_OUT),
            key=lambda half: (
                kinds_in[half][rarest],
                sum(kinds_in[half].values()),
                half != hashed,
            ),
        )
        halves[chosen].extend(rows)
        kinds_in[chosen].update(n.kind for n in rows)
    for name in negatives:
        halves[HELD_OUT if _digest(name.query)[-1] & 1 else TUNING].append(name)
    return LabelledSplit(
        tuple(sorted(halves[TUNING], key=lambda n: n.line)),
        tuple(sorted(halves[HELD_OUT], key=lambda n: n.line)),
    )
