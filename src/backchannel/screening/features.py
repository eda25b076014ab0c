"""The ways one word of a queried name can match words of a listed name, and what each is worth.

Each feature gives a score in (0, 1]: how sure one can be that the two spellings write the
same word. The scores are ordered by how much each feature forgives: an exact match
forgives nothing, a transliteration variant forgives only the differences romanisation
schemes are known to make, phonetic and fuzzy matches forgive more, and a translation or
an initialism says that the words mean, not spell, the same.
"""

from __future__ import annotations

from enum import StrEnum

from rapidfuzz.distance import Levenshtein

from backchannel.screening.normalise import Join, Token


class Feature(StrEnum):
    """Why a query word was taken to match a listed word."""

    EXACT = "exact"  # the same word once folded: "Shabaab" / "SHABAAB"
    TRANSLITERATION = "transliteration"  # a known romanisation variant: "Shabab" / "Chabab"
    GLUED_ARTICLE = "glued_article"  # "Alshabaab" / "al-Shabaab", "Hizbul" / "Hizb"
    PHONETIC = "phonetic"  # the same sound: "Hezbollah" / "Hizballah"
    FUZZY = "fuzzy"  # a spelling within a few edits: "Mujahedeen" / "Mujahidin"
    TRANSLATION = "translation"  # glossary: "Youth" / "Shabaab", "Army" / "Ejercito"
    COMPOUND = "compound"  # one word written as two: "Hizballah" / "Hizb Allah"
    INITIALISM = "initialism"  # initials of the other name: "FARC" / "Fuerzas Armadas ..."
    INITIAL = "initial"  # one letter for a word: "J. Kony" / "Joseph Kony", "ISIL-K"
    STEM = "stem"  # one word derived from the other: "Pakistan" / "Pakistani", "East" / "Eastern"
    CONSONANTS = "consonants"  # a name read from Arabic script, without its vowels


# Scores per feature. A transliteration variant or a glued article is as good as exact in
# practice, but kept below 1 so that an exact spelling ranks first among equals.
EXACT_SCORE = 1.0
TRANSLITERATION_SCORE = 0.95
GLUED_ARTICLE_SCORE = 0.95
COMPOUND_SCORE = 0.95
# Spellings that differ only in vowels, and still look alike, are the commonest
# transliteration variants of Arabic names, whose short vowels the script does not write
# ("Hezbollah" / "Hizballah", "Mohammed" / "Muhammad").
VOWEL_VARIANT_SCORE = 0.9
VOWEL_VARIANT_MIN_SIMILARITY = 0.7
# Sound-alike and glossary matches are good evidence but do confuse distinct names
# ("Mahmoud" and "Muhammad" share consonants), so they carry visibly less.
PHONETIC_SCORE = 0.85
TRANSLATION_SCORE = 0.85
# In words under five letters one vowel or consonant is a large share of the word
# ("Amal" / "Amol", "AKP" / "AQAP" are different names): a short sound-alike alone stays
# below the threshold, while "Umar" for "Omar" still counts beside a matching surname.
SHORT_SOUND_SCORE = 0.75
# An initialism is what a list calls the same group ("HTS", "ISIL"), but letters are
# ambiguous: several names share any three initials. Asked about in initials, a long
# listed name they spell is a good candidate. The reverse, a long queried name whose
# initials spell a listed acronym, is weaker: the list, holding the long name too when it
# is the same body, would have matched it word by word ("Fuerzas Armadas Revolucionarias
# de Cuba" spells FARC), so alone it stays below the threshold.
INITIALISM_SCORE = 0.9
EXPANDED_INITIALISM_SCORE = 0.7
# Fewer letters are more ambiguous: two or three initials spell a run of words in
# hundreds of listed names ("SDF" reads as "Sanati Doodeh Fam Co."), so initialisms that
# short score below the threshold and are shown only when it is lowered; from four
# letters ("ISKP", "AQIS") they carry a hit, from five fully. Lists carry the short
# acronyms of the groups they designate ("HTS", "LRA", "TTP"), which match exactly.
SHORT_INITIALISM_SCORES: dict[int, float] = {2: 0.7, 3: 0.75, 4: 0.85}


def initialism_score(letters: int) -> float:
    """The score of an initialism of this many letters read as a listed name's words."""
    return SHORT_INITIALISM_SCORES.get(letters, INITIALISM_SCORE)


# A single letter standing for a word ("J." for Joseph, "K" in ISIL-K for Khorasan) is
# weak evidence: every word with that first letter fits.
INITIAL_SCORE = 0.7
# Words of one stem ("Pakistan" / "Pakistani", "East" / "Eastern", "Islam" / "Islamic")
# usually name the same thing, but not always ("Ahmad" / "Ahmadi" are two names). The
# shorter word must be at least STEM_LENGTH letters and the longer add at most
# STEM_SUFFIX letters to their common beginning.
STEM_SCORE = 0.8
STEM_LENGTH = 4
STEM_SUFFIX = 3
# Arabic script writes no short vowels: a word read from it that has the consonants of a
# listed word ("hrkt" / "Harakat") is a sound-alike, however unlike it looks.
CONSONANTS_SCORE = 0.85
# Fuzzy matches start at a normalised Levenshtein similarity (on the variant spellings) of
# FUZZY_FLOOR and score twice their distance from a coin toss (2 * similarity - 1): one
# edit in a six-letter word (0.83) scores 0.67, so a one-word name misspelt that much is
# no hit alone ("Daesh" / "Danesh"), while one such word in a longer name still carries.
# Capped so that a near-spelling never outranks a known variant.
FUZZY_FLOOR = 0.75
FUZZY_CAP = 0.9
# Words shorter than this are compared only exactly or as variants: one edit in a
# four-letter word is a different word ("Omar" / "Amar" / "Omer" are distinct names).
MIN_FUZZY_LENGTH = 5
# Sound-alike words must still look alike this much, so that consonant skeletons do not
# pair names that merely share consonants ("Mahmud" / "Muhamad": 0.57).
PHONETIC_MIN_SIMILARITY = 0.6


def compare_tokens(query: Token, listed: Token) -> tuple[Feature, float] | None:
    """The best feature by which two single words match, and its score; None if none.

    Ordered so that the common case, two unrelated words, is turned down after a few
    string comparisons: the edit distance is computed only when a near spelling, a
    sound-alike or a shared stem is possible at all.
    """
    if query.text == listed.text:
        return Feature.EXACT, EXACT_SCORE
    query_variant, listed_variant = query.variant, listed.variant
    if query_variant == listed_variant:
        return Feature.TRANSLITERATION, TRANSLITERATION_SCORE
    if (query.peeled is not None and query.peeled in (listed_variant, listed.peeled)) or (
        listed.peeled is not None and listed.peeled == query_variant
    ):
        return Feature.GLUED_ARTICLE, GLUED_ARTICLE_SCORE
    if len(query.text) == 1 or len(listed.text) == 1:
        if _is_initial(query, listed) or _is_initial(listed, query):
            return Feature.INITIAL, INITIAL_SCORE
        return None
    if (query.abjad or listed.abjad) and _same_consonants(query, listed):
        return Feature.CONSONANTS, CONSONANTS_SCORE
    same_consonants = query.consonants is not None and query.consonants == listed.consonants
    sounds_alike = same_consonants or (
        query.phonetic is not None and query.phonetic == listed.phonetic
    )
    translated = query.concept is not None and query.concept == listed.concept
    shorter, longer = sorted((len(query_variant), len(listed_variant)))
    # the normalised similarity is at most shorter / longer
    near = shorter >= MIN_FUZZY_LENGTH and shorter >= FUZZY_FLOOR * longer
    stem = query_variant[: STEM_LENGTH - 1] == listed_variant[: STEM_LENGTH - 1] and _same_stem(
        query_variant, listed_variant
    )
    if not (sounds_alike or translated or near or stem):
        return None
    best: tuple[Feature, float] | None = None
    if translated:
        best = Feature.TRANSLATION, TRANSLATION_SCORE
    if sounds_alike or near:
        similarity = Levenshtein.normalized_similarity(query_variant, listed_variant)
        if same_consonants and similarity >= VOWEL_VARIANT_MIN_SIMILARITY:
            if shorter >= MIN_FUZZY_LENGTH:
                return Feature.TRANSLITERATION, VOWEL_VARIANT_SCORE
            if best is None:  # a translation, when there is one, says more
                return Feature.PHONETIC, SHORT_SOUND_SCORE
        if sounds_alike and similarity >= PHONETIC_MIN_SIMILARITY and best is None:
            sound = PHONETIC_SCORE if shorter >= MIN_FUZZY_LENGTH else SHORT_SOUND_SCORE
            best = Feature.PHONETIC, sound
        if near and similarity >= FUZZY_FLOOR:
            fuzzy = min(fuzzy_score(similarity), FUZZY_CAP)
            if best is None or fuzzy > best[1]:
                best = Feature.FUZZY, round(fuzzy, 4)
    if stem and (best is None or best[1] < STEM_SCORE):
        best = Feature.STEM, STEM_SCORE
    return best


def _same_consonants(first: Token, second: Token) -> bool:
    """Whether two words (or either without a glued article) have the same consonants."""
    mine = {first.consonants, first.peeled_consonants} - {None}
    theirs = {second.consonants, second.peeled_consonants} - {None}
    return not mine.isdisjoint(theirs)


def _same_stem(first: str, second: str) -> bool:
    """Whether one spelling is the other with a short ending added (see STEM_SCORE)."""
    shorter, longer = sorted((first, second), key=len)
    return STEM_LENGTH <= len(shorter) < len(longer) <= len(
        shorter
    ) + STEM_SUFFIX and longer.startswith(shorter)


def _is_initial(letter: Token, word: Token) -> bool:
    """Whether ``letter`` is one letter (not an article: "e" in Lashkar-e-Taiba) and
    ``word`` a longer word it could stand for."""
    return (
        len(letter.text) == 1
        and not letter.article
        and len(word.text) > 1
        and word.text[0] == letter.text
        and letter.text.isalpha()
    )


def fuzzy_score(similarity: float) -> float:
    """The score of a near spelling of the given normalised similarity."""
    return 2.0 * similarity - 1.0


def compare_compound(
    joined: Join, whole: Token, *, fuzzy: bool = True
) -> tuple[Feature, float] | None:
    """Whether two adjacent words, written together (``joined``), spell one word of the
    other name: the same spelling, the same consonants, or (``fuzzy``) a near spelling."""
    if joined.variant in (whole.variant, whole.peeled):
        return Feature.COMPOUND, COMPOUND_SCORE
    if whole.consonants is not None and joined.consonants == whole.consonants:
        # as for single words: the same consonants are enough for words read from Arabic
        # script; otherwise the spellings must also look alike ("ep goy" is not "YPG")
        if joined.abjad or whole.abjad:
            return Feature.COMPOUND, VOWEL_VARIANT_SCORE
        shorter = min(len(joined.variant), len(whole.variant))
        if (
            shorter >= MIN_FUZZY_LENGTH
            and Levenshtein.normalized_similarity(joined.variant, whole.variant)
            >= VOWEL_VARIANT_MIN_SIMILARITY
        ):
            return Feature.COMPOUND, VOWEL_VARIANT_SCORE
    if not fuzzy:
        return None
    if len(joined.variant) >= MIN_FUZZY_LENGTH and len(whole.variant) >= MIN_FUZZY_LENGTH:
        similarity = Levenshtein.normalized_similarity(joined.variant, whole.variant)
        if similarity >= FUZZY_FLOOR:
            return Feature.COMPOUND, round(min(fuzzy_score(similarity), FUZZY_CAP), 4)
    return None
