"""Score one queried name against one listed name, and say why.

The score aligns the words of the two names, one to one (or one word to several, for
compound words and initialisms), each pair by the best feature in ``features``; word order
does not matter. Each word weighs what it tells about identity: its rarity among all listed
names (inverse document frequency), so that "Shabaab" or "Haqqani" weigh much and
"Islamic" or "Company" little; articles and the vocabulary of armed groups ("al", "the",
"group", "movement", "jamaat") weigh little whatever their frequency, and still count.

From the alignment come two coverages: of the query (how much of what was asked for the
listed name accounts for) and of the listed name (how much of it the query accounts for).
The name score blends them, the query's first: a query with a distinctive word the listed
name lacks ("Al-Shabab Football Club" against "AL-SHABAB") is a different body far more
often than a query that leaves out part of a long listed name ("Harakat al-Shabaab" against
"HARAKAT AL-SHABAAB AL-MUJAAHIDIIN") is. A match on an alias the list itself calls weak is
scaled down by ``WEAK_ALIAS_FACTOR``, so that such an alias alone never carries a hit over
``MATCH_THRESHOLD``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from backchannel.screening.entity import EntityType, ListedName, NameQuality
from backchannel.screening.features import (
    EXPANDED_INITIALISM_SCORE,
    TRANSLITERATION_SCORE,
    Feature,
    compare_compound,
    compare_tokens,
    initialism_score,
)
from backchannel.screening.normalise import (
    Join,
    Token,
    could_be_initialism,
    initialism_runs,
    joins,
    tokens,
)

# A hit is reported at or above this score. Chosen on the labelled set
# (tests/fixtures/screening/labelled_names.csv, 256 real listed names under variants and
# 159 real unlisted bodies and people sharing words with listed ones): from 0.75 to 0.8
# the false-positive rate falls from about 7% to about 1%, what remains being unlisted
# people whose whole name is part of a listed person's ("Mohamed Salah" / "Abou Mohamed
# Salah"), which no name-only screening can tell apart, while recall stays above 0.93;
# above 0.8 recall falls and false positives do not (see the sweep printed by
# benchmarks/screening.py).
MATCH_THRESHOLD = 0.8

# Share of the name score that the query's coverage takes (the rest is the listed name's).
QUERY_SHARE = 0.6

# OFAC expects weak aliases not to be screened on their own, and the UN marks its "Low"
# aliases (nicknames, titles: "Chairman", "Colonel Omega") for the same reason. A perfect
# match on one scores this much, below the threshold.
WEAK_ALIAS_FACTOR = 0.75

# Articles and connectors ("al", "the", "of", "e" in Lashkar-e-Taiba) say almost nothing.
ARTICLE_WEIGHT = 0.3
# The vocabulary of armed groups ("movement", "brigade", "jamaat") says a little, but
# enough that "Kata'ib Hezbollah" (Hezbollah Brigades) is not simply "Hezbollah".
ORGANISATION_WORD_WEIGHT = 3.5
# When each name has such a word the other lacks ("Palestine Liberation Organization" and
# "Palestine Liberation Front"), they name different kinds of body: more often two
# bodies than one written two ways.
ORGANISATION_CONFLICT_FACTOR = 0.9
# Words of one or two letters are initials or suffixes ("EP" in FARC-EP, a middle
# initial), not distinctive words, however rare.
SHORT_WORD_LENGTH = 2
SHORT_WORD_WEIGHT = 1.0
# Except abbreviations that say what kind of body a name designates: "Al-Shabab FC" is a
# football club, not the armed group. They weigh as ordinary words.
KIND_ABBREVIATIONS: frozenset[str] = frozenset(
    {"fc", "sc", "ac", "cf", "cd", "sk", "fk", "bc", "co", "sa", "ag", "nv", "bv", "plc"}
)
# A name made only of generic words (articles and the vocabulary of armed groups:
# "Jamaat-e-Islami", "Islamic Group", "National Liberation Front") names many bodies; it
# identifies a listed one only when it is the whole of that name (or that name the whole
# of it), spelt as the list spells it. Matched by translation, sound, near spelling or
# initials, or leaving a distinctive word unmatched, it scores at most this, below the
# threshold.
GENERIC_NAME_CAP = 0.75
SPELLING_FEATURES: frozenset[Feature] = frozenset(
    {Feature.EXACT, Feature.TRANSLITERATION, Feature.GLUED_ARTICLE, Feature.COMPOUND}
)
# Initialisms are read only in names of at most this many words besides articles: an
# initialism stands alone or with a qualifier ("FARC-EP", "ISIL-K"); reading them into
# longer names pairs ordinary short words with runs of initials ("Ali" / "Abu Lahab Ibrahim").
MAX_INITIALISM_WORDS = 2
# Without a corpus (a name compared in isolation), every ordinary word weighs this.
DEFAULT_WORD_WEIGHT = 5.0


class TokenWeights:
    """What each word tells about identity, from how often listed names use it."""

    def __init__(self, document_frequency: Mapping[str, int], documents: int) -> None:
        self._frequency = dict(document_frequency)
        self._documents = documents

    @property
    def counts(self) -> tuple[Mapping[str, int], int]:
        """The document frequency of each variant spelling and the number of names
        counted: what the weights were made from (a persisted index stores them)."""
        return self._frequency, self._documents

    @classmethod
    def from_names(cls, names: Iterable[Sequence[Token]]) -> TokenWeights:
        """Count, for each word's variant spelling, how many names use it."""
        frequency: dict[str, int] = {}
        documents = 0
        for name in names:
            documents += 1
            for variant in {token.variant for token in name}:
                frequency[variant] = frequency.get(variant, 0) + 1
        return cls(frequency, documents)

    @classmethod
    def uniform(cls) -> TokenWeights:
        """Weights without a corpus: every ordinary word weighs the same."""
        return cls({}, 0)

    def frequency(self, token: Token) -> int:
        """How many listed names use the word (its variant spelling)."""
        return self._frequency.get(token.variant, 0)

    def weight(self, token: Token) -> float:
        """The weight of one word (see the module docstring)."""
        if token.article:
            return ARTICLE_WEIGHT
        seen = self._frequency.get(token.variant, 0)
        if self._documents:
            rarity = math.log((self._documents + 1) / (seen + 1)) + 1.0
        else:
            rarity = DEFAULT_WORD_WEIGHT
        if token.organisation_word:
            return min(rarity, ORGANISATION_WORD_WEIGHT)
        if len(token.text) <= SHORT_WORD_LENGTH and token.text not in KIND_ABBREVIATIONS:
            return min(rarity, SHORT_WORD_WEIGHT)
        return rarity


@dataclass(frozen=True, slots=True)
class PreparedName:
    """A name split into weighted tokens, ready to compare."""

    text: str
    tokens: tuple[Token, ...]
    weights: tuple[float, ...]
    total: float
    initialisms: bool  # whether initialisms may be read into or out of this name
    joins: tuple[Join, ...]  # adjacent words written together, for compounds
    generic: bool  # every word an article or organisation word ("Islamic Group")
    short: bool  # at most MAX_INITIALISM_WORDS words besides articles ("FARC-EP", "HTS")
    word_keys: frozenset[str]  # spellings and consonants of its words, to find compounds
    join_keys: frozenset[str]  # the same of its joins
    memo_keys: tuple[str, ...]  # each word's key in a search's WordMemo
    organisation_at: frozenset[int]  # positions of organisation words
    distinctive_at: frozenset[int]  # positions of words neither articles nor those

    @classmethod
    def of(cls, text: str, weights: TokenWeights, *, initialisms: bool = True) -> PreparedName:
        """Tokenise and weigh a name; ``initialisms`` False for people's names."""
        words = tokens(text)
        token_weights = tuple(weights.weight(token) for token in words)
        distinct = sum(1 for token in words if not token.article)
        joined = joins(words)
        word_keys = {token.variant for token in words}
        word_keys.update(token.peeled for token in words if token.peeled)
        word_keys.update(_CONSONANTS + token.consonants for token in words if token.consonants)
        join_keys = {join.variant for join in joined}
        join_keys.update(_CONSONANTS + join.consonants for join in joined if join.consonants)
        return cls(
            text=text,
            tokens=words,
            weights=token_weights,
            total=sum(token_weights),
            initialisms=initialisms and distinct > 0,
            joins=joined,
            generic=all(token.article or token.organisation_word for token in words),
            short=distinct <= MAX_INITIALISM_WORDS,
            word_keys=frozenset(word_keys),
            join_keys=frozenset(join_keys),
            memo_keys=tuple(token.text + "\0" if token.abjad else token.text for token in words),
            organisation_at=frozenset(
                k for k, token in enumerate(words) if token.organisation_word
            ),
            distinctive_at=frozenset(
                k for k, token in enumerate(words) if not (token.article or token.organisation_word)
            ),
        )


_CONSONANTS = "~"  # marks consonant keys among spellings in word_keys and join_keys


@dataclass(frozen=True, slots=True)
class Pairing:
    """Query words matched to listed words by one feature, with its score."""

    query: tuple[int, ...]
    listed: tuple[int, ...]
    feature: Feature
    score: float


@dataclass(frozen=True, slots=True)
class NameMatch:
    """The alignment of a query with one listed name, and the score it gives."""

    score: float
    query_coverage: float
    listed_coverage: float
    pairings: tuple[Pairing, ...]
    quality_factor: float = 1.0

    @property
    def name_score(self) -> float:
        """The score before the alias-quality factor."""
        return _blend(self.query_coverage, self.listed_coverage)


def _blend(query_coverage: float, listed_coverage: float) -> float:
    return QUERY_SHARE * query_coverage + (1.0 - QUERY_SHARE) * listed_coverage


def quality_factor(quality: NameQuality) -> float:
    """How much a match on a name of this quality keeps of its score."""
    return WEAK_ALIAS_FACTOR if quality is NameQuality.WEAK else 1.0


# Word comparisons already made for one query: for each listed word, its comparison
# with every query word. Listed names share words (an entry's aliases, common words), so
# a search compares each distinct pair once.
WordMemo = dict[str, "tuple[tuple[Feature, float] | None, ...]"]
# A candidate pairing before it is chosen: value, query positions, listed positions,
# feature, score.
_Candidate = tuple[float, tuple[int, ...], tuple[int, ...], Feature, float]


def match_names(
    query: PreparedName,
    listed: PreparedName,
    factor: float = 1.0,
    memo: WordMemo | None = None,
) -> NameMatch:
    """Align two prepared names and score the alignment (see the module docstring).

    Candidate pairings (word to word, adjacent words to one word, initials to a run of
    words) are taken greedily, the most valuable first (score times the weight of the
    words they cover), each word at most once. Near-spelt compounds are looked for last,
    among the words still unmatched.
    """
    if not query.tokens or not listed.tokens or query.total <= 0 or listed.total <= 0:
        return NameMatch(0.0, 0.0, 0.0, (), factor)
    candidates = _word_pairings(query, listed, {} if memo is None else memo)
    if query.joins or listed.joins:
        candidates.extend(_compound_pairings(query, listed))
    if query.initialisms and listed.initialisms and (query.short or listed.short):
        candidates.extend(_initialism_pairings(query, listed))
    if not candidates:
        return NameMatch(0.0, 0.0, 0.0, (), factor)
    # spelling matches of single words first, so that no compound or initialism can
    # take a word away from its own spelling; then the rest, most valuable first
    candidates.sort(key=_precedence, reverse=True)
    used_query: set[int] = set()
    used_listed: set[int] = set()
    chosen: list[Pairing] = []
    query_matched = listed_matched = 0.0
    query_weights, listed_weights = query.weights, listed.weights
    for _, query_at, listed_at, feature, score in candidates:
        if used_query.isdisjoint(query_at) and used_listed.isdisjoint(listed_at):
            chosen.append(Pairing(query_at, listed_at, feature, score))
            used_query.update(query_at)
            used_listed.update(listed_at)
            if len(query_at) == 1:
                query_matched += score * query_weights[query_at[0]]
            else:
                query_matched += score * sum(query_weights[i] for i in query_at)
            if len(listed_at) == 1:
                listed_matched += score * listed_weights[listed_at[0]]
            else:
                listed_matched += score * sum(listed_weights[j] for j in listed_at)
    if len(used_query) < len(query.tokens) or len(used_listed) < len(listed.tokens):
        for pairing in _near_compounds(query, listed, used_query, used_listed):
            chosen.append(pairing)
            query_matched += pairing.score * sum(query_weights[i] for i in pairing.query)
            listed_matched += pairing.score * sum(listed_weights[j] for j in pairing.listed)
    query_coverage = min(query_matched / query.total, 1.0)
    listed_coverage = min(listed_matched / listed.total, 1.0)
    score = _blend(query_coverage, listed_coverage)
    if _conflicting_kinds(query, listed, used_query, used_listed):
        score *= ORGANISATION_CONFLICT_FACTOR
    if _generic_unconfirmed(query, listed, chosen, used_query, used_listed):
        score = min(score, GENERIC_NAME_CAP)
    score *= factor
    ordered = tuple(sorted(chosen, key=lambda p: (p.query, p.listed)))
    return NameMatch(round(score, 4), query_coverage, listed_coverage, ordered, factor)


def _precedence(candidate: _Candidate) -> tuple[bool, float]:
    value, query_at, listed_at, _, score = candidate
    single = len(query_at) == 1 and len(listed_at) == 1
    return single and score >= TRANSLITERATION_SCORE, value


def _generic_unconfirmed(
    query: PreparedName,
    listed: PreparedName,
    chosen: list[Pairing],
    used_query: set[int],
    used_listed: set[int],
) -> bool:
    """Whether a generic name (see GENERIC_NAME_CAP) was matched otherwise than in full
    and by spelling: through a translation, a sound or a near spelling, or leaving a
    distinctive word of the other name unmatched ("Islamic Movement" / "Islamic
    Movement of Uzbekistan")."""
    if not (query.generic or listed.generic):
        return False
    if any(pairing.feature not in SPELLING_FEATURES for pairing in chosen):
        return True
    return _leaves_distinctive(query, used_query) or _leaves_distinctive(listed, used_listed)


def _leaves_distinctive(name: PreparedName, used: set[int]) -> bool:
    return not name.distinctive_at <= used


def _conflicting_kinds(
    query: PreparedName, listed: PreparedName, used_query: set[int], used_listed: set[int]
) -> bool:
    """Whether each name has an organisation word the other does not match ("Palestine
    Liberation Organization" / "Palestine Liberation Front")."""
    return not (query.organisation_at <= used_query or listed.organisation_at <= used_listed)


def _word_pairings(query: PreparedName, listed: PreparedName, memo: WordMemo) -> list[_Candidate]:
    """Every pair of single words that match by some feature."""
    found: list[_Candidate] = []
    query_weights = query.weights
    for j, (listed_token, key) in enumerate(zip(listed.tokens, listed.memo_keys, strict=True)):
        row = memo.get(key)
        if row is None:
            row = memo[key] = tuple(compare_tokens(word, listed_token) for word in query.tokens)
        for i, result in enumerate(row):
            if result is not None:
                feature, score = result
                value = score * (query_weights[i] + listed.weights[j])
                found.append((value, (i,), (j,), feature, score))
    return found


def _compound_pairings(query: PreparedName, listed: PreparedName) -> list[_Candidate]:
    """Two adjacent words of one name spelling one word of the other ("Hizb Allah" /
    "Hizballah", "Abdel Malek" / "Abdulmalik"), same spelling or consonants."""
    found: list[_Candidate] = []
    for k, joined in enumerate(query.joins):
        if not _could_join(joined.variant, joined.consonants, listed.word_keys):
            continue
        for m, whole in enumerate(listed.tokens):
            result = compare_compound(joined, whole, fuzzy=False)
            if result is not None:
                value = result[1] * (query.weights[k] + query.weights[k + 1] + listed.weights[m])
                found.append((value, (k, k + 1), (m,), result[0], result[1]))
    for m, whole in enumerate(query.tokens):
        if not _could_join(whole.variant, whole.consonants, listed.join_keys) and not (
            whole.peeled and whole.peeled in listed.join_keys
        ):
            continue
        for k, joined in enumerate(listed.joins):
            result = compare_compound(joined, whole, fuzzy=False)
            if result is not None:
                value = result[1] * (listed.weights[k] + listed.weights[k + 1] + query.weights[m])
                found.append((value, (m,), (k, k + 1), result[0], result[1]))
    return found


def _could_join(variant: str, consonants: str | None, keys: frozenset[str]) -> bool:
    """Whether a spelling or its consonants is among ``keys`` (a quick test first)."""
    return variant in keys or (consonants is not None and _CONSONANTS + consonants in keys)


def _initialism_pairings(query: PreparedName, listed: PreparedName) -> list[_Candidate]:
    """One short word spelling the initials of a run of the other name's words."""
    found: list[_Candidate] = []
    for i, short in enumerate(query.tokens if query.short else ()):
        if could_be_initialism(short):
            for start, end in initialism_runs(short, listed.tokens):
                run = tuple(range(start, end))
                score = initialism_score(len(short.text))
                value = score * (query.weights[i] + sum(listed.weights[j] for j in run))
                found.append((value, (i,), run, Feature.INITIALISM, score))
    for j, short in enumerate(listed.tokens if listed.short else ()):
        if could_be_initialism(short):
            for start, end in initialism_runs(short, query.tokens):
                run = tuple(range(start, end))
                score = EXPANDED_INITIALISM_SCORE
                value = score * (listed.weights[j] + sum(query.weights[i] for i in run))
                found.append((value, run, (j,), Feature.INITIALISM, score))
    return found


def _near_compounds(
    query: PreparedName, listed: PreparedName, used_query: set[int], used_listed: set[int]
) -> list[Pairing]:
    """Two adjacent unmatched words of one name written, nearly, as one unmatched word of
    the other."""
    found: list[Pairing] = []
    for side_joins, side_whole, parts_used, whole_used, parts_are_query in (
        (query.joins, listed.tokens, used_query, used_listed, True),
        (listed.joins, query.tokens, used_listed, used_query, False),
    ):
        for k, joined in enumerate(side_joins):
            if k in parts_used or k + 1 in parts_used:
                continue
            for m, whole in enumerate(side_whole):
                if m in whole_used:
                    continue
                result = compare_compound(joined, whole)
                if result is None:
                    continue
                parts, single = (k, k + 1), (m,)
                pairing = (
                    Pairing(parts, single, result[0], result[1])
                    if parts_are_query
                    else Pairing(single, parts, result[0], result[1])
                )
                found.append(pairing)
                parts_used.update(parts)
                whole_used.add(m)
                break
    return found


def compare_names(query: str, listed: str, quality: NameQuality = NameQuality.PRIMARY) -> NameMatch:
    """Compare two names in isolation, every ordinary word weighing the same.

    For tests and one-off checks; screening against a list goes through ``ScreeningIndex``,
    which weighs words by their rarity on the lists.
    """
    weights = TokenWeights.uniform()
    return match_names(
        PreparedName.of(query, weights), PreparedName.of(listed, weights), quality_factor(quality)
    )


@dataclass(frozen=True)
class Hit:
    """One listed entry a queried name matched, with the score and its reasons.

    ``as_dict`` gives the JSON form (keys ``list``, ``entity_id``, ``name``,
    ``matched_alias``, ``score``, ``explanation``), which the command line prints.
    """

    list: str
    entity_id: str
    name: str  # the entry's primary name
    matched_alias: str  # the listed name (or the form of it) that matched best
    score: float
    explanation: dict[str, Any] = field(compare=False)
    entity_type: EntityType = EntityType.UNKNOWN
    reference: str | None = None
    listed_name: ListedName | None = field(default=None, compare=False)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "list": self.list,
            "entity_id": self.entity_id,
            "name": self.name,
            "matched_alias": self.matched_alias,
            "score": self.score,
            "explanation": self.explanation,
        }
