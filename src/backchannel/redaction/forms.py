"""The written forms of a name, and finding them in any text.

Text is compared folded: accents removed, case folded, a few letters spelled out
(``ø`` as ``o``), and split into tokens, runs of letters or of digits. A form is a
token sequence, kept joined (``sant'egidio``, ``Sant Egidio``, ``Sant-Egidio`` and
``santegidio`` all fold to ``santegidio``), so that a form is found whatever separates or
joins its words: spaces, hyphens, apostrophes, dots or nothing at all (as in a URL). A
long form is also found inside a longer token (``archive.santegidio.org``'s
``santegidio``, ``nzapalaingaofficial``).

``name_forms`` lists the forms of a name that identify its holder: the name whole; its
parts in parentheses and between commas; each without its leading titles; runs of
capitalised words that hold a content word ("Red Cross", "Denis Sassou Nguesso"); and
each distinctive single word (a family name, an acronym, an unusual word of an
organisation's name), with ``Vocabulary`` saying which words are too common to count.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

#: Letters that Unicode decomposition leaves whole, spelled as they are usually written in
#: Latin script without diacritics.
_SPELLED = str.maketrans(
    {
        "ø": "o",
        "Ø": "O",
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "ð": "d",
        "Ð": "D",
        "þ": "th",
        "Þ": "Th",
        "æ": "ae",
        "Æ": "Ae",
        "œ": "oe",
        "Œ": "Oe",
        "\u0131": "i",  # dotless i
    }
)
#: A run of letters and digits in composed (NFC) text, then its letter and digit pieces.
_WORD = re.compile(r"[^\W_]+")
_PIECE = re.compile(r"[^\W\d_]+|\d+")
#: A word of a name as written, and the marks that may join the parts of one word.
_NAME_WORD = re.compile(r"[^\s,;/()\[\]{}\"“”«»]+")
_JOINERS = re.compile("[-\u2010\u2011'\u2019\u02bc\u2018`]")
_EDGE_PUNCTUATION = ".:!?*"
#: A form this long (folded) is looked for inside longer tokens too; shorter ones would be
#: found by chance inside unrelated words.
LONG_FORM = 8
#: The shortest form looked for, except an acronym or a name given whole.
SHORTEST_FORM = 3


def fold(text: str) -> str:
    """``text`` lower-cased for comparison, without accents: ``Séléka`` is ``seleka``."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.translate(_SPELLED))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@lru_cache(maxsize=1 << 16)
def _folded_piece(piece: str) -> str:
    # the same words come back in every text of a document: fold each once
    return "".join(_PIECE.findall(fold(piece)))


@dataclass(frozen=True)
class Token:
    """One folded token of a text and where it stands in the (composed) text."""

    text: str
    start: int
    end: int


def composed(text: str) -> str:
    """``text`` in Unicode's composed form (NFC), the form every position refers to."""
    return unicodedata.normalize("NFC", text)


def tokens(text: str) -> list[Token]:
    """The folded tokens of composed ``text``, letters and digits apart (``s2013`` is two)."""
    found = []
    for word in _WORD.finditer(text):
        for piece in _PIECE.finditer(word.group()):
            folded = _folded_piece(piece.group())
            if folded:
                start = word.start() + piece.start()
                found.append(Token(folded, start, start + len(piece.group())))
    return found


def joined(text: str) -> str:
    """``text`` folded and joined into one string of letters and digits: its form."""
    return "".join(token.text for token in tokens(composed(text)))


@dataclass(frozen=True)
class Found:
    """A form found in a text: the span it covers and whose form it is."""

    start: int
    end: int
    key: str
    form: str
    first: int
    last: int


class Matcher:
    """Finds forms in texts: ``forms`` maps each form (``joined``) to whose it is.

    ``inside`` allows finding forms of ``LONG_FORM`` letters or more inside longer tokens.
    """

    def __init__(self, forms: Mapping[str, str], *, inside: bool = True) -> None:
        self.forms = dict(forms)
        # every beginning of a form, so that a search stops as soon as no form can match
        self._starts = {f[:n] for f in self.forms for n in range(1, len(f) + 1)}
        long_forms = sorted((f for f in self.forms if len(f) >= LONG_FORM), key=len, reverse=True)
        self._inside = (
            re.compile("|".join(re.escape(f) for f in long_forms))
            if inside and long_forms
            else None
        )

    def __bool__(self) -> bool:
        return bool(self.forms)

    def find(self, text: str, parts: Sequence[Token] | None = None) -> list[Found]:
        """Every form in composed ``text`` (whose ``tokens`` may be given), longest first,
        left to right, not overlapping."""
        if not self.forms:
            return []
        found: list[Found] = []
        parts = tokens(text) if parts is None else parts
        i = 0
        while i < len(parts):
            hit = self._at(parts, i)
            if hit is not None:
                last, form = hit
                found.append(
                    Found(parts[i].start, parts[last].end, self.forms[form], form, i, last)
                )
                i = last + 1
                continue
            if self._inside is not None:
                inner = self._inside.search(parts[i].text)
                if inner is not None:
                    form = inner.group()
                    found.append(Found(parts[i].start, parts[i].end, self.forms[form], form, i, i))
            i += 1
        return found

    def _at(self, parts: Sequence[Token], i: int) -> tuple[int, str] | None:
        """The longest form starting at token ``i``: its last token and the form."""
        best = None
        text = ""
        for j in range(i, len(parts)):
            text += parts[j].text
            if text not in self._starts:
                break
            if text in self.forms:
                best = (j, text)
        return best


@dataclass
class _Span:
    start: int
    end: int
    key: str


def replace_found(
    text: str,
    found: list[Found],
    label: Callable[[str], str],
    *,
    absorbed: frozenset[str] = frozenset(),
    joining: frozenset[str] = frozenset(),
) -> str:
    """``text`` with each found span replaced by its key's ``label``.

    Adjacent spans of the same key are replaced once when only punctuation, ``joining``
    words ("and") or ``absorbed`` words (titles) stand between them, and ``absorbed`` words
    just before a span go with it: "Archbishop Dieudonné Nzapalainga, Imam Omar Kobine
    Layama" is one masked span, not a label with a title and a comma in front of another.
    """
    if not found:
        return text
    parts = tokens(text)
    spans: list[_Span] = []
    floor = 0
    for hit in found:
        first = hit.first
        while (
            first > floor
            and parts[first - 1].text in absorbed
            and _gap_is_blank(text[parts[first - 1].end : parts[first].start])
        ):
            first -= 1
        floor = hit.last + 1
        start = parts[first].start
        if spans and spans[-1].key == hit.key:
            between = text[spans[-1].end : start]
            words = [t.text for t in tokens(between)]
            if _only_marks(between) and all(w in absorbed or w in joining for w in words):
                spans[-1].end = hit.end
                continue
        spans.append(_Span(start, hit.end, hit.key))
    pieces = []
    position = 0
    for span in spans:
        # a name that opens a parenthesis closes it too: take the closing one with it
        while (
            span.end < len(text)
            and text[span.end] == ")"
            and text[span.start : span.end].count("(") > text[span.start : span.end].count(")")
        ):
            span.end += 1
        pieces += [text[position : span.start], label(span.key)]
        position = span.end
    pieces.append(text[position:])
    return "".join(pieces)


def _gap_is_blank(gap: str) -> bool:
    return gap.strip(" .\u00a0") == ""


def _only_marks(between: str) -> bool:
    """Whether ``between`` holds nothing but words, spaces and light punctuation."""
    return re.fullmatch("[\\w\\s,;.&'\u2019\\-\u2013\u2014]*", between) is not None


# --------------------------------------------------------------------------- name forms


@dataclass(frozen=True)
class Vocabulary:
    """Words that do not identify anyone on their own, all folded.

    ``particles`` join words ("of", "de"); ``titles`` say what someone is ("Imam");
    ``generic`` is the vocabulary of organisations and roles ("Council"); ``ordinary``
    everyday words that may still be part of a proper name ("Red" in "Red Cross");
    ``public`` the words of the case that are public anyway (places, and the names of
    actors that are not masked).
    """

    particles: frozenset[str]
    titles: frozenset[str]
    generic: frozenset[str]
    ordinary: frozenset[str]
    public: frozenset[str] = frozenset()

    def common(self, word: str) -> bool:
        """Whether the folded ``word`` is listed as never identifying on its own."""
        return (
            word in self.particles
            or word in self.titles
            or word in self.generic
            or word in self.ordinary
            or word in self.public
        )

    def content(self, word: str) -> bool:
        """Whether ``word`` can make a phrase a proper name (not a particle, a title, a
        generic or a public word)."""
        return not (
            word in self.particles
            or word in self.titles
            or word in self.generic
            or word in self.public
        )


@dataclass(frozen=True)
class _Word:
    """A word of a name: as written, folded whole, and its folded parts."""

    written: str
    folded: str
    parts: tuple[tuple[str, str], ...]  # (written part, folded part)

    @property
    def capitalised(self) -> bool:
        return any(part[:1].isupper() for part, _ in self.parts)


def _words(text: str) -> list[_Word]:
    words = []
    for match in _NAME_WORD.finditer(text):
        written = match.group().strip(_EDGE_PUNCTUATION)
        folded = joined(written)
        if not folded:
            continue
        parts = tuple((part, joined(part)) for part in _JOINERS.split(written) if joined(part))
        words.append(_Word(written, folded, parts))
    return words


def _acronym(written: str) -> bool:
    letters = [c for c in written if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def distinctive(written: str, folded: str, vocabulary: Vocabulary) -> bool:
    """Whether one word of a name identifies its holder on its own: capitalised (or an
    acronym), long enough, not a number and not common."""
    if folded.isdigit() or vocabulary.common(folded):
        return False
    if _acronym(written):
        return len(folded) >= 2
    return written[:1].isupper() and len(folded) >= SHORTEST_FORM


def _segments(text: str) -> tuple[list[str], list[str]]:
    """The versions of a name (whole, without what is in parentheses, each parenthesised
    part) and its atomic parts (each part of those between commas or semicolons)."""
    outer = re.sub(r"\([^)]*\)", " ", text)
    inner = re.findall(r"\(([^)]*)\)", text)
    versions = [text, outer, *inner]
    atoms = [part for piece in [outer, *inner] for part in re.split(r"[,;]", piece)]
    return [_spaced(v) for v in versions if v.strip()], [_spaced(a) for a in atoms if a.strip()]


def _spaced(text: str) -> str:
    return " ".join(text.split())


def _without_titles(words: list[_Word], vocabulary: Vocabulary) -> list[_Word]:
    start = 0
    while start < len(words) - 1 and words[start].folded in vocabulary.titles:
        start += 1
    return words[start:]


def _runs(words: list[_Word], vocabulary: Vocabulary) -> Iterable[list[_Word]]:
    """Every stretch of two or more capitalised words (particles may join them) holding a
    content word, starting and ending on a word that is neither a particle, a title nor a
    public word."""

    def edge(word: _Word) -> bool:
        return word.capitalised and not (
            word.folded in vocabulary.particles
            or word.folded in vocabulary.titles
            or word.folded in vocabulary.public
        )

    for i, first in enumerate(words):
        if not edge(first):
            continue
        capitalised = 1
        for j in range(i + 1, len(words)):
            word = words[j]
            if word.folded in vocabulary.particles:
                continue
            if not word.capitalised:
                break
            capitalised += 1
            run = words[i : j + 1]
            if edge(word) and any(vocabulary.content(w.folded) for w in run):
                yield run


def name_forms(texts: Iterable[str], vocabulary: Vocabulary) -> dict[str, str]:
    """The identifying forms of a name given in ``texts`` (its name and aliases), each
    folded form to the words it was made from."""
    forms: dict[str, str] = {}

    def add(words: list[_Word] | str, whole: bool = False) -> None:
        written = words if isinstance(words, str) else " ".join(w.written for w in words)
        form = joined(written)
        if form and (whole or len(form) >= SHORTEST_FORM) and not form.isdigit():
            forms.setdefault(form, written)

    for text in texts:
        add(text, whole=True)
        versions, atoms = _segments(text)
        for segment in dict.fromkeys([*versions, *atoms]):
            words = _words(segment)
            bare = _without_titles(words, vocabulary)
            for version in (words, bare):
                if len(version) >= 2 and any(
                    distinctive(p, f, vocabulary) for w in version for p, f in w.parts
                ):
                    add(version)
        for atom in atoms:
            words = _words(atom)
            for run in _runs(words, vocabulary):
                add(run)
            for word in words:
                if any(distinctive(p, f, vocabulary) for p, f in word.parts):
                    add(word.written, whole=_acronym(word.written))
                for part, folded in word.parts:
                    if len(word.parts) > 1 and distinctive(part, folded, vocabulary):
                        add(part, whole=_acronym(part))
    return forms
