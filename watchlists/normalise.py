"""Name normalisation: one function turns a name into the forms that matching compares.

The same code runs when a list is imported (to build the candidate index), when an
application is screened, in the ``screen`` command and in the benchmark, so that both
sides of every comparison went through identical folding.

Rules, in order (each has a test in tests/watchlists/test_normalise.py):

1. Unicode NFKC: full-width Latin letters, digits and punctuation become half-width,
   the ideographic space becomes a space, compatibility characters are unified.
2. Case folding, and Latin diacritics removed (Müller = Muller).
3. Punctuation folding: full stops and apostrophes vanish (``S.A.`` = ``SA``,
   ``O'Brien`` = ``OBrien``), hyphens join (``Wei-guo`` = ``Weiguo``), every other
   punctuation mark or symbol separates words.
4. Legal-form words are set aside: Chinese suffixes (有限公司, 股份有限公司, 集团, …)
   and English/European company-type words at either end (Co., Ltd., Inc., GmbH, …);
   honorifics at the start (Mr., Mrs., Dr.).
   A name made only of such words keeps them, rather than becoming empty.
5. Chinese characters are also written in pinyin without tones (a fast table built from
   pypinyin's dictionaries, with its phrase dictionary deciding polyphonic characters),
   so that 张伟 compares equal to "Zhang Wei" and "Wei Zhang". A two-to-four-character
   Chinese name is also read as surname + given name ("zhang weiguo"), the way Chinese
   personal names are written in Latin letters.
6. Word order is ignored: the compared forms sort their words.

Added for names across scripts and naming habits (issue 11; tests in
tests/watchlists/test_scripts.py):

7. Traditional Chinese characters become simplified (OpenCC's ``t2s``, phrase-aware)
   before anything else, so 華為技術有限公司 is 华为技术有限公司.
8. Every other script is written in Latin letters by ``anyascii`` (Cyrillic, Greek,
   Arabic, Hebrew, kana, Thai, …); Hangul syllable by syllable, a two-to-four-syllable run
   read as family name + given name (김정은 = "gim jeongeun"), like Chinese names.
   Names that were in an abjad (Arabic, Hebrew) or in Hangul remember it (``script``): the
   scorer then also compares loose forms (``watchlists.matching``).
9. Legal forms come from rigour's organisation-type database (ISO 20275, OCCRP, Wikipedia:
   "Aktiengesellschaft", "Open Joint Stock Company", "Sp. z o.o.", "ООО", …), removed
   wherever they stand, besides the Chinese suffixes and their pinyin
   ("you xian gong si", "jituan"). Titles and honorifics at the start come from rigour's
   list of person-name prefixes ("President", "Dr", "General", "His Excellency"), set
   aside only when at least two words remain ("General Electric" keeps its first word).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from anyascii import anyascii

# --- Legal forms -------------------------------------------------------------------------

# Longest first: suffixes are stripped repeatedly from the end of a Chinese name.
HAN_LEGAL_SUFFIXES = (
    "股份有限公司", "有限责任公司", "股份公司", "有限公司", "集团公司", "控股集团", "分公司", "总公司", "集团", "公司",
    "总厂", "厂",
)
LATIN_LEGAL_WORDS = frozenset(
    """
    co company companies ltd limited inc incorporated corp corporation llc llp lp plc gmbh ag kg kgaa
    sa sas sarl spa srl bv nv oy oyj ab asa pte pty jsc ojsc pjsc cjsc ooo zao oao pao sro doo kft
    sdn bhd tbk group
    """.split()
)
# The same Chinese legal forms written in pinyin, spaced or joined ("you xian gong si",
# "Youxian Gongsi"), compared with the spaces removed; longest first.
PINYIN_LEGAL_FORMS = (
    "gufenyouxiangongsi", "youxianzerengongsi", "jituanyouxiangongsi", "youxiangongsi", "gufengongsi",
    "jituangongsi", "konggujituan", "fengongsi", "zonggongsi", "jituan", "gongsi",
)
_PINYIN_LEGAL_SET = frozenset(PINYIN_LEGAL_FORMS)
_PINYIN_LEGAL_MAX_WORDS = 7  # "gu fen you xian gong si" and one more
# The last word of a name that ends in one of them (a quick test before joining words).
_PINYIN_LEGAL_LAST = frozenset({"si", "tuan", *(f for f in PINYIN_LEGAL_FORMS), "gongsi", "jituan"})
# Words set aside at the start of a name: legal forms written first (Russian/Ukrainian
# style), "The", and honorifics ("Mr. John Smith" is John Smith).
LATIN_LEADING_WORDS = frozenset("the ooo zao oao pao jsc ojsc pjsc cjsc tov mr mrs ms miss dr sir".split())

# --- Characters ---------------------------------------------------------------------------

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff"
_HAN_RE = re.compile(f"[{_HAN}]")
_TOKEN_RE = re.compile(f"[{_HAN}]+|[^\\s{_HAN}]+")
# CJK Unified Ideographs only: NFKC, case and punctuation rules change nothing in such a name.
_PURE_HAN_RE = re.compile("[\u4e00-\u9fff]+")
_JOINERS_RE = re.compile(r"[.'’‘`´\-‐‑–]")  # noqa: RUF001 - these are the characters meant
_NOT_ALNUM_RE = re.compile(r"[\W_]+")
_ASCII_JOINERS = str.maketrans("", "", ".'`-")
_SEPARATORS_RE = re.compile(r"[\W_]+")
_COMBINING_RE = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
# Two-character surnames, so that 欧阳修 reads as "ouyang xiu", not "ou yangxiu".
_COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 "
    "夏侯 轩辕 令狐 钟离 端木 独孤 南宫 西门 万俟 闻人 呼延".split()
)


def fold(text: str) -> str:
    """Rules 1–3 and 7–8: NFKC, case, script, diacritics and punctuation; words separated by one space."""
    return _punctuation_fold(_prefold(text or "")[0])


# Arabic, Hebrew, Syriac, Thaana: written without most vowels.
_ABJAD_RE = re.compile("[\u0590-\u05ff\u0600-\u06ff\u0700-\u074f\u0750-\u077f\u0780-\u07bf\u08a0-\u08ff"
                       "\ufb1d-\ufdff\ufe70-\ufeff]")
_HANGUL_RUN_RE = re.compile("[\uac00-\ud7a3]+")
# Runs of characters that are neither ASCII nor Chinese: anyascii writes them in Latin letters.
_OTHER_RUN_RE = re.compile(f"[^\\x00-\\x7f{_HAN}]+")
# "al-Baghdadi", "el-Sayed": the article is a word of its own, as in "Al Baghdadi".
_ARTICLE_RE = re.compile(r"\b(al|el)[-‐‑](?=\w)")
_KANA_SEPARATORS = str.maketrans("・･", "  ")


def _hangul_run(match: re.Match) -> str:
    syllables = [anyascii(c).lower() for c in match.group()]
    if 2 <= len(syllables) <= 4:
        return f" {syllables[0]} {''.join(syllables[1:])} "
    return f" {''.join(syllables)} "


def _prefold(text: str, *, org_types: bool = False) -> tuple[str, str]:
    """NFKC, case, traditional → simplified, other scripts in Latin letters; punctuation kept.

    Returns the text and its script mark: "abjad", "hangul" or "".
    """
    script = ""
    if text.isascii():
        text = text.lower()
    else:
        text = unicodedata.normalize("NFKC", text).casefold()
        if has_han(text):
            text = to_simplified(text)
        if org_types:
            # Before transliteration: the database writes "beschränkter", "ограниченной".
            text = _set_aside_org_types(text)
        if not text.isascii():
            if _ABJAD_RE.search(text):
                script = "abjad"
            if _HANGUL_RUN_RE.search(text):
                script = script or "hangul"
                text = _HANGUL_RUN_RE.sub(_hangul_run, text)
            text = text.translate(_KANA_SEPARATORS)
            # anyascii also drops Latin accents (Müller = Muller, ß = ss, ø = o).
            text = _OTHER_RUN_RE.sub(lambda m: anyascii(m.group()).lower(), text)
    if "-" in text or "‐" in text or "‑" in text:
        text = _ARTICLE_RE.sub(r"\1 ", text)
    return text, script


def _punctuation_fold(text: str) -> str:
    if text.isascii():
        text = text.translate(_ASCII_JOINERS)
    else:
        if not unicodedata.is_normalized("NFD", text):
            decomposed = unicodedata.normalize("NFD", text)
            text = unicodedata.normalize("NFC", _COMBINING_RE.sub("", decomposed))
        text = _JOINERS_RE.sub("", text)
    return _SEPARATORS_RE.sub(" ", text).strip()


# --- Traditional → simplified -----------------------------------------------------------------


@lru_cache(maxsize=1)
def _opencc():
    import opencc

    return opencc.OpenCC("t2s")


@lru_cache(maxsize=1)
def _traditional_characters() -> frozenset[str]:
    """The characters OpenCC writes otherwise in simplified Chinese (built once, ~0.2 s): a
    name without any is left alone, without calling the converter."""
    converter = _opencc()
    ranges = (range(0x3400, 0x4DC0), range(0x4E00, 0xA000), range(0xF900, 0xFB00))
    return frozenset(c for r in ranges for c in map(chr, r) if converter.convert(c) != c)


def to_simplified(text: str) -> str:
    """Traditional Chinese characters in ``text`` as simplified ones (OpenCC ``t2s``)."""
    if _traditional_characters().isdisjoint(text):
        return text
    return _opencc().convert(text)


def has_han(text: str) -> bool:
    return _HAN_RE.search(text) is not None


def _is_han_token(token: str) -> bool:
    # Tokens are either all Chinese or free of Chinese (see _TOKEN_RE): the first character tells.
    return token[0] >= "\u3400" and _HAN_RE.match(token) is not None


def _strip_han_suffixes(token: str) -> str:
    """Remove legal-form suffixes from the end of a Chinese token; "" if nothing else is left."""
    while token.endswith(HAN_LEGAL_SUFFIXES):
        for suffix in HAN_LEGAL_SUFFIXES:
            if token.endswith(suffix):
                token = token[: -len(suffix)]
                break
    return token


def strip_legal_forms(tokens: list[str], *, han: bool = True) -> list[str]:
    """Rule 4 on folded tokens; returns the tokens unchanged if nothing else would remain.

    ``han=False`` skips the Chinese suffixes (the tokens are known to be Latin).
    """
    if han:
        # Chinese: suffixes, also a whole token that is one (it stood in brackets: "(集团)").
        kept = [stripped for stripped in map(_strip_han_suffixes, tokens) if stripped]
    else:
        kept = list(tokens)
    while kept and kept[-1] in LATIN_LEGAL_WORDS:
        kept.pop()
    _strip_pinyin_legal_forms(kept)
    while kept and kept[-1] in LATIN_LEGAL_WORDS:
        kept.pop()
    while kept and kept[0] in LATIN_LEADING_WORDS:
        kept.pop(0)
    return kept or list(tokens)


def _strip_pinyin_legal_forms(tokens: list[str]) -> None:
    """Remove Chinese legal forms written in pinyin from the end of ``tokens`` (in place)."""
    changed = True
    while changed and len(tokens) > 1 and tokens[-1] in _PINYIN_LEGAL_LAST:
        changed = False
        for count in range(min(_PINYIN_LEGAL_MAX_WORDS, len(tokens) - 1), 0, -1):
            if "".join(tokens[-count:]) in _PINYIN_LEGAL_SET:
                del tokens[-count:]
                changed = True
                break


@lru_cache(maxsize=1)
def _org_types():
    """rigour's organisation-type remover (a Rust Aho-Corasick automaton, built on first use)."""
    from rigour.names.org_types import remove_org_types

    return remove_org_types


@lru_cache(maxsize=1)
def _person_prefixes() -> tuple[frozenset[tuple[str, ...]], int]:
    """rigour's person-name prefixes (titles, honorifics), folded into word tuples."""
    from rigour._core import person_name_prefixes_list

    prefixes = {tuple(fold(p).split()) for p in person_name_prefixes_list()}
    prefixes.discard(())
    return frozenset(prefixes), max(map(len, prefixes))


def strip_titles(tokens: list[str]) -> list[str]:
    """Titles and honorifics at the start, while at least two words remain."""
    prefixes, longest = _person_prefixes()
    changed = True
    while changed:
        changed = False
        for count in range(min(longest, len(tokens) - 2), 0, -1):
            if tuple(tokens[:count]) in prefixes:
                tokens = tokens[count:]
                changed = True
                break
    return tokens


def _set_aside_org_types(text: str) -> str:
    """Rule 9 on pre-folded text (punctuation still there: "s.a.", "sp. z o.o.")."""
    removed = _org_types()(text)
    if removed is not text and removed != text and not _NOT_ALNUM_RE.fullmatch(removed or " "):
        return removed
    return text


# --- Pinyin ------------------------------------------------------------------------------


def _toneless(reading: str) -> str:
    plain = "".join(c for c in unicodedata.normalize("NFD", reading) if not unicodedata.combining(c))
    # pypinyin writes ü as "v" in toneless style; names in Latin letters write "u" (Lü = Lu).
    return plain.replace("v", "u").replace("\u00fc", "u")


@dataclass(frozen=True, slots=True)
class _PinyinTables:
    default: dict[str, str]  # character -> its most common toneless reading
    sensitive: frozenset[str]  # characters some phrase reads otherwise (重庆 = chong qing)
    phrases: dict[str, tuple[str, ...]]  # phrase -> toneless syllables, for those phrases only


@lru_cache(maxsize=1)
def _pinyin_tables() -> _PinyinTables:
    """Built once per process (about half a second) from pypinyin's dictionaries."""
    from pypinyin.phrases_dict import phrases_dict
    from pypinyin.pinyin_dict import pinyin_dict

    toneless = lru_cache(maxsize=None)(_toneless)
    default = {chr(code): toneless(readings.split(",")[0]) for code, readings in pinyin_dict.items()}
    sensitive: set[str] = set()
    phrases: dict[str, tuple[str, ...]] = {}
    for phrase, readings in phrases_dict.items():
        if len(phrase) > PHRASE_WINDOW or len(readings) != len(phrase):
            continue
        syllables = tuple(toneless(r[0]) for r in readings)
        differs = {c for c, s in zip(phrase, syllables, strict=True) if default.get(c) != s}
        if differs:
            sensitive.update(differs)
            phrases[phrase] = syllables
    return _PinyinTables(default=default, sensitive=frozenset(sensitive), phrases=phrases)


PHRASE_WINDOW = 4


def han_to_pinyin(run: str) -> list[str]:
    """Toneless pinyin syllables of a run of Chinese characters (see ``_han_to_pinyin``)."""
    return list(_han_to_pinyin(run))


@lru_cache(maxsize=200_000)
def _han_to_pinyin(run: str) -> tuple[str, ...]:
    """Toneless pinyin syllables of a run of Chinese characters, cached per run.

    Each character takes its most common reading (a dictionary hit); only a character
    that some phrase reads otherwise looks at the phrases around it, longest first. This
    gives pypinyin's reading for names (重庆 = chong qing, 银行 = yin hang) at a small
    fraction of the cost of ``pypinyin.lazy_pinyin``, which matters at a million entries.
    """
    tables = _pinyin_tables()
    syllables = list(map(tables.default.get, run, run))  # get(c, c): unknown characters stay
    if tables.sensitive.isdisjoint(run):
        return tuple(syllables)
    phrases = tables.phrases
    n = len(run)
    for i, char in enumerate(run):
        if char not in tables.sensitive:
            continue
        found = False
        for length in range(min(PHRASE_WINDOW, n), 1, -1):
            for start in range(max(0, i - length + 1), min(i, n - length) + 1):
                reading = phrases.get(run[start : start + length])
                if reading is not None:
                    syllables[i] = reading[i - start]
                    found = True
                    break
            if found:
                break
    return tuple(syllables)


# --- The forms -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NameForms:
    """What matching compares for one name.

    ``key``: words sorted, Chinese as pinyin (surname + given name for names of two to
    four characters, otherwise one joined word) — the main form scored and indexed.
    ``syllables``: words sorted with Chinese split into single syllables.
    ``compact``: all words in their order, no spaces, Chinese as pinyin (catches
    "Huadong Jingmi" against 华东精密).
    ``han``: the Chinese characters alone, compared directly when both sides have them;
    ``han_runs``: the separate runs of Chinese characters (more than one when brackets or
    Latin words split the name).
    ``script``: "abjad" (Arabic, Hebrew) or "hangul" when the name was written in one.
    """

    key: str
    syllables: str
    compact: str
    han: str
    han_runs: tuple[str, ...] = ()
    script: str = ""  # "abjad" or "hangul" when the name was written so (rule 8), else ""

    def __bool__(self) -> bool:
        return bool(self.key)


def _group_person_name(run: str, syllables: list[str]) -> list[str]:
    surname_length = 2 if len(run) > 2 and run[:2] in _COMPOUND_SURNAMES else 1
    return ["".join(syllables[:surname_length]), "".join(syllables[surname_length:])]


def normalise(name: str) -> NameForms:
    if name and _PURE_HAN_RE.fullmatch(name):
        # Only common Chinese characters (most Chinese names): folding changes nothing.
        name = to_simplified(name)
        run = _strip_han_suffixes(name) or name
        return _han_forms(run, _han_to_pinyin(run))
    prefolded, script = _prefold(name or "", org_types=True)
    folded = _punctuation_fold(_set_aside_org_types(prefolded))
    if folded.isascii():
        # The common case for Latin names: every form is made of the words themselves.
        tokens = strip_titles(strip_legal_forms(folded.split(), han=False))
        key = " ".join(sorted(tokens))
        return NameForms(key=key, syllables=key, compact="".join(tokens), han="", script=script)
    tokens = strip_titles(strip_legal_forms(_TOKEN_RE.findall(folded)))
    key_words: list[str] = []
    syllable_words: list[str] = []
    compact_parts: list[str] = []
    han_parts: list[str] = []
    for token in tokens:
        if _is_han_token(token):
            # Names repeat (common given names, the same company under several aliases): cached.
            syllables = _han_to_pinyin(token)
            han_parts.append(token)
            syllable_words.extend(syllables)
            compact_parts.extend(syllables)
            if 2 <= len(token) <= 4:
                key_words.extend(_group_person_name(token, syllables))
            else:
                key_words.append("".join(syllables))
        else:
            key_words.append(token)
            syllable_words.append(token)
            compact_parts.append(token)
    key_words.sort()
    syllable_words.sort()
    return NameForms(
        key=" ".join(key_words), syllables=" ".join(syllable_words), compact="".join(compact_parts),
        han="".join(han_parts), han_runs=tuple(han_parts), script=script,
    )


def _han_forms(run: str, syllables: tuple[str, ...]) -> NameForms:
    """The forms of a name that is a single run of Chinese characters."""
    if 2 <= len(run) <= 4:
        key_words = _group_person_name(run, syllables)
        key_words.sort()
        key = " ".join(key_words)
    else:
        key = "".join(syllables)
    compact = "".join(syllables)
    return NameForms(key=key, syllables=" ".join(sorted(syllables)), compact=compact, han=run, han_runs=(run,))


# --- Name parts and loose forms (compared by watchlists.matching, indexed by watchlists.blocking) ---

# Parts that many names add or drop, left out when comparing parts ("bin", "al", "van").
PARTICLES = frozenset("al el bin ibn bint binti ben abu ould van von der den de da di del dos das du la le y".split())
# At most this many parts on the longer side (the candidate index stores a block per pair).
SUBSET_MAX_PARTS = 8


def name_parts(key: str) -> list[str]:
    """The parts of a key that ``subset_score`` compares: particles left out."""
    return [word for word in key.split() if word not in PARTICLES]


_SKELETON_MAP = str.maketrans({"p": "b", "q": "k", "c": "k", "v": "b", "z": "s", **dict.fromkeys("aeiouyhwj'`", None)})
_HANGUL_PAIRS = (("eo", "o"), ("eu", "u"), ("ae", "e"), ("oe", "e"))
_HANGUL_MAP = str.maketrans({"g": "k", "d": "t", "b": "p", "r": "l", "j": "ch"})


# Skeletons of the particles ("al", "bin", "bint"), left out: Arabic writes the article
# joined ("التكريتي") and Latin forms often drop it.
_SKELETON_PARTICLES = frozenset({"al", "el", "bin", "ibn", "bint", "bn", "bnt", "l"})


@lru_cache(maxsize=100_000)
def skeleton(key: str) -> str:
    """The consonants of a key, words sorted, for names written in an abjad (Arabic, Hebrew
    carry few vowels): "osama bin laden" and أسامة بن لادن ("smh bn ldn") both give "ldn sm".
    Particles are left out, and the article "l" at the start of a longer word."""
    words = []
    for word in key.split():
        if word in _SKELETON_PARTICLES:
            continue
        folded = word.translate(_SKELETON_MAP)
        squeezed = "".join(c for i, c in enumerate(folded) if i == 0 or c != folded[i - 1])
        if len(squeezed) >= 4 and squeezed[0] == "l":
            squeezed = squeezed[1:]
        if squeezed:
            words.append(squeezed)
    return " ".join(sorted(words))


@lru_cache(maxsize=100_000)
def hangul_loose(key: str) -> str:
    """A romanisation folded so that the Revised and the McCune–Reischauer forms (and common
    spellings) meet: per word eo → o, eu → u, ae/oe → e, g → k, d → t, b → p, r → l,
    j → ch; words sorted, spaces removed. 김정은 ("gim jeongeun") and "Kim Jong Un" meet
    on their compact forms ("kimchongun")."""
    words = []
    for word in key.split():
        for pair, single in _HANGUL_PAIRS:
            word = word.replace(pair, single)
        words.append(word.translate(_HANGUL_MAP))
    return "".join(sorted(words))


LOOSE_FORMS = {"abjad": skeleton, "hangul": hangul_loose}


def normalise_identifier(value: str) -> str:
    """Registration numbers and credit codes: NFKC, upper case, letters and digits only."""
    folded = unicodedata.normalize("NFKC", value or "").upper()
    return _NOT_ALNUM_RE.sub("", folded)


def looks_like_identifier(value: str) -> bool:
    """A query such as "91350100M000100Y43": one word of at least six characters with a digit."""
    folded = normalise_identifier(value)
    return len(folded) >= 6 and any(c.isdigit() for c in folded) and " " not in (value or "").strip()
