"""Countries as the official lists write them, to ISO 3166-1 alpha-2 codes.

The lists name countries their own way: OFAC "Korea, North", "Burma", "Russia"; the UN
"Iran (Islamic Republic of)"; the UK "(1) Syria (2) Lebanon"; the EU and OpenSanctions
give codes (OpenSanctions in lower case). ``iso_codes`` turns each into its alpha-2 code
with pycountry (the ISO 3166 data, names, official names, common names and alpha-3 codes)
and a small table of the lists' own spellings; a value that names no country ("Region:
Crimea", "undetermined") is kept as given, so that nothing the list says is lost.
``country_name`` gives a code's name in the current language (pycountry's translations).
"""

from __future__ import annotations

import gettext
import re
from functools import lru_cache

import pycountry
from django.utils.translation import get_language

# The lists' spellings that pycountry does not know (lower case, "the" and punctuation
# dropped by ``_key``). Kosovo has no ISO code; XK is the code the EU, OFAC and
# OpenSanctions use for it.
ALIASES = {
    "russia": "RU", "soviet union": "RU", "ussr": "RU",
    "korea north": "KP", "north korea": "KP", "dprk": "KP",
    "korea south": "KR", "south korea": "KR", "republic of korea": "KR",
    "burma": "MM", "turkey": "TR", "turkiye": "TR",
    "iran": "IR", "syria": "SY", "laos": "LA", "vietnam": "VN", "moldova": "MD", "macau": "MO",
    "palestinian": "PS", "palestine": "PS", "state of palestine": "PS", "west bank": "PS", "gaza": "PS",
    "region gaza": "PS", "palestinian territories": "PS", "occupied palestinian territory": "PS",
    "congo democratic republic of": "CD", "democratic republic of congo": "CD", "drc": "CD",
    "congo republic of": "CG", "republic of congo": "CG", "congo brazzaville": "CG",
    "cote d ivoire": "CI", "ivory coast": "CI",
    "bahamas": "BS", "gambia": "GM", "man isle of": "IM", "isle of man": "IM",
    "china hong kong special administrative region": "HK", "hong kong sar": "HK",
    "china macao special administrative region": "MO", "macao sar": "MO",
    "kosovo": "XK", "cape verde": "CV", "swaziland": "SZ", "macedonia": "MK", "czechia": "CZ",
    "united states of america": "US", "usa": "US", "uk": "GB", "great britain": "GB",
    "vatican": "VA", "holy see vatican city state": "VA", "east timor": "TL", "brunei": "BN",
    "micronesia federated states of": "FM", "saint martin": "MF", "st kitts and nevis": "KN",
    "st lucia": "LC", "st vincent and the grenadines": "VC", "bolivia": "BO", "venezuela": "VE",
    "tanzania": "TZ", "united republic of tanzania": "TZ",
}
_NUMBERED = re.compile(r"\(\d+\)")
_PARENTHESES = re.compile(r"^(.*?)\s*\((.+)\)$")


def _key(value: str) -> str:
    value = value.lower().replace("’", "'").replace("'", " ")
    value = re.sub(r"[^\w\s]", " ", value)
    words = [word for word in value.split() if word != "the"]
    return " ".join(words)


@lru_cache(maxsize=4096)
def iso_code(value: str) -> str:
    """The alpha-2 code of one country as a list writes it, or the value itself (stripped)
    when it names no country."""
    value = " ".join(value.split())
    if not value:
        return ""
    if len(value) == 2 and value.isascii() and value.isalpha():
        return value.upper()  # already a code ("ru", "IR"); "00" (EU: unknown) is not alphabetic
    for candidate in _candidates(value):
        code = ALIASES.get(_key(candidate))
        if code:
            return code
        try:
            return pycountry.countries.lookup(candidate).alpha_2
        except LookupError:
            pass
    return value


def _candidates(value: str) -> list[str]:
    candidates = [value]
    match = _PARENTHESES.match(value)
    if match:  # UN: "Iran (Islamic Republic of)" is ISO's "Iran, Islamic Republic of"
        candidates += [f"{match.group(1)}, {match.group(2)}", match.group(1)]
    return candidates


def iso_codes(values) -> list[str]:
    """The alpha-2 codes of the values, each once, in order; "(1) Syria (2) Lebanon" is two."""
    codes: list[str] = []
    for value in values:
        if not value:
            continue
        parts = _NUMBERED.split(value) if "(" in value and _NUMBERED.search(value) else [value]
        for part in parts:
            code = iso_code(part.strip(" ,;"))
            if code and code not in codes and code not in ("00", "-0-"):
                codes.append(code)
    return codes


@lru_cache(maxsize=16)
def _translation(language: str):
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language], fallback=True)


def country_name(code: str) -> str:
    """The name of an alpha-2 code in the current language ("CU": "Cuba", 古巴), or the value
    as given when it is not a code."""
    if len(code) != 2:
        return code
    country = pycountry.countries.get(alpha_2=code.upper())
    if country is None:
        return "Kosovo" if code.upper() == "XK" else code
    name = getattr(country, "common_name", None) or country.name
    language = (get_language() or "en").lower()
    if language.startswith("zh"):
        return _translation("zh_CN").gettext(country.name)
    return name
