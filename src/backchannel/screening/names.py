"""Small helpers every list reader applies to the names it reads."""

from __future__ import annotations

from collections import Counter

from rigour.text.scripts import text_scripts

from backchannel.screening.entity import ListedName, NameQuality

_RANK = {NameQuality.PRIMARY: 0, NameQuality.STRONG: 1, NameQuality.WEAK: 2}


def script_of(text: str) -> str | None:
    """The script(s) a name is written in other than Latin ("Arabic"), else ``None``."""
    scripts = text_scripts(text) - {"Latin"}
    return "+".join(sorted(scripts)) or None


def distinct_names(names: list[ListedName], details: Counter[str]) -> tuple[ListedName, ...]:
    """Each name text once, at its first place, with the best quality it was given.

    Lists repeat names (the UN repeats an alias once per date of birth); repeats are
    counted in ``details["repeated_names"]`` so the reader's accounts still add up.
    """
    best: dict[str, ListedName] = {}
    for name in names:
        kept = best.get(name.text)
        if kept is None:
            best[name.text] = name
            continue
        details["repeated_names"] += 1
        if _RANK[name.quality] < _RANK[kept.quality]:
            best[name.text] = name
    return tuple(best.values())
