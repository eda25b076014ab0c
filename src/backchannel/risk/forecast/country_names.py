"""From ISO 3166 alpha-3 codes (what case files use) to EWP's country names.

Most EWP names are ISO short or common names, found through ``pycountry``; the rest are
EWP's own spellings, listed here (checked against every name in EWP's 2025 country table
by ``tests/risk/test_forecast.py``).
"""

from __future__ import annotations

import pycountry

EWP_SPELLINGS: dict[str, str] = {
    "MMR": "Burma/Myanmar",
    "CPV": "Cape Verde",
    "COD": "Democratic Republic of Congo",
    "VNM": "Democratic Republic of Vietnam",
    "CIV": "Ivory Coast",
    "XKX": "Kosovo",
    "KGZ": "Kyrgystan",
    "MKD": "Macedonia",
    "COG": "Republic of Congo",
    "RUS": "Russia",
    "GMB": "The Gambia",
    "TUR": "Turkey",
}


def ewp_names(iso3: str) -> list[str]:
    """Names EWP may use for the country with this ISO alpha-3 code, most likely first."""
    if iso3 in EWP_SPELLINGS:
        return [EWP_SPELLINGS[iso3]]
    country = pycountry.countries.get(alpha_3=iso3)
    if country is None:
        return []
    names = [getattr(country, a, None) for a in ("common_name", "name", "official_name")]
    return [str(n) for n in names if n]


def iso3_of(name: str) -> str | None:
    """The ISO alpha-3 code for an EWP country name; ``None`` if it cannot be matched."""
    for code, spelling in EWP_SPELLINGS.items():
        if spelling == name:
            return code
    country = (
        pycountry.countries.get(name=name)
        or pycountry.countries.get(common_name=name)
        or pycountry.countries.get(official_name=name)
    )
    return None if country is None else str(country.alpha_3)
