"""A screening index's names and blocking keys as plain strings and flat arrays.

``ScreeningIndex.build`` files every listed name under its keys; ``IndexParts`` is the
result in a form that can be written to a file and read back without rebuilding anything
(``index_store``): the names' forms and owners, their weights, and the postings. An index
read back prepares each name for matching only when a query first reaches it
(``PreparedOnDemand``), exactly as ``build`` prepared it (``indexed_name``).
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import overload

import numpy as np
import numpy.typing as npt

from backchannel.screening.entity import EntityType, ListedEntity, ListedName
from backchannel.screening.matcher import PreparedName, TokenWeights, quality_factor

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


class Postings(Mapping[str, IntArray]):
    """Blocking keys and the numbers of the names filed under each, in three flat parts:
    the keys in sorted order, and for key ``k`` the names ``ids[offsets[k]:offsets[k + 1]]``.

    Flat arrays are what a persisted index stores and loads without rebuilding anything;
    a key is found by bisection.
    """

    def __init__(self, keys: Sequence[str], offsets: IntArray, ids: IntArray) -> None:
        self.sorted_keys = keys
        self.offsets = offsets
        self.ids = ids

    @classmethod
    def of(cls, keyed: Mapping[str, Sequence[int]]) -> Postings:
        """Postings of names filed under keys, each key's names in the order given."""
        keys = sorted(keyed)
        sizes = np.fromiter((len(keyed[key]) for key in keys), dtype=np.int64, count=len(keys))
        offsets = np.zeros(len(keys) + 1, dtype=np.int64)
        np.cumsum(sizes, out=offsets[1:])
        ids = np.fromiter(
            itertools.chain.from_iterable(keyed[key] for key in keys),
            dtype=np.int64,
            count=int(offsets[-1]),
        )
        return cls(keys, offsets, ids)

    def _slot(self, key: str) -> int:
        """The position of ``key`` among the keys, or -1."""
        at = bisect.bisect_left(self.sorted_keys, key)
        return at if at < len(self.sorted_keys) and self.sorted_keys[at] == key else -1

    def __getitem__(self, key: str) -> IntArray:
        at = self._slot(key)
        if at < 0:
            raise KeyError(key)
        return self.ids[self.offsets[at] : self.offsets[at + 1]]

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self._slot(key) >= 0

    def __iter__(self) -> Iterator[str]:
        return iter(self.sorted_keys)

    def __len__(self) -> int:
        return len(self.sorted_keys)


@dataclass(frozen=True)
class IndexParts:
    """An index's names and keys as plain strings and arrays (what a persisted index
    holds): name ``n`` is the form ``forms[n]`` of name ``name_listed[n]`` of entry
    ``name_entities[n]``, weighing ``totals[n]`` in all; the word weights come from
    ``frequency`` over ``documents`` names."""

    forms: Sequence[str]
    name_entities: IntArray
    name_listed: IntArray
    totals: FloatArray
    frequency: Mapping[str, int]
    documents: int
    postings: Postings


@dataclass(frozen=True, slots=True)
class IndexedName:
    """One name form of one listed entry, prepared for matching."""

    entity: int  # position of the entry in the index
    listed: ListedName
    prepared: PreparedName
    factor: float  # WEAK_ALIAS_FACTOR for weak aliases, else 1


class PreparedOnDemand(Sequence[IndexedName]):
    """The names of an index read from its parts, each prepared the first time it is
    asked for: a query scores a few dozen of the ~27,000 names, so preparing all of
    them up front would cost a loaded index most of what loading saves."""

    def __init__(
        self, entities: Sequence[ListedEntity], parts: IndexParts, weights: TokenWeights
    ) -> None:
        self._entities = entities
        self._parts = parts
        self._weights = weights
        self._prepared: list[IndexedName | None] = [None] * len(parts.forms)

    def _name(self, number: int) -> IndexedName:
        found = self._prepared[number]
        if found is None:
            position = int(self._parts.name_entities[number])
            entity = self._entities[position]
            listed = entity.names[int(self._parts.name_listed[number])]
            found = indexed_name(position, entity, listed, self._parts.forms[number], self._weights)
            self._prepared[number] = found
        return found

    @overload
    def __getitem__(self, number: int) -> IndexedName: ...

    @overload
    def __getitem__(self, number: slice) -> Sequence[IndexedName]: ...

    def __getitem__(self, number: int | slice) -> IndexedName | Sequence[IndexedName]:
        if isinstance(number, slice):
            return [self._name(n) for n in range(len(self))[number]]
        if number < 0:
            number += len(self)
        if not 0 <= number < len(self):
            raise IndexError(number)
        return self._name(number)

    def __len__(self) -> int:
        return len(self._prepared)


def indexed_name(
    position: int, entity: ListedEntity, listed: ListedName, form: str, weights: TokenWeights
) -> IndexedName:
    """One name form prepared for matching (initialisms only for names of bodies)."""
    allow = entity.type is not EntityType.PERSON
    prepared = PreparedName.of(form, weights, initialisms=allow)
    return IndexedName(position, listed, prepared, quality_factor(listed.quality))
