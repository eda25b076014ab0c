"""A blocking index over listed names, so that a query is scored against few of them.

Scoring every one of the ~27,000 name forms of the UN and OFAC lists takes about half a
second a query (``scan``); the index proposes the handful that could reach the threshold
and the matcher scores only those. Each listed word is filed under every key by which the
matcher could pair a query word with it:

- its variant spelling, and the word without a glued article;
- its consonant skeleton and metaphone code (sound-alikes, and words read from Arabic
  script);
- its glossary concept (translations);
- each spelling one letter shorter (deletion neighbours: a query word finds listed words
  one insertion, deletion or substitution away);
- its beginnings one to three letters shorter (words of one stem: "Eastern" / "East");

and each listed name under two adjacent words written together (compounds: "Hizb Allah"
under "hizbala"), the initials of an organisation's name, articles taken or skipped, and
their prefixes ("hts", "farc", "farcep", "isil"), and, for a name that is an acronym, the
acronym (found by a long query's initials).

A query word reaches the names filed under its keys, at the strength of the strongest
kind of key (``KEY_STRENGTH``, close to the feature score the matcher would give). Each
reached name gets an estimate of the matcher's score: the query's weight reached, as a
share of the query's weight and of the listed name's, blended as the matcher blends its
two coverages. Names estimated more than ``BLOCKING_SLACK`` under the threshold are
dropped and the best ``MAX_CANDIDATES`` of the rest scored. Articles are not filed (they
are in almost every name); they, and single letters that may be initials, count as
reached everywhere.

What the blocking costs in recall is measured against ``scan`` on the labelled set
(benchmarks/screening.py, and a sample in the tests): of the entries a full scan finds
at the threshold, the share the index misses.

Building the index over the UN and OFAC lists takes seconds. Its ``parts`` (names'
forms and owners, word counts, postings as flat arrays) are what ``index_store``
persists; ``from_parts`` gives back the same index at once, preparing each name when a
query first reaches it.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from backchannel.screening.entity import EntityType, ListedEntity
from backchannel.screening.explain import explain
from backchannel.screening.features import (
    EXPANDED_INITIALISM_SCORE,
    INITIAL_SCORE,
    INITIALISM_SCORE,
    MIN_FUZZY_LENGTH,
    STEM_LENGTH,
    STEM_SCORE,
    STEM_SUFFIX,
    initialism_score,
)
from backchannel.screening.index_parts import (
    FloatArray,
    IndexedName,
    IndexParts,
    IntArray,
    Postings,
    PreparedOnDemand,
    indexed_name,
)
from backchannel.screening.matcher import (
    MATCH_THRESHOLD,
    QUERY_SHARE,
    Hit,
    NameMatch,
    PreparedName,
    TokenWeights,
    WordMemo,
    match_names,
)
from backchannel.screening.normalise import (
    MAX_INITIALISM,
    MIN_INITIALISM,
    Token,
    could_be_initialism,
    name_forms,
    tokens,
)

# The most names scored per query. A query rarely has more than a handful of true
# candidates; the rest of the budget absorbs entries with dozens of aliases.
MAX_CANDIDATES = 64
# How far under the threshold a name's blocking estimate may fall and the name still be
# scored: the estimate takes the strongest key kind as the feature score and the query's
# weight reached as the listed weight matched; the matcher may score a word higher (a
# near spelling reached by a one-letter key), a listed word may weigh less than its query
# variant, and compounds and initialisms can pair words the estimate did not reach.
BLOCKING_SLACK = 0.15
# Initials are indexed for organisations' names of up to this many articles taken or
# skipped in every combination; beyond it, only all taken and all skipped.
MAX_ARTICLE_COMBINATIONS = 4

# Words whose reach ``ScreeningIndex`` remembers between queries.
WORD_REACH_CACHE = 8192


def _deletions(word: str) -> Iterator[str]:
    """Every spelling of ``word`` with one letter left out."""
    for k in range(len(word)):
        yield word[:k] + word[k + 1 :]


# How strongly a query word reaching a listed word under each kind of key suggests they
# match; a close estimate of the feature score the matcher will give, so that blocking
# ranks candidates as the matcher would. Keys: v variant spelling (and without a glued
# article), i initials, c consonants, m metaphone, x glossary concept, d one letter apart,
# a a listed acronym spelt by the query's initials, s a listed word of the same stem.
KEY_STRENGTH: dict[str, float] = {
    "v": 1.0,
    "i": INITIALISM_SCORE,  # for five letters or more; fewer score less
    "c": 0.85,
    "m": 0.85,
    "x": 0.85,
    "d": 0.7,
    "a": EXPANDED_INITIALISM_SCORE,
    "s": STEM_SCORE,
}
# Key kinds by which one word stands for many (initials).
INITIALISM_KEYS = frozenset("ia")
# A long query's initials are looked up among listed acronyms ("a" keys) from this many
# letters: two letters reach too many unrelated abbreviations.
MIN_ACRONYM = 3


def _shared_keys(token: Token) -> set[str]:
    """The keys a listed word is filed under and a query word looks under alike: the
    peeled variant, consonant skeletons, sound and concept."""
    keys = set()
    if token.peeled:
        keys.add("v" + token.peeled)
    for consonants in (token.consonants, token.peeled_consonants):
        if consonants:
            keys.add("c" + consonants)
    if token.phonetic:
        keys.add("m" + token.phonetic)
    if token.concept:
        keys.add("x" + token.concept)
    return keys


def word_keys(token: Token) -> set[str]:
    """Keys a listed word is filed under (see the module docstring)."""
    keys = {"v" + token.variant, *_shared_keys(token)}
    if len(token.variant) >= MIN_FUZZY_LENGTH:
        keys.update("d" + shorter for shorter in _deletions(token.variant))
    keys.update("s" + stem for stem in _stems(token.variant))
    return keys


def _stems(word: str) -> Iterator[str]:
    """The word without its last one to STEM_SUFFIX letters, down to STEM_LENGTH."""
    for cut in range(1, STEM_SUFFIX + 1):
        if len(word) - cut >= STEM_LENGTH:
            yield word[:-cut]


def query_word_keys(token: Token) -> set[str]:
    """Keys under which a query word looks for listed words."""
    keys = {"v" + token.variant, "d" + token.variant, *_shared_keys(token)}
    if len(token.variant) >= MIN_FUZZY_LENGTH:
        for shorter in _deletions(token.variant):
            keys.add("v" + shorter)
            keys.add("d" + shorter)
    # words of the same stem: the listed word longer ("s" keys) or shorter ("v" keys)
    keys.add("s" + token.variant)
    keys.update("v" + stem for stem in _stems(token.variant))
    return keys


def initials_keys(words: tuple[Token, ...]) -> set[str]:
    """Initials of a name, articles taken or skipped, and their prefixes."""
    articles = [k for k, token in enumerate(words) if token.article]
    if len(articles) > MAX_ARTICLE_COMBINATIONS:
        choices: Iterable[tuple[int, ...]] = ((), tuple(articles))
    else:
        choices = itertools.chain.from_iterable(
            itertools.combinations(articles, size) for size in range(len(articles) + 1)
        )
    keys: set[str] = set()
    for taken in choices:
        letters = "".join(
            token.text[0] for k, token in enumerate(words) if not token.article or k in taken
        )
        for end in range(MIN_INITIALISM, min(len(letters), MAX_INITIALISM) + 1):
            keys.add("i" + letters[:end])
    return keys


def name_keys(prepared: PreparedName) -> set[str]:
    """Keys filed for a whole name: compounds of adjacent words and initials."""
    words = prepared.tokens
    keys = {"v" + joined.variant for joined in prepared.joins}
    keys.update("c" + joined.consonants for joined in prepared.joins if joined.consonants)
    distinct = sum(1 for token in words if not token.article)
    if prepared.initialisms and MIN_INITIALISM <= distinct <= MAX_INITIALISM * 2:
        keys.update(initials_keys(words))
    if prepared.initialisms and prepared.short:
        keys.update(
            "a" + token.text
            for token in words
            if could_be_initialism(token) and len(token.text) >= MIN_ACRONYM
        )
    return keys


def _key_strength(key: str) -> float:
    """``KEY_STRENGTH`` of a key's kind; initials by their number of letters."""
    if key[0] == "i":
        return initialism_score(len(key) - 1)
    return KEY_STRENGTH[key[0]]


def _extra_keys(query: PreparedName) -> list[set[str]]:
    """For each query word, the keys it has from its neighbours or the whole query beyond
    its own: its initials reading, compounds with the next or previous word, and the
    query's initials (looked up among listed acronyms)."""
    words = query.tokens
    extra: list[set[str]] = [set() for _ in words]
    if query.initialisms and query.short:
        for keys, token in zip(extra, words, strict=True):
            if MIN_INITIALISM <= len(token.text) <= MAX_INITIALISM:
                keys.add("i" + token.text)
    for k, joined in enumerate(query.joins):
        keys = {"v" + joined.variant}
        if joined.consonants:
            keys.add("c" + joined.consonants)
        extra[k] |= keys
        extra[k + 1] |= keys
    if query.initialisms and len(words) > 1:
        letters = "".join(token.text[0] for token in words if not token.article)
        if MIN_ACRONYM <= len(letters) <= MAX_INITIALISM:
            for keys in extra:
                keys.add("a" + letters)
    return extra


@dataclass(frozen=True, slots=True)
class _Scratch:
    """Arrays over all listed names that one query reuses, zero between uses."""

    strength: FloatArray
    mark: npt.NDArray[np.bool_]


class ScreeningIndex:
    """Listed entries, their names prepared, and the blocking keys to find them."""

    def __init__(
        self,
        entities: tuple[ListedEntity, ...],
        names: Sequence[IndexedName],
        weights: TokenWeights,
        parts: IndexParts,
    ) -> None:
        self.entities = entities
        self.names = names
        self.weights = weights
        self.parts = parts
        self._postings = parts.postings
        kinds = np.array([entity.type.value for entity in entities], dtype=object)
        self._types = kinds[parts.name_entities] if kinds.size else kinds
        self._totals = parts.totals
        self._reach_cache: dict[tuple[str, bool], tuple[IntArray, FloatArray]] = {}

    @classmethod
    def build(cls, entities: Iterable[ListedEntity]) -> ScreeningIndex:
        """Prepare every name form of every entry and file its keys.

        Entries keep the order given: where two entries score the same, the earlier one
        comes first (give the lists in the order they should be read).
        """
        entries = tuple(entities)
        raw: list[tuple[int, int, str, tuple[Token, ...]]] = []
        for position, entity in enumerate(entries):
            seen: set[tuple[Token, ...]] = set()
            for at, listed in enumerate(entity.names):
                for form in name_forms(listed.text):
                    words = tokens(form)
                    if words and words not in seen:
                        seen.add(words)
                        raw.append((position, at, form, words))
        weights = TokenWeights.from_names(words for _, _, _, words in raw)
        names: list[IndexedName] = []
        keyed: dict[str, list[int]] = {}
        word_cache: dict[str, set[str]] = {}
        for number, (position, at, form, _) in enumerate(raw):
            entity = entries[position]
            name = indexed_name(position, entity, entity.names[at], form, weights)
            names.append(name)
            keys = name_keys(name.prepared)
            for token in name.prepared.tokens:
                if token.article:
                    continue
                if token.text not in word_cache:
                    word_cache[token.text] = word_keys(token)
                keys |= word_cache[token.text]
            for key in keys:
                keyed.setdefault(key, []).append(number)
        frequency, documents = weights.counts
        parts = IndexParts(
            forms=tuple(form for _, _, form, _ in raw),
            name_entities=np.array([position for position, _, _, _ in raw], dtype=np.int64),
            name_listed=np.array([at for _, at, _, _ in raw], dtype=np.int64),
            totals=np.array([name.prepared.total for name in names], dtype=np.float64),
            frequency=frequency,
            documents=documents,
            postings=Postings.of(keyed),
        )
        return cls(entries, tuple(names), weights, parts)

    @classmethod
    def from_parts(cls, entities: Iterable[ListedEntity], parts: IndexParts) -> ScreeningIndex:
        """The index ``build`` made of these entries, from its ``parts`` (as a persisted
        index stores them): nothing is re-filed, and each name is prepared when a query
        first reaches it, exactly as ``build`` prepared it."""
        entries = tuple(entities)
        weights = TokenWeights(parts.frequency, parts.documents)
        return cls(entries, PreparedOnDemand(entries, parts, weights), weights, parts)

    @property
    def key_count(self) -> int:
        """How many blocking keys the index holds."""
        return len(self._postings)

    def prepare(self, query: str) -> PreparedName:
        """The query's tokens, weighed by the rarity of each word on the lists."""
        return PreparedName.of(query, self.weights)

    def candidates(
        self,
        query: PreparedName,
        threshold: float = MATCH_THRESHOLD,
        entity_type: EntityType | None = None,
    ) -> IntArray:
        """Numbers of the names worth scoring for a query, most promising first (see the
        module docstring)."""
        return self._candidates(query, threshold, entity_type)[0]

    def _candidates(
        self,
        query: PreparedName,
        threshold: float = MATCH_THRESHOLD,
        entity_type: EntityType | None = None,
    ) -> tuple[IntArray, FloatArray]:
        """``candidates`` with each name's estimate."""
        nothing = (np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64))
        if not query.tokens or query.total <= 0:
            return nothing
        words = query.tokens
        extra = _extra_keys(query)
        size = len(self.names)
        reached = np.zeros(size, dtype=np.float64)
        # scratch arrays over all names, for this query only, left zero after each use
        scratch = _Scratch(np.zeros(size, dtype=np.float64), np.zeros(size, dtype=bool))
        touched: list[IntArray] = []
        spelled: list[IntArray] = []  # names an initialism covers whole
        free = 0.0
        for token, weight, keys in zip(words, query.weights, extra, strict=True):
            if token.article or len(token.text) == 1:
                # articles are not filed (they are in almost every name) and a single
                # letter may be the initial of any word ("J. Kony"): count them as
                # reached everywhere, unless their neighbours' keys reach further
                floor = 1.0 if token.article else INITIAL_SCORE
                free += weight * floor
                if any(key in self._postings for key in keys):
                    more, stronger = self._reach(keys, scratch)
                    reached[more] += weight * np.maximum(stronger - floor, 0.0)
                    touched.append(more)
                continue
            numbers, strengths = self._word_reach(token, scratch)
            reached[numbers] += weight * strengths
            touched.append(numbers)
            if any(key in self._postings for key in keys):
                # what the extra keys add: only where they are stronger than the word's own
                more, stronger = self._reach(keys, scratch)
                own = scratch.strength
                own[numbers] = strengths
                reached[more] += weight * np.maximum(stronger - own[more], 0.0)
                own[numbers] = 0.0
                touched.append(more)
                initials = {key for key in keys if key[0] in INITIALISM_KEYS}
                if initials:
                    spelled.append(self._reach(initials, scratch)[0])
        if not touched:
            return nothing
        mark = scratch.mark
        for array in touched:
            mark[array] = True
        numbers = np.flatnonzero(mark)
        covered = reached[numbers] + free
        # the matcher's blend of the two coverages, with the weight reached standing in
        # for the listed words matched (a word and its variants weigh the same)
        listed_share = np.minimum(covered / self._totals[numbers], 1.0)
        if spelled:
            # an initialism pairs one word with a whole run of the other name's words
            mark[numbers] = False
            for array in spelled:
                mark[array] = True
            listed_share[mark[numbers]] = 1.0
        estimate = QUERY_SHARE * covered / query.total + (1.0 - QUERY_SHARE) * listed_share
        kept = estimate >= threshold - BLOCKING_SLACK
        numbers, estimate = numbers[kept], estimate[kept]
        if entity_type is not None and numbers.size:
            kinds = self._types[numbers]
            same = (kinds == entity_type.value) | (kinds == EntityType.UNKNOWN.value)
            numbers, estimate = numbers[same], estimate[same]
        order = np.argsort(-estimate, kind="stable")[:MAX_CANDIDATES]
        return numbers[order], estimate[order]

    def _word_reach(self, token: Token, scratch: _Scratch) -> tuple[IntArray, FloatArray]:
        """``_reach`` of a word's own keys, remembered for the most recent words (names
        are built from a limited vocabulary: "al", "islamic", "mohammed" recur)."""
        key = (token.text, token.abjad)
        found = self._reach_cache.get(key)
        if found is None:
            found = self._reach(query_word_keys(token), scratch)
            if len(self._reach_cache) >= WORD_REACH_CACHE:
                # forget everything at once: simple, and safe under concurrent searches
                self._reach_cache.clear()
            self._reach_cache[key] = found
        return found

    def _reach(self, keys: set[str], scratch: _Scratch) -> tuple[IntArray, FloatArray]:
        """The names a set of keys reaches, with the strength of the strongest kind of key
        that reaches each (a name may repeat, always at that one strength)."""
        grouped: dict[float, list[IntArray]] = {}
        for key in keys:
            posting = self._postings.get(key)
            if posting is not None:
                grouped.setdefault(_key_strength(key), []).append(posting)
        if not grouped:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64)
        if len(grouped) == 1:
            [(level, arrays)] = grouped.items()
            found: IntArray = np.concatenate(arrays) if len(arrays) > 1 else arrays[0]
            return found, np.full(found.size, level)
        # over all names, weakest kind first so that stronger ones overwrite it
        strength, mark = scratch.strength, scratch.mark
        for level in sorted(grouped):
            for array in grouped[level]:
                strength[array] = level
                mark[array] = True
        numbers = np.flatnonzero(mark)
        levels = strength[numbers]
        strength[numbers] = 0.0
        mark[numbers] = False
        return numbers, levels

    def search(
        self,
        query: str,
        limit: int = 10,
        threshold: float = MATCH_THRESHOLD,
        entity_type: EntityType | None = None,
    ) -> list[Hit]:
        """Listed entries matching ``query`` at or above ``threshold``, best first.

        One hit per entry (its best-matching name); ``entity_type`` keeps entries of
        that type and of unknown type.
        """
        prepared = self.prepare(query)
        numbers, estimates = self._candidates(prepared, threshold, entity_type)
        return self._hits(
            prepared, zip(numbers.tolist(), estimates.tolist(), strict=True), limit, threshold
        )

    def scan(
        self,
        query: str,
        limit: int = 10,
        threshold: float = MATCH_THRESHOLD,
        entity_type: EntityType | None = None,
    ) -> list[Hit]:
        """As ``search``, scoring every listed name: the reference the blocking is
        measured against, and far slower."""
        prepared = self.prepare(query)
        numbers = (
            (n, None)
            for n, name in enumerate(self.names)
            if entity_type is None
            or self.entities[name.entity].type in (entity_type, EntityType.UNKNOWN)
        )
        return self._hits(prepared, numbers, limit, threshold)

    def _hits(
        self,
        query: PreparedName,
        numbers: Iterable[tuple[int, float | None]],
        limit: int,
        threshold: float,
    ) -> list[Hit]:
        """Score names (most promising first, with their blocking estimates if any) and
        keep each entry's best.

        Armed groups carry dozens of aliases; once one of an entry's names has scored,
        its other names are scored only if their estimate comes within
        ``BLOCKING_SLACK`` of that score, the margin by which an estimate may fall short.
        """
        best: dict[int, tuple[NameMatch, int]] = {}
        memo: WordMemo = {}
        for number, estimate in numbers:
            name = self.names[number]
            held = best.get(name.entity)
            if (
                held is not None
                and estimate is not None
                and (estimate + BLOCKING_SLACK <= held[0].score)
            ):
                continue
            match = match_names(query, name.prepared, name.factor, memo)
            if match.score < threshold:
                continue
            if held is None or match.score > held[0].score:
                best[name.entity] = (match, number)
        ranked = sorted(best.items(), key=lambda item: (-item[1][0].score, item[0]))
        return [
            self._hit(query, entity, match, number, threshold)
            for entity, (match, number) in ranked[:limit]
        ]

    def _hit(
        self, query: PreparedName, entity: int, match: NameMatch, number: int, threshold: float
    ) -> Hit:
        listed = self.entities[entity]
        name = self.names[number]
        explanation = explain(query, name.prepared, match, name.listed, threshold)
        explanation["query"] = query.text
        explanation["entity_type"] = listed.type.value
        explanation["reference"] = listed.reference
        explanation["programmes"] = list(listed.programmes)
        return Hit(
            list=listed.list_id,
            entity_id=listed.entity_id,
            name=listed.primary_name,
            matched_alias=name.prepared.text,
            score=match.score,
            explanation=explanation,
            entity_type=listed.type,
            reference=listed.reference,
            listed_name=name.listed,
        )
