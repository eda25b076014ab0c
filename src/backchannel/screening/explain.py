"""The reasons for a screening hit, as JSON-ready data and as sentences.

Every hit carries which query word matched which listed word, by which feature, with what
score and weight; which words on either side found no match; the two coverages, the alias
quality factor and the threshold. An analyst reads the ``reasons`` sentences; a program
reads the rest.
"""

from __future__ import annotations

from typing import Any

from backchannel.screening.entity import ListedName
from backchannel.screening.features import Feature
from backchannel.screening.matcher import (
    QUERY_SHARE,
    NameMatch,
    PreparedName,
)

_FEATURE_WORDS: dict[Feature, str] = {
    Feature.EXACT: "exactly",
    Feature.TRANSLITERATION: "as a transliteration variant",
    Feature.GLUED_ARTICLE: "with the article written on or off",
    Feature.PHONETIC: "by sound",
    Feature.FUZZY: "as a near spelling",
    Feature.TRANSLATION: "as a translation",
    Feature.COMPOUND: "as one word written as two",
    Feature.INITIALISM: "as initials",
    Feature.INITIAL: "as an initial",
    Feature.STEM: "as a word of the same stem",
    Feature.CONSONANTS: "by its consonants (read from Arabic script)",
}


def _words(name: PreparedName, positions: tuple[int, ...]) -> str:
    return " ".join(name.tokens[k].text for k in positions)


def explain(
    query: PreparedName,
    listed: PreparedName,
    match: NameMatch,
    listed_name: ListedName,
    threshold: float,
) -> dict[str, Any]:
    """The JSON-ready explanation of one hit."""
    pairs: list[dict[str, Any]] = []
    reasons: list[str] = []
    matched_query: set[int] = set()
    matched_listed: set[int] = set()
    for pairing in match.pairings:
        query_words = _words(query, pairing.query)
        listed_words = _words(listed, pairing.listed)
        matched_query.update(pairing.query)
        matched_listed.update(pairing.listed)
        pairs.append(
            {
                "query": query_words,
                "alias": listed_words,
                "feature": pairing.feature.value,
                "score": pairing.score,
                "query_weight": round(sum(query.weights[k] for k in pairing.query), 3),
                "alias_weight": round(sum(listed.weights[k] for k in pairing.listed), 3),
            }
        )
        reasons.append(
            f"'{query_words}' matches '{listed_words}' "
            f"{_FEATURE_WORDS[pairing.feature]} ({pairing.score:.2f})"
        )
    unmatched_query = [
        {"token": token.text, "weight": round(query.weights[k], 3)}
        for k, token in enumerate(query.tokens)
        if k not in matched_query
    ]
    unmatched_listed = [
        {"token": token.text, "weight": round(listed.weights[k], 3)}
        for k, token in enumerate(listed.tokens)
        if k not in matched_listed
    ]
    if unmatched_query:
        reasons.append(
            "query words the listed name lacks: "
            + ", ".join(f"'{item['token']}'" for item in unmatched_query)
        )
    if unmatched_listed:
        reasons.append(
            "listed words the query lacks: "
            + ", ".join(f"'{item['token']}'" for item in unmatched_listed)
        )
    if match.quality_factor < 1.0:
        reasons.append(
            f"the list calls this alias weak: score scaled by {match.quality_factor:.2f}"
        )
    verdict = "at or above" if match.score >= threshold else "below"
    reasons.append(f"score {match.score:.3f} is {verdict} the threshold {threshold:.2f}")
    return {
        "matched_alias": listed.text,
        "listed_name": listed_name.text,
        "alias_quality": listed_name.quality.value,
        "alias_kind": listed_name.kind,
        "pairs": pairs,
        "unmatched_query": unmatched_query,
        "unmatched_alias": unmatched_listed,
        "query_coverage": round(match.query_coverage, 4),
        "alias_coverage": round(match.listed_coverage, 4),
        "query_share": QUERY_SHARE,
        "name_score": round(match.name_score, 4),
        "quality_factor": match.quality_factor,
        "score": match.score,
        "threshold": threshold,
        "reasons": reasons,
    }
