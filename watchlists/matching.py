"""Fuzzy search of the watchlists: one ``search`` function for the app, commands and benchmark.

Two steps, so that a query never scores a million entries:

1. **Candidates.** On PostgreSQL, the entries sharing a block with the query
   (``watchlists.blocking``: pieces of the normalised names, and identifiers, in a
   B-tree-indexed table per source); of those, the ``WATCHLIST_CANDIDATE_LIMIT`` most
   alike by key go on. On SQLite (the embedded ``make run``) every entry's keys are
   looked at with rapidfuzz in C — fine for the demo's lists, not for a million entries.
2. **Scoring.** Each candidate name is normalised again and scored with rapidfuzz against
   the query: the best of the sorted-word key, the sorted syllables, the compact form in
   order, and — when both are Chinese — the characters themselves. Identifiers
   (registration numbers, credit codes) that match exactly score 100.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from django.db import connection
from rapidfuzz import fuzz, process

from watchlists import conf
from watchlists.blocking import BLOCK_TABLE, MARKED_SCRIPTS, query_blocks
from watchlists.enums import EntityType
from watchlists.models import WatchlistEntry, WatchlistSource
from watchlists.normalise import (
    LOOSE_FORMS,
    SUBSET_MAX_PARTS,
    NameForms,
    looks_like_identifier,
    name_parts,
    normalise,
    normalise_identifier,
    skeleton,
)

# When both names are Chinese but their characters differ, a pinyin-only agreement (a
# homophone such as 张伟 / 章伟, the usual typing slip with a pinyin keyboard) is likely but
# not certain: it scores a little below the same characters.
HOMOPHONE_FACTOR = 0.95
# An alias the list itself marks as weak (low quality: OFAC's weak a.k.a., the UN's "Low")
# is found, but scores below the same name given as a strong alias.
WEAK_ALIAS_FACTOR = 0.9
# Names that differ in a number are different names ("Snow Storm 1" / "Snow Storm 2"): when
# both carry numbers and these differ, the score is multiplied by this (well below 85).
NUMBER_FACTOR = 0.75
# A person's name whose parts are all among the other's parts ("Vladimir Putin" against
# "PUTIN, Vladimir Vladimirovich"): a likely match, scored this (see ``subset_score``).
SUBSET_SCORE = 90.0
# A loose form (consonant skeleton for Arabic and Hebrew, a folded romanisation for Hangul)
# agreeing counts this much of itself: transliteration loses information.
LOOSE_FACTOR = 0.95
# ... and this much more when the two skeletons have a different number of parts.
LOOSE_PARTS_FACTOR = 0.9


@dataclass(frozen=True, slots=True)
class Match:
    entry_id: int
    name: str
    matched_name: str
    score: float
    source: str
    external_id: str
    entity_type: str
    country: str
    program: str
    via: str  # "name" or "identifier"
    fingerprint: str = ""  # of the entry's content (``WatchlistEntry.fingerprint``)

    def as_json(self) -> dict:
        """The ``screen --json`` contract: exactly these keys (``list_entry_id``: the id in the list)."""
        data = asdict(self)
        found = {key: data[key] for key in ("entry_id", "name", "matched_name", "score", "source")}
        found["list_entry_id"] = self.external_id
        return found


def score_forms(query: NameForms, candidate: NameForms, *, person: bool = False) -> float:
    """0–100: how alike two normalised names are (see the module docstring).

    ``person``: the candidate is a person, so that a subset of its name parts is a likely
    match (``subset_score``).
    """
    if not query or not candidate:
        return 0.0
    best = max(
        fuzz.ratio(query.key, candidate.key),
        fuzz.ratio(query.syllables, candidate.syllables),
        fuzz.ratio(query.compact, candidate.compact),
    )
    if query.han and candidate.han:
        if query.han == candidate.han:
            best = 100.0
        else:
            best = max(fuzz.ratio(query.han, candidate.han), best * HOMOPHONE_FACTOR)
    elif best < 100.0:
        script = "abjad" if "abjad" in (query.script, candidate.script) else (query.script or candidate.script)
        if script == "abjad" and not query.han and not candidate.han:
            a, b = skeleton(query.key), skeleton(candidate.key)
            loose = fuzz.ratio(a, b) * LOOSE_FACTOR
            if a.count(" ") != b.count(" "):
                # A name with one part more is, in Arabic naming, often a son's (own name +
                # father's): "Ali Saddam Hussein al-Tikriti" against صدام حسين التكريتي.
                loose *= LOOSE_PARTS_FACTOR
            best = max(best, loose)
        elif script and not query.han and not candidate.han:
            loose_form = LOOSE_FORMS[script]
            best = max(
                best,
                fuzz.ratio(loose_form(query.key), loose_form(candidate.key)) * LOOSE_FACTOR,
                fuzz.ratio(loose_form(query.compact), loose_form(candidate.compact)) * LOOSE_FACTOR,
            )
        if person and best < SUBSET_SCORE and not query.han and not candidate.han:
            best = max(best, subset_score(query.key, candidate.key))
    if best and _DIGITS_RE.search(query.key) and _DIGITS_RE.search(candidate.key) and (
        numbers(query.key) != numbers(candidate.key)
    ):
        best *= NUMBER_FACTOR
    return best


_DIGITS_RE = re.compile(r"\d")


def numbers(key: str) -> tuple[str, ...]:
    """The words of a key that carry a digit, in order ("1", "2nd", "a320")."""
    return tuple(word for word in key.split() if _DIGITS_RE.search(word))


def subset_score(query_key: str, candidate_key: str) -> float:
    """``SUBSET_SCORE`` when the parts of one name are all among the other's, else 0.

    Each part of the shorter name must be a distinct part of the longer one, or its initial
    (one letter); at least two must be whole, equal words (so that the candidate index,
    which stores a block per pair of parts, finds every such pair); the longer name has more
    parts, at most ``SUBSET_MAX_PARTS``. A different given name with the same surname
    ("Lyudmila Putina", "Sergei Petrov" against "Ivan Petrov") is not a subset.
    """
    shorter, longer = name_parts(query_key), name_parts(candidate_key)
    if len(shorter) > len(longer):
        shorter, longer = longer, shorter
    if len(shorter) < 2 or len(longer) == len(shorter) or len(longer) > SUBSET_MAX_PARTS:
        return 0.0
    remaining = list(longer)
    whole = 0
    initials = []
    for part in shorter:
        if len(part) == 1:
            initials.append(part)
        elif part in remaining:
            remaining.remove(part)
            whole += 1
        else:
            return 0.0
    for initial in initials:
        found = next((word for word in remaining if word[0] == initial), None)
        if found is None:
            return 0.0
        remaining.remove(found)
    return SUBSET_SCORE if whole >= 2 else 0.0




def score_names(query: str, candidate: str, *, person: bool = False) -> float:
    return round(score_forms(normalise(query), normalise(candidate), person=person), 1)


def search(
    name: str,
    *,
    country: str | None = None,
    limit: int = 10,
    identifiers: Iterable[str] = (),
    threshold: float | None = None,
    entity_type: str | None = None,
) -> list[Match]:
    """Watchlist entries that match ``name`` (or one of ``identifiers``), best first.

    Only matches scoring at least ``threshold`` (default ``WATCHLIST_MATCH_THRESHOLD``) are
    returned, at most ``limit``, one per entry with the name or alias that scored best;
    an identifier (registration number, credit code) that matches exactly scores 100.
    ``country`` (ISO code) leaves out entries listed for other countries; entries without a
    country stay in. ``entity_type`` ("company" or "person") keeps only that kind. A
    ``name`` that looks like a registration number is also looked up as an identifier.
    """
    threshold = conf.match_threshold() if threshold is None else threshold
    wanted = sorted({normalise_identifier(value) for value in identifiers} - {""})
    if looks_like_identifier(name):
        wanted.append(normalise_identifier(name))
    query = normalise(name)
    if not query and not wanted:
        return []

    best: dict[int, tuple[float, str, str]] = {}  # entry id -> (score, matched name, via)
    entry_ids = _candidates(query, wanted)
    if not entry_ids:
        return []
    rows = WatchlistEntry.objects.filter(pk__in=entry_ids).values_list(
        "pk", "identifier_keys", "name", "aliases", "weak_aliases", "entity_type"
    )
    for entry_id, identifier_keys, entry_name, aliases, weak_aliases, kind in rows:
        person = kind == EntityType.PERSON
        for value in wanted:
            if f"|{value}|" in identifier_keys:
                best[entry_id] = (100.0, value, "identifier")
        if entry_id in best or not query:
            continue
        for text in (entry_name, *aliases):
            score = round(score_forms(query, normalise(text), person=person), 1)
            if score >= threshold and score > best.get(entry_id, (-1.0,))[0]:
                best[entry_id] = (score, text, "name")
        for text in weak_aliases:
            score = round(score_forms(query, normalise(text), person=person) * WEAK_ALIAS_FACTOR, 1)
            if score >= threshold and score > best.get(entry_id, (-1.0,))[0]:
                best[entry_id] = (score, text, "name")
    if not best:
        return []
    return _matches(best, country=country, entity_type=entity_type, limit=limit)


def _matches(best: dict[int, tuple[float, str, str]], *, country, entity_type, limit: int) -> list[Match]:
    ranked = sorted(best.items(), key=lambda item: (-item[1][0], item[0]))
    country = (country or "").strip().upper()
    matches: list[Match] = []
    # Entries are read a page at a time: the filters may drop some, and the best usually suffice.
    page = max(limit * 2, 20)
    for offset in range(0, len(ranked), page):
        batch = ranked[offset:offset + page]
        entries = {
            row["pk"]: row
            for row in WatchlistEntry.objects.filter(pk__in=[entry_id for entry_id, _ in batch]).values(
                "pk", "name", "external_id", "entity_type", "country", "program", "source__name", "fingerprint"
            )
        }
        for entry_id, (score, matched_name, via) in batch:
            entry = entries.get(entry_id)
            if entry is None:  # replaced by an import since the candidates were read
                continue
            # Lists that give country names (OFAC, UN, UK) are not filtered by an ISO code.
            codes = [code for code in entry["country"].split(";") if len(code) == 2]
            if country and codes and country not in codes:
                continue
            if entity_type and entry["entity_type"] != entity_type:
                continue
            matches.append(Match(
                entry_id=entry_id, name=entry["name"], matched_name=matched_name, score=score,
                source=entry["source__name"], external_id=entry["external_id"], entity_type=entry["entity_type"],
                country=entry["country"], program=entry["program"], via=via, fingerprint=entry["fingerprint"],
            ))
            if len(matches) >= limit:
                return matches
    return matches


def _candidates(query: NameForms, identifiers: list[str]) -> list[int]:
    """Ids of the entries worth scoring: the ``WATCHLIST_CANDIDATE_LIMIT`` most alike to the
    query by key among those sharing a block with it, and every entry with one of the
    identifiers (to be confirmed against the entry)."""
    if connection.vendor == "postgresql":
        rows = _rows_sharing_blocks(query, identifiers)
    else:
        rows = _rows_scanned(query, identifiers)
    by_identifier = {entry_id for entry_id, key in rows if not key}
    named = [(entry_id, key) for entry_id, key in rows if key]
    limit = conf.candidate_limit()
    if not query:
        return list(by_identifier)
    if len({entry_id for entry_id, _key in named}) > limit:
        # Rank by the better of key-to-key and compact-to-key similarity (rapidfuzz loops in C).
        keys = [key for _entry_id, key in named]
        likeness = [0.0] * len(keys)
        for form in {query.key, query.compact}:
            for _choice, score, index in process.extract(form, keys, scorer=fuzz.ratio, limit=None):
                if score > likeness[index]:
                    likeness[index] = score
        if query.script:
            # A transliterated name: its loose form is what may agree, with any row.
            loose = LOOSE_FORMS[query.script]
            for index, key in enumerate(keys):
                plain = key[3:] if key[:1] == "~" else key
                likeness[index] = max(likeness[index], fuzz.ratio(loose(query.key), loose(plain)) * LOOSE_FACTOR)
        elif not query.han:
            # Rows of names written in an abjad or in Hangul (marked: blocking.SCRIPT_MARKS) by
            # their loose forms, and persons whose parts the query's are among (a query in
            # Chinese characters has neither rule).
            parts = name_parts(query.key)
            for index, key in enumerate(keys):
                if key[:1] == "~":
                    loose = LOOSE_FORMS[MARKED_SCRIPTS[key[:3]]]
                    plain = key[3:]
                    likeness[index] = max(
                        likeness[index], fuzz.ratio(loose(query.key), loose(plain)) * LOOSE_FACTOR,
                        fuzz.ratio(loose(query.compact), loose(plain.replace(" ", ""))) * LOOSE_FACTOR,
                    )
                elif (
                    len(parts) >= 2 and likeness[index] < SUBSET_SCORE and " " in key
                    and sum(part in key for part in parts) >= 2 and subset_score(query.key, key)
                ):
                    likeness[index] = SUBSET_SCORE
        order = sorted(range(len(named)), key=likeness.__getitem__, reverse=True)
        best: dict[int, None] = {}
        for index in order:
            best.setdefault(named[index][0])
            if len(best) >= limit:
                break
        chosen = list(best)
    else:
        chosen = list(dict.fromkeys(entry_id for entry_id, _key in named))
    return [*chosen, *(by_identifier - set(chosen))]


def _rows_sharing_blocks(query: NameForms, identifiers: list[str]) -> list[tuple[int, str]]:
    """(entry id, key) of every block row the query's blocks find, in every source."""
    tables = [
        table for table in WatchlistSource.objects.exclude(index_table="").values_list("index_table", flat=True)
        if BLOCK_TABLE.fullmatch(table)
    ]
    if not tables:
        return []
    blocks = query_blocks(query, identifiers)
    # Table names come from WatchlistSource and were checked against BLOCK_TABLE above.
    sql = " UNION ALL ".join(f"SELECT entry_id, key FROM {table} WHERE block = ANY(%s)" for table in tables)  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} LIMIT %s", [*([blocks] * len(tables)), _FETCH_CAP])  # noqa: S608
        return cursor.fetchall()


# A generous cap guards against a pathological query; the best by key are scored in full.
_FETCH_CAP = 50_000


# Without an index (SQLite): a key must be at least this alike (rapidfuzz ratio) to be scored.
SCAN_CUTOFF = 50.0


def _rows_scanned(query: NameForms, identifiers: list[str]) -> list[tuple[int, str]]:
    """Without the block tables: look at every entry's keys with rapidfuzz (C code)."""
    found: list[tuple[int, str]] = []
    rows = WatchlistEntry.objects.order_by().values_list("pk", "keys", "identifier_keys")
    for entry_id, keys, identifier_keys in rows.iterator(chunk_size=5000):
        if any(f"|{v}|" in identifier_keys for v in identifiers):
            found.append((entry_id, ""))
        if not query:
            continue
        for line in keys.split("\n"):
            if fuzz.ratio(query.key, line, score_cutoff=SCAN_CUTOFF) or fuzz.ratio(
                query.compact, line.replace(" ", ""), score_cutoff=SCAN_CUTOFF
            ) or subset_score(query.key, line) or any(
                fuzz.ratio(loose(query.key), loose(line), score_cutoff=SCAN_CUTOFF) for loose in LOOSE_FORMS.values()
            ):
                found.append((entry_id, line))
    return found
