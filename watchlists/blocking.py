"""The candidate index: a few "blocks" per entry, so that a query looks up, not scans.

A block is a 32-bit hash of a piece of a normalised name (or an identifier). Two names
that could score above the threshold usually share a block, so a query scores only the
entries that share one with it. On PostgreSQL the blocks of a source live in a table of
their own, ``(block, entry_id)`` with a B-tree index, built afresh by each import.

* **Two halves of the sorted key** (pigeonhole, as in PassJoin, with one edit): the key
  (words sorted, legal forms set aside, Chinese in pinyin) without spaces is cut in two.
  A name one edit away keeps one half intact, shifted by at most one place; the query
  probes each half's place for the lengths within one of its own. This catches a typo,
  a missing or doubled letter, and — because of the normalisation — reordered words,
  dropped legal forms, full width, case and script, alone or with one typo.
* **Compact form**, whole: the words in their order, no spaces, when that differs from
  the sorted key, so that "Shanghai Hengrui Jingmi Jixie" and 上海恒瑞精密机械 meet
  (the query also probes the halves with its compact form).
* **Sorted syllables**, whole, for names with several runs of Chinese characters: the
  same characters' syllables in another order (嘉兴源永房地产 = 源永房地产(嘉兴)).
* **Chinese characters at even and at odd places**, for Chinese names of five or more
  characters: one wrong character, whatever its pinyin, leaves one of the two intact; the
  query also probes itself without each of its characters (one character too many). And
  **the first half of the characters** (region and brand, usually), for a character
  missing or added in the second half.
* **Identifiers**, whole.
* **Pairs of name parts** (issue 11), for persons without Chinese characters: one block per
  pair of distinct parts (particles left out, at most ``SUBSET_MAX_PARTS`` parts), so that
  a query whose parts are a subset of the entry's, or the other way round, shares the
  block of two parts they have in common (``matching.subset_score`` requires two).
* **Loose forms**, for names written in an abjad or in Hangul, and for persons' names in
  Latin letters (which such a query compares with its loose form): the two halves of the
  consonant skeleton or of the folded romanisation (key and compact form), probed by every
  query as the key's halves are.

Two edits in one name are found when they fall in the same half, and two letters
swapped anywhere (across the middle too); the benchmark (``manage.py bench_screening``)
measures what this misses.

Why not pg_trgm: at 100,000 names its GIN index took 20–40 ms per query on this machine,
because the trigrams of Chinese pinyin and of company words are shared by a large part of
the list. Why not a GIN index on an array of these blocks: almost every block is unique,
which GIN handles badly (23 s to index three million of them, against 4 s for a B-tree).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from itertools import permutations
from zlib import crc32

from watchlists.normalise import LOOSE_FORMS, SUBSET_MAX_PARTS, NameForms, name_parts

MIN_HAN_LENGTH = 5
# Names of the per-source block tables (watchlists.services names them; SQL checks them).
BLOCK_TABLE = re.compile(r"watchlists_blocks_[0-9]+_[0-9a-f]+")


def _hash(text: str) -> int:
    # 32 bits (PostgreSQL integer): a rare collision only adds a candidate that scoring drops.
    value = crc32(text.encode())
    return value - 0x1_0000_0000 if value >= 0x8000_0000 else value


_KEY_PREFIXES: dict[tuple[int, int], int] = {}


def _key_hash(length: int, number: int, piece: str) -> int:
    """``_hash(f"k{length}:{number}:{piece}")``, with the prefix's CRC computed once (the
    import hashes millions of these)."""
    start = _KEY_PREFIXES.get((length, number))
    if start is None:
        start = _KEY_PREFIXES[(length, number)] = crc32(f"k{length}:{number}:".encode())
    value = crc32(piece.encode(), start)
    return value - 0x1_0000_0000 if value >= 0x8000_0000 else value


def _halves(length: int) -> tuple[tuple[int, int], tuple[int, int]]:
    """(start, size) of the two halves of a string of ``length`` (the longer half last)."""
    first = length // 2
    return (0, first), (first, length - first)


def _key_blocks(text: str, blocks: set[int]) -> None:
    length = len(text)
    if length < 2:
        blocks.add(_key_hash(length, 0, text))
        return
    half = length // 2
    blocks.add(_key_hash(length, 0, text[:half]))
    blocks.add(_key_hash(length, 1, text[half:]))


def _han_blocks(han: str, blocks: set[int]) -> None:
    # Even and odd places: each mixes all parts of the name (the second half would put every
    # "…房地产开发" together).
    blocks.add(_hash(f"e{len(han)}:{han[0::2]}"))
    blocks.add(_hash(f"o{len(han)}:{han[1::2]}"))


def _han_head(han: str) -> int:
    # The first half (region and brand, usually): intact when the change is in the second.
    return _hash(f"h{len(han)}:{han[:len(han) // 2]}")


_PREFIXES: dict[str, int] = {}


def _prefixed(prefix: str, piece: str) -> int:
    """``_hash(prefix + piece)``, with the prefix's CRC computed once."""
    start = _PREFIXES.get(prefix)
    if start is None:
        start = _PREFIXES[prefix] = crc32(prefix.encode())
    value = crc32(piece.encode(), start)
    return value - 0x1_0000_0000 if value >= 0x8000_0000 else value


def _pair_blocks(key: str) -> list[int]:
    parts = sorted(set(name_parts(key)))
    if not 2 <= len(parts) <= SUBSET_MAX_PARTS:
        return []
    return [_prefixed("p:", f"{a} {b}") for i, a in enumerate(parts) for b in parts[i + 1:]]


def _loose_halves(script: str, text: str) -> list[int]:
    length = len(text)
    if length < 2:
        return [_prefixed(f"l{script}{length}:0:", text)]
    half = length // 2
    return [_prefixed(f"l{script}{length}:0:", text[:half]), _prefixed(f"l{script}{length}:1:", text[half:])]


def _loose_blocks(forms: NameForms, script: str = "") -> list[int]:
    script = script or forms.script
    loose = LOOSE_FORMS[script]
    blocks = []
    for text in {loose(forms.key), loose(forms.compact)}:
        if text:
            blocks.extend(_loose_halves(script, text))
    return blocks


def _add_halves(text: str, blocks: list[int]) -> None:
    length = len(text)
    if length < 2:
        blocks.append(_key_hash(length, 0, text))
    else:
        half = length // 2
        blocks.append(_key_hash(length, 0, text[:half]))
        blocks.append(_key_hash(length, 1, text[half:]))


def name_blocks(forms: NameForms, *, person: bool = False) -> list[int]:
    """The blocks stored for one name (the import's hot path: no set, no f-string per block).

    ``person``: the name is a person's (pairs of its parts are stored too)."""
    packed = forms.key.replace(" ", "")
    length = len(packed)
    if length < 2:
        blocks = [_key_hash(length, 0, packed)]
    else:
        half = length // 2
        blocks = [_key_hash(length, 0, packed[:half]), _key_hash(length, 1, packed[half:])]
    compact = forms.compact
    if compact != packed:
        # The halves of the compact form (words in order) and of the sorted syllables too, so
        # that one edit in any form the scorer compares keeps a block ("huang yonglin" /
        # "honglin huang" sort apart; their compact forms are one edit apart).
        blocks.append(_prefixed("c:", compact))
        _add_halves(compact, blocks)
    syllables = forms.syllables.replace(" ", "") if forms.han else packed
    if syllables != packed and syllables != compact:
        _add_halves(syllables, blocks)
    if len(forms.han_runs) > 1:
        blocks.append(_prefixed("s:", forms.syllables))
    han = forms.han
    if len(han) >= MIN_HAN_LENGTH:
        size = len(han)
        blocks.append(_prefixed(f"e{size}:", han[0::2]))
        blocks.append(_prefixed(f"o{size}:", han[1::2]))
        blocks.append(_prefixed(f"h{size}:", han[:size // 2]))
    elif person and not han and " " in forms.key:
        blocks.extend(_pair_blocks(forms.key))
    if forms.script:
        blocks.extend(_loose_blocks(forms))
    elif person and not han:
        # A person listed in Latin letters, searched in Arabic, Hebrew or Hangul: the loose
        # forms of this name, which such a query compares.
        for script in LOOSE_FORMS:
            blocks.extend(_loose_blocks(forms, script))
    return blocks


# The key stored beside a block ranks candidates; a name written in an abjad or in Hangul is
# marked, so that the query compares its loose form with that row's only (keys are letters,
# digits and spaces: the mark cannot be part of one).
SCRIPT_MARKS = {"abjad": "~a ", "hangul": "~h "}
MARKED_SCRIPTS = {mark: script for script, mark in SCRIPT_MARKS.items()}


def ranking_key(forms: NameForms) -> str:
    """The key stored with the blocks of ``forms`` (``SCRIPT_MARKS``)."""
    return SCRIPT_MARKS[forms.script] + forms.key if forms.script else forms.key


def identifier_block(value: str) -> int:
    return _prefixed("i:", value)


def entry_blocks(names: Iterable[NameForms], identifiers: Iterable[str] = (), *, person: bool = False) -> dict[int, str]:
    """The blocks stored for one entry, each with the key of the name it came from ("" for an
    identifier's block): the key lets a query rank candidates before reading any entry."""
    blocks: dict[int, str] = {}
    for forms in names:
        if forms:
            for block in name_blocks(forms, person=person):
                blocks.setdefault(block, ranking_key(forms))
    for value in identifiers:
        blocks[identifier_block(value)] = ""
    return blocks


def query_blocks(forms: NameForms, identifiers: Iterable[str] = ()) -> list[int]:
    """Every block that an entry with a name within one edit of ``forms`` may have stored."""
    found: set[int] = set()
    if forms:
        packed = forms.key.replace(" ", "")
        _probe(packed, found)
        # A typo can move a word in the sorted order past a word with the same initial
        # ("remi resources" / "resources reti"): probe with each such pair swapped back.
        words = forms.key.split(" ")
        for i in range(len(words) - 1):
            if words[i][:1] == words[i + 1][:1]:
                swapped = [*words[:i], words[i + 1], words[i], *words[i + 2:]]
                _probe("".join(swapped), found)
        if forms.compact != packed:
            # "Shanghai Hengrui Jingmi Jixie" against 上海恒瑞精密机械, whose key is its compact pinyin.
            _probe(forms.compact, found)
        syllables = forms.syllables.replace(" ", "")
        if forms.han and syllables not in (packed, forms.compact):
            _probe(syllables, found)
        found.add(_hash(f"c:{forms.compact}"))
        if forms.han:
            found.add(_hash(f"s:{forms.syllables}"))
        han = forms.han
        if len(han) >= MIN_HAN_LENGTH:
            _han_blocks(han, found)
        for other in (len(han) - 1, len(han), len(han) + 1):
            if other >= MIN_HAN_LENGTH and len(han) >= other // 2:
                found.add(_hash(f"h{other}:{han[:other // 2]}"))
        if len(han) > MIN_HAN_LENGTH:
            for i in range(len(han)):
                _han_blocks(han[:i] + han[i + 1:], found)
        if 1 < len(forms.han_runs) <= 3 and len(han) >= MIN_HAN_LENGTH:
            # 恒瑞精密机械(上海) against 上海恒瑞精密机械: the runs of characters in every order.
            for order in permutations(forms.han_runs):
                _han_blocks("".join(order), found)
        if not han and " " in forms.key:
            found.update(_pair_blocks(forms.key))
        # Entries written in an abjad or in Hangul, by their loose forms (the query's own
        # script, if any, decides nothing: a Latin query must find an Arabic alias).
        for script, loose in LOOSE_FORMS.items():
            for text in {loose(forms.key), loose(forms.compact)}:
                if text:
                    _probe_loose(script, text, found)
    for value in identifiers:
        found.add(_hash(f"i:{value}"))
    return sorted(found)


def _probe(text: str, found: set[int]) -> None:
    """Add the half-blocks of every stored key, of length within one of ``text``, that
    ``text`` may be one edit away from.

    For a stored length L' and Δ = len(text) − L': if the edit is in the second half, the
    first is intact at place 0; if it is in the first half, the second is intact and
    starts Δ places later (PassJoin's position-aware selection, for one edit).
    """
    length = len(text)
    for other in (length - 1, length, length + 1):
        if other < 1:
            continue
        if other < 2:
            found.add(_key_hash(other, 0, text[:other]))
            continue
        (_, first_size), (second_start, second_size) = _halves(other)
        found.add(_key_hash(other, 0, text[:first_size]))
        start = second_start + length - other
        found.add(_key_hash(other, 1, text[start:start + second_size]))
        if other == length and 0 < first_size < length:
            # Two letters swapped across the middle change both halves: swap them back.
            i = first_size
            swapped = text[:i - 1] + text[i] + text[i - 1] + text[i + 1:]
            found.add(_key_hash(other, 0, swapped[:first_size]))
            found.add(_key_hash(other, 1, swapped[first_size:]))


def _probe_loose(script: str, text: str, found: set[int]) -> None:
    """``_probe`` for the halves of a loose form (``_loose_halves``)."""
    length = len(text)
    for other in (length - 1, length, length + 1):
        if other < 1:
            continue
        if other < 2:
            found.add(_prefixed(f"l{script}{other}:0:", text[:other]))
            continue
        (_, first_size), (second_start, second_size) = _halves(other)
        found.add(_prefixed(f"l{script}{other}:0:", text[:first_size]))
        start = second_start + length - other
        found.add(_prefixed(f"l{script}{other}:1:", text[start:start + second_size]))
