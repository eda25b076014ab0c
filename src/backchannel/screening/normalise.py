"""Turn a name in any script into comparable tokens, and a listed name into its forms.

Screening compares what a mediator types ("Harakat al-Shabaab al-Mujahideen", "Аль-Шабаб")
with what the lists print ("HARAKATUL-SHABAAB AL MUJAAHIDIIN"). Before any scoring, both
sides go through the same steps here:

1. ``fold``: any script to lower-case ASCII (rigour's transliteration, which gives
   Cyrillic its usual English spellings, falling back to normality/ICU for Arabic and the
   rest), apostrophes and ayn/hamza marks dropped inside words ("jama'at" -> "jamaat"),
   every other punctuation mark and hyphen a word break ("al-Shabaab" -> "al shabaab").
2. ``variant_key``: one spelling per family of common transliteration variants (doubled
   letters, ou/u, ee/i, q/k, dh/z, ch/sh, ph/f, dj/j, y/i, a final h after a vowel, the
   French mute e), so that "Shabaab", "Shabab" and "Chabab" agree.
3. ``consonant_key`` and ``phonetic_key``: coarser keys that also forgive vowels, the part
   of Arabic names that transliteration renders least consistently ("Mohammed",
   "Muhammad"; "Hezbollah", "Hizballah"), and kh/h and w/v/u. Words read from Arabic
   script, which writes no short vowels, are marked (``Token.abjad``) so that the
   matcher compares them on their consonants ("hrkt" is "Harakat").
4. Word classes: articles and connectors ("al", "the", "of", "ul"), and the vocabulary of
   armed groups ("group", "brigade", "movement", "front", "jamaat", "harakat", "hizb",
   "tanzim", "ansar", ...). These are weak tokens: they still count, with a low weight,
   so "Islamic Movement of Uzbekistan" does not become "Uzbekistan".
5. ``concept``: a small curated glossary that ties the words armed groups' names are
   built from across English, Arabic transliteration, Spanish and French ("youth" /
   "shabaab", "army" / "jaish" / "ejercito", "liberation" / "tahrir"), for names given in
   translation.

``initialism_runs`` finds the runs of a name's words whose initials spell a short word
("HTS" in "Hay'at Tahrir al-Sham"). ``name_forms`` splits the composite names lists
print ("AL-QAIDA IN THE ARABIAN PENINSULA (AQAP)"; UN aliases that pack several
spellings in brackets and semicolons) into the separate names they contain.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

import jellyfish
from rigour.text.translit import ascii_text

# Marks that transliterations use for ayn and hamza, and apostrophes of every kind: they
# join the letters around them ("Jama'atu", "Hay'at", "Lidda'awati") and so are dropped,
# not turned into word breaks: the apostrophe, right and left quotation marks, grave and
# acute accents, the modifier letters for ayn and hamza, the prime.
_JOINING_MARKS = re.compile(r"['\u2019\u2018`\u00b4\u02bb\u02bc\u02bd\u02be\u02bf\u2032]")
# After transliteration anything but a letter or digit separates words: hyphens
# ("al-Shabaab", "Lashkar-e-Taiba"), slashes, brackets, commas ("HAQQANI, Nasiruddin").
_WORD_BREAK = re.compile(r"[^a-z0-9]+")

# Transliteration variants, applied in order to a folded token. Each pair maps the
# spellings different romanisation schemes give one sound to one of them.
_VARIANT_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"ou"), "u"),  # French: Mouhammad, Chabab al-Moujahidine
    (re.compile(r"oo"), "u"),  # English: Mansooreen
    (re.compile(r"ee"), "i"),  # English: Mujahideen, Tehreek
    (re.compile(r"(.)\1+"), r"\1"),  # doubled letters: shabaab, mujaahidiin, hizballah
    (re.compile(r"ph"), "f"),
    (re.compile(r"dh"), "z"),  # dhal: Dhawahiri / Zawahiri
    (re.compile(r"dj"), "j"),  # French: Djihad, Djamaat
    (re.compile(r"ch"), "sh"),  # French: Chabab, Cheikh
    (re.compile(r"q"), "k"),  # qaf: Qaida / Kaida, Qassam / Kassam
    (re.compile(r"ck"), "k"),
    (re.compile(r"(?<=[aeiou])h$"), ""),  # ta marbuta: Nusrah / Nusra, Taibah / Taiba
    (re.compile(r"y(?![aeiou])"), "i"),  # y as a vowel: Kony / Koni, Ghaly / Ghali
    (re.compile(r"(?<=..n)e$"), ""),  # French mute e: Dine / Din, Hassane / Hassan
)

_VOWELS = re.compile(r"[aeiouy]+")
# Consonant keys also forgive what romanisations of Arabic, Persian and Russian disagree
# on: kh for h (Russian renders both ha letters as its kha: "Khamas"), and w, v and u for the
# letter waw ("Awlaki" / "Aulaqi", "Zawahiri" / "Zavakhiri").
_CONSONANT_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?<=.)h$"), ""),  # a final h, written or not: Allah / Alla, Abdullah
    (re.compile(r"kh"), "h"),
    (re.compile(r"(?<=.)[wv]"), ""),
    (re.compile(r"^w"), "v"),
)
# Initial vowels vary as much as inner ones ("Usama" / "Osama", "Umar" / "Omar").
_INITIAL_VOWEL = re.compile(r"^[aeiou]")
# The English possessive ("Lord's Resistance Army", "Islamic State's Khorasan Province")
# is no part of the name.
_POSSESSIVE = re.compile(r"['\u2019]s\b", re.IGNORECASE)
# Initials written with full stops ("F.A.R.C.", "I.S.I.S.") are one word.
_DOTTED_INITIALS = re.compile(r"\b(?:[^\W\d_]\.){2,}(?![^\W\d_])")

# A consonant key of fewer letters than this says too little to compare on ("Ali" and
# the article "al" would agree), unless the word itself is at least MIN_KEYED_WORD
# letters long ("Qaeda" / "Qaida": "kd"; "Duol" / "Dual": "dl").
MIN_CONSONANT_KEY = 3
MIN_KEYED_WORD = 4

# Arabic articles and their assimilated forms (ash-Sham, ad-Dawla), the Persian/Urdu
# izafe ("Lashkar-e-Taiba", "Tehrik-i-Taliban") and the Romance and English articles and
# connectors. They carry almost nothing about which entity a name designates.
ARTICLES: frozenset[str] = frozenset(
    {
        "al", "el", "ul", "il", "ad", "adh", "ar", "as", "ash", "at", "ath", "az", "an",
        "e", "i", "y", "u", "a", "o",
        "the", "of", "and", "in", "for", "on", "to",
        "de", "del", "la", "las", "los", "le", "les", "du", "des", "et", "en", "por",
        "wa", "wal", "fi", "li", "lil", "min", "bi", "bil",
    }
)  # fmt: skip

# Words of articles glued to the next word ("Alshabaab", "Hizbul", "Harakatul"): the
# prefix or suffix that may be peeled off to find the word itself.
GLUED_ARTICLE_PREFIXES: tuple[str, ...] = ("al", "el", "ul")
GLUED_ARTICLE_SUFFIXES: tuple[str, ...] = ("ul", "al", "il", "e", "i")
# A glued article is only peeled when this much of the word remains, so that "Alam" or
# "Elias" keep their first letters.
MIN_PEELED_LENGTH = 4

# The vocabulary armed groups' names are built from, in the languages the lists use. A
# group is rarely identified by one of these alone, so they are weak tokens: they count
# towards a match, with a low weight. Given as folded spellings; variant keys are derived.
ORGANISATION_WORDS: frozenset[str] = frozenset(
    {
        # English
        "group", "groups", "brigade", "brigades", "battalion", "battalions", "movement",
        "front", "army", "party", "organization", "organisation", "network", "forces",
        "force", "council", "committee", "union", "league", "unit", "units", "wing",
        "liberation", "people", "peoples", "popular", "national", "revolutionary",
        "islamic", "resistance", "fighters", "militia", "coalition", "alliance",
        "association", "regiment", "company", "corps", "commission",
        "assembly", "supporters", "soldiers", "state",
        # Arabic, Persian, Urdu transliterations
        "jamaat", "jamat", "jamaa", "jamaah", "jamaatu", "jamaate", "jamiat", "jamiyat",
        "jama", "harakat", "haraka", "harakah", "harakatul", "hizb", "hizbul", "hezb",
        "tanzim", "tanzeem", "ansar", "ansaru", "ansarul", "jaish", "jaysh", "jabhat",
        "jabha", "jabhah", "jabhet", "katibat", "kataib", "katiba", "liwa", "saraya",
        "tehrik", "tehreek", "tahrik", "lashkar", "sipah", "majlis", "hayat", "hayet",
        "tahrir", "islamiya", "islamiyya", "islamiyah", "islami", "islamia", "dawla",
        "dawlat", "dawlah",
        # Spanish, French, Portuguese
        "ejercito", "fuerzas", "frente", "movimiento", "partido", "grupo", "armadas",
        "armee", "mouvement", "parti", "groupe", "liberacion", "revolucionario",
        "revolucionarias", "revolucionaria", "nacional", "pueblo", "peuple",
        "populaire", "brigada", "comando",
    }
)  # fmt: skip

# A small glossary of the words armed groups' names are made of, across the languages in
# which the lists (and mediators' notes) give them. A query word and a listed word with the
# same concept match as a translation. Kept to words where the equivalence is standard.
GLOSSARY: dict[str, tuple[str, ...]] = {
    "youth": ("youth", "shabaab", "shabab", "juventud", "jeunesse"),
    "army": ("army", "jaish", "jaysh", "jeish", "ejercito", "armee", "lashkar"),
    "front": ("front", "jabhat", "jabha", "jabhet", "frente"),
    "party": ("party", "hizb", "hezb", "partido", "parti"),
    "movement": ("movement", "harakat", "haraka", "tehrik", "tehreek", "tahrik",
                 "movimiento", "mouvement"),
    "state": ("state", "dawla", "dawlat", "estado", "etat"),
    "islamic": ("islamic", "islamiya", "islamiyya", "islamiyah", "islami", "islamia",
                "islamico", "islamique"),
    "liberation": ("liberation", "tahrir", "liberacion", "liberacao"),
    "people": ("people", "peoples", "pueblo", "peuple", "popular", "populaire", "shaab"),
    "revolutionary": ("revolutionary", "revolucionario", "revolucionaria",
                      "revolucionarias", "revolucionarios", "revolutionnaire"),
    "armed": ("armed", "armadas", "armados", "armees", "musallaha"),
    "forces": ("forces", "force", "fuerzas", "quwwat"),
    "national": ("national", "nacional", "watani", "wataniya"),
    "council": ("council", "majlis", "consejo", "conseil", "shura"),
    "brigade": ("brigade", "brigades", "katibat", "kataib", "katiba", "liwa", "brigada",
                "brigadas"),
    "martyrs": ("martyrs", "shuhada", "martires"),
    "supporters": ("supporters", "helpers", "partisans", "ansar", "ansaru", "ansarul"),
    "group": ("group", "jamaat", "jamaa", "jamaah", "jamat", "jama", "grupo", "groupe"),
    "organisation": ("organisation", "organization", "tanzim", "tanzeem", "munazzamat",
                     "organizacion"),
    "commission": ("commission", "assembly", "hayat", "hayet", "haiat"),
    "levant": ("levant", "sham", "syria", "bilad"),
    "holy_war": ("jihad", "djihad", "jihaad"),
    "holy_warriors": ("mujahideen", "mujahidin", "mujahidun", "mujahedin", "moudjahidine"),
    "victory": ("victory", "support", "nusra", "nusrah", "nusrat", "nasr"),
    "god": ("god", "allah", "ullah"),
    "iraq": ("iraq", "irak"),
    "colombia": ("colombia", "columbia"),
    "conquest": ("conquest", "fath", "fatah", "fateh"),
    "unity": ("unity", "tawhid", "tawheed", "monotheism"),
    "call": ("call", "dawa", "dawah", "daawa", "preaching", "propagation", "predication"),
    "democratic": ("democratic", "democratique", "democratiques", "democratico",
                   "democratica", "democraticas", "democraticos"),
    "sunna": ("sunna", "sunnah", "sunni"),
    "righteous": ("righteous", "pure", "taiba", "tayyiba", "toiba"),
    # months, which name groups after a date ("M23": Mouvement du 23 mars, "M-19")
    "january": ("january", "janvier", "enero"),
    "february": ("february", "fevrier", "febrero"),
    "march": ("march", "mars", "marzo"),
    "april": ("april", "avril", "abril"),
    "may": ("may", "mai", "mayo"),
    "june": ("june", "juin", "junio"),
    "july": ("july", "juillet", "julio"),
    "august": ("august", "aout", "agosto"),
    "september": ("september", "septembre", "septiembre"),
    "october": ("october", "octobre", "octubre"),
    "november": ("november", "novembre", "noviembre"),
    "december": ("december", "decembre", "diciembre"),
}  # fmt: skip


@lru_cache(maxsize=65_536)
def fold(text: str) -> str:
    """Any script to lower-case ASCII words separated by single spaces.

    >>> fold("Hay'at Tahrir al-Sham")
    'hayat tahrir al sham'
    """
    undotted = _DOTTED_INITIALS.sub(lambda found: found.group(0).replace(".", ""), text)
    undotted = _POSSESSIVE.sub("", undotted)
    unjoined = _JOINING_MARKS.sub("", undotted)
    latin = unjoined if unjoined.isascii() else ascii_text(unjoined)
    joined = _JOINING_MARKS.sub("", latin.lower())
    return " ".join(_WORD_BREAK.split(joined)).strip()


def words(text: str) -> tuple[str, ...]:
    """The folded words of a text, in order."""
    folded = fold(text)
    return tuple(folded.split(" ")) if folded else ()


@lru_cache(maxsize=262_144)
def variant_key(word: str) -> str:
    """One spelling for a family of transliteration variants of a folded word."""
    key = word
    for pattern, replacement in _VARIANT_RULES:
        key = pattern.sub(replacement, key)
    return key or word


@lru_cache(maxsize=262_144)
def consonant_key(word: str) -> str | None:
    """The word's first letter and its consonants, when there are enough to compare on."""
    key = variant_key(word)
    if key.isdigit():
        return None
    for pattern, replacement in _CONSONANT_RULES:
        key = pattern.sub(replacement, key)
    if not key:
        return None
    skeleton = _INITIAL_VOWEL.sub("a", key[0]) + _VOWELS.sub("", key[1:])
    if len(skeleton) >= MIN_CONSONANT_KEY:
        return skeleton
    return skeleton if len(skeleton) > 1 and len(word) >= MIN_KEYED_WORD else None


@lru_cache(maxsize=262_144)
def phonetic_key(word: str) -> str | None:
    """Metaphone of the variant spelling, for words long enough to carry a sound."""
    key = variant_key(word)
    if len(key) < MIN_CONSONANT_KEY + 1 or not key.isalpha():
        return None
    code = jellyfish.metaphone(key)
    return code if len(code) >= MIN_CONSONANT_KEY else None


# An article assimilated to the sun letter it precedes and written on ("Eddine" for
# ad-Din, "Ashsham" for ash-Sham): a vowel and a doubled consonant.
_ASSIMILATED_ARTICLE = re.compile(r"^[aeiu]([dnrstz])(?=\1)")


@lru_cache(maxsize=262_144)
def peeled(word: str) -> str | None:
    """The word without an article glued to its front or back ("alshabaab", "hizbul",
    "eddine")."""
    assimilated = _ASSIMILATED_ARTICLE.match(word)
    if assimilated and len(word) - 2 >= MIN_PEELED_LENGTH - 1:
        return variant_key(word[2:])
    for prefix in GLUED_ARTICLE_PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= MIN_PEELED_LENGTH:
            return variant_key(word[len(prefix) :])
    for suffix in GLUED_ARTICLE_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= MIN_PEELED_LENGTH - 1:
            stem = word[: -len(suffix)]
            if variant_key(stem) in _ORGANISATION_KEYS:
                return variant_key(stem)
    return None


_ORGANISATION_KEYS: frozenset[str] = frozenset(variant_key(w) for w in ORGANISATION_WORDS)
_ARTICLE_KEYS: frozenset[str] = frozenset(variant_key(w) for w in ARTICLES)
_CONCEPTS: dict[str, str] = {
    variant_key(word): concept for concept, spellings in GLOSSARY.items() for word in spellings
}


def is_article(word: str) -> bool:
    """Whether a folded word is an article or connector ("al", "of", "e", "wal")."""
    return word in ARTICLES or variant_key(word) in _ARTICLE_KEYS


def is_organisation_word(word: str) -> bool:
    """Whether a folded word belongs to the vocabulary of armed groups' names."""
    return variant_key(word) in _ORGANISATION_KEYS


def concept(word: str) -> str | None:
    """The glossary concept of a folded word, when it has one."""
    return _CONCEPTS.get(variant_key(word))


@dataclass(frozen=True, slots=True)
class Token:
    """One word of a name with every key the matcher compares it on."""

    text: str  # folded: "shabaab"
    variant: str  # "shabab"
    consonants: str | None  # "shbb"
    phonetic: str | None  # "XBB"
    peeled: str | None  # "shabab" for "alshabaab"
    peeled_consonants: str | None  # "shbb" for "alshabaab"
    concept: str | None  # "youth"
    article: bool
    organisation_word: bool
    abjad: bool = False  # read from a script that writes no short vowels (Arabic)


@lru_cache(maxsize=262_144)
def make_token(word: str, abjad: bool = False) -> Token:
    """The token of one folded word; ``abjad`` when it was read from Arabic script."""
    bare = peeled(word)
    return Token(
        text=word,
        variant=variant_key(word),
        consonants=consonant_key(word),
        phonetic=phonetic_key(word),
        peeled=bare,
        peeled_consonants=consonant_key(bare) if bare else None,
        concept=concept(word),
        article=is_article(word),
        organisation_word=is_organisation_word(word),
        abjad=abjad,
    )


@dataclass(frozen=True, slots=True)
class Join:
    """Two adjacent words written as one ("hizb" + "allah"), keyed as a word would be."""

    variant: str
    consonants: str | None
    abjad: bool = False  # read from Arabic script (see Token)


@lru_cache(maxsize=262_144)
def make_join(first: str, second: str, abjad: bool = False) -> Join:
    """The join of two adjacent folded words."""
    word = first + second
    return Join(variant_key(word), consonant_key(word), abjad)


def joins(words_: Sequence[Token]) -> tuple[Join, ...]:
    """The joins of each pair of adjacent words of a name, in order."""
    return tuple(
        make_join(first.text, second.text, first.abjad) for first, second in pairwise(words_)
    )


# Scripts that write consonants and long vowels only: Arabic (with Persian and Urdu
# letters and presentation forms) and Hebrew. Names read from them are compared on their
# consonants ("حركة" gives "hrkt", which is "Harakat").
_ABJAD = re.compile(
    r"[\u0590-\u05ff\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]"
)


def is_abjad(text: str) -> bool:
    """Whether most letters of a text are in an abjad (Arabic or Hebrew script)."""
    letters = sum(1 for char in text if char.isalpha())
    return letters > 0 and len(_ABJAD.findall(text)) * 2 > letters


def tokens(text: str) -> tuple[Token, ...]:
    """The tokens of a name, in order."""
    abjad = is_abjad(text)
    return tuple(make_token(word, abjad) for word in words(text))


# The longest initialism considered ("FARCEP", "ISILSEA" are seven letters).
MAX_INITIALISM = 8
MIN_INITIALISM = 2


def could_be_initialism(token: Token) -> bool:
    """Whether a word is short and alphabetic enough to be the initials of a name, and
    not an article ("al" is not A... L...)."""
    return (
        MIN_INITIALISM <= len(token.text) <= MAX_INITIALISM
        and token.text.isalpha()
        and not token.article
    )


def initialism_runs(short: Token, others: Sequence[Token]) -> list[tuple[int, int]]:
    """Runs ``others[start:end]`` whose initials spell ``short`` ("hts" in "hayat tahrir al
    sham"), each starting and ending on a word that gives a letter.

    Articles and connectors may give their letter or be skipped ("AQAP": Al-Qaida in the
    Arabian Peninsula takes the "a" of "al" and skips "in the"); every other word in the
    run must give its letter.
    """
    target = short.text
    if not could_be_initialism(short) or len(others) < MIN_INITIALISM:
        return []
    runs: list[tuple[int, int]] = []
    for start, first in enumerate(others):
        if first.text[0] != target[0]:
            continue
        end = _spell(target, 0, others, start)
        if end is not None and end - start >= MIN_INITIALISM:
            runs.append((start, end))
    return runs


def _spell(target: str, position: int, others: Sequence[Token], index: int) -> int | None:
    """End of a run from ``index`` spelling ``target[position:]``, or None."""
    if position == len(target):
        return index
    if index >= len(others):
        return None
    word = others[index]
    if word.text[0] == target[position]:
        end = _spell(target, position + 1, others, index + 1)
        if end is not None:
            return end
    if word.article and position > 0:  # a connector inside the run may give no letter
        return _spell(target, position, others, index + 1)
    return None


# Notes the UN list writes inside an alias, which are not names.
_ANNOTATIONS = re.compile(
    r"\b(original script|sub-unit name|previously listed as|formerly listed as|"
    r"formerly known as|also known as|f\.k\.a\.|a\.k\.a\.|n\.k\.a\.)",
    re.IGNORECASE,
)
_BRACKETS = {"(": ")", "[": "]", "{": "}"}
_SEPARATORS = re.compile(r"\s*;\s*")
_LIST_SEPARATORS = re.compile(r"\s*[;,]\s*")


def _split_brackets(text: str) -> tuple[str, list[str]]:
    """The text outside top-level brackets, and the contents of each bracket."""
    outside: list[str] = []
    inside: list[str] = []
    depth = 0
    closing: list[str] = []
    current: list[str] = []
    for char in text:
        if char in _BRACKETS:
            if depth == 0:
                current = []
            else:
                current.append(char)
            closing.append(_BRACKETS[char])
            depth += 1
        elif depth and char == closing[-1]:
            closing.pop()
            depth -= 1
            if depth == 0:
                inside.append("".join(current))
                outside.append(" ")
            else:
                current.append(char)
        elif depth:
            current.append(char)
        else:
            outside.append(char)
    if depth:  # an unclosed bracket: keep what it held as another form
        inside.append("".join(current))
    return "".join(outside), inside


def _non_latin(text: str) -> bool:
    """Whether a text is written (mostly) in a script other than Latin."""
    letters = [char for char in text if char.isalpha()]
    return sum(1 for char in letters if ord(char) > _LAST_LATIN) * 2 > len(letters)


_LAST_LATIN = 0x24F  # end of Unicode's Latin Extended-B
# Bracketed text of this many words or more is a name in its own right (a translation:
# "(COMMUNIST PARTY OF PERU ON THE SHINING PATH ...)"); shorter, it may be a qualifier
# ("(PAKISTAN)", "(HONG KONG)", "(LEBANON BRANCH)", "(third)") that names nothing alone.
MIN_BRACKETED_NAME_WORDS = 3


def _stands_alone(content: str, outside: str) -> bool:
    """Whether bracketed text is a name of its own rather than a qualifier of the rest.

    It is when it holds several names (semicolons), is in another script than the rest
    (an original-script or romanised form), is long enough to be a translation, or
    spells the initials of the rest ("(AQAP)", "(HTS)", "(ISIL-K)").
    """
    if ";" in content or _non_latin(content) != _non_latin(outside):
        return True
    content_words = words(content)
    if len(content_words) >= MIN_BRACKETED_NAME_WORDS:
        return True
    outside_tokens = tokens(outside)
    return any(
        initialism_runs(make_token(word), outside_tokens) for word in content_words if len(word) > 1
    )


def _tidy(form: str) -> str:
    return " ".join(form.split()).strip(" -\u2013\u2014:;,.")


def name_forms(text: str) -> tuple[str, ...]:
    """The separate names a listed name contains, the main one first.

    "AL-QAIDA IN THE ARABIAN PENINSULA (AQAP)" holds two names; a UN alias may hold
    several spellings, separated by semicolons inside brackets. A bracketed qualifier
    ("AL-HARAMAIN FOUNDATION (PAKISTAN)") is no name alone: the name is given with and
    without it. Text that folds to nothing is dropped; a name without brackets or
    semicolons is its own only form.
    """
    cleaned = _ANNOTATIONS.sub(" ", text)
    outside, inside = _split_brackets(cleaned)
    forms: list[str] = list(_SEPARATORS.split(outside))
    qualifiers: list[str] = []
    for content in inside:
        if _stands_alone(content, outside):
            forms.extend(
                form for part in _LIST_SEPARATORS.split(content) for form in name_forms(part)
            )
        else:
            qualifiers.append(content)
    if qualifiers and len(forms) >= 1:
        # the qualifier in place: brackets read as plain punctuation
        forms.insert(1, cleaned.replace("(", " ").replace(")", " "))
    seen: set[str] = set()
    result: list[str] = []
    for form in forms:
        stripped = _tidy(form)
        key = fold(stripped)
        if key and key not in seen:
            seen.add(key)
            result.append(stripped)
    return tuple(result)
