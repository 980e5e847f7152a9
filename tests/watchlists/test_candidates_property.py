"""The candidate step against a brute-force scan: what the scorer puts at or above the
threshold, ``search`` must return.

On a sample of the synthetic benchmark (watchlists.synthetic: its entries and its queries,
plus queries made of two parts of a listed person's name, the subset rule of issue 11), every
entry that a brute-force scan of the whole list scores at or above the threshold must come out
of ``search`` (blocks, then ranking, then scoring), with the same score — for every pair within
one edit in a form the scorer compares (sorted key, compact form, sorted syllables), every
subset of a person's name parts, every transliterated name. What the index does not guarantee
(two or more edits spread over both halves of every form, measured here: 6 of 270 pairs) is
reported in docs/performance.md and must not grow.
"""

import io
import random

import pytest
from rapidfuzz.distance import Levenshtein

from watchlists import conf, synthetic
from watchlists.enums import EntityType, SourceFormat
from watchlists.matching import WEAK_ALIAS_FACTOR, score_forms, search, subset_score
from watchlists.models import WatchlistEntry
from watchlists.normalise import normalise
from watchlists.services import watchlist_import

pytestmark = pytest.mark.django_db

ENTRIES = 2500
QUERIES = 250


def _brute_force(query_text: str, rows, threshold: float) -> dict[int, float]:
    query = normalise(query_text)
    found = {}
    for entry_id, names, weak, person in rows:
        best = max((round(score_forms(query, forms, person=person), 1) for forms in names), default=0.0)
        weak_best = max(
            (round(score_forms(query, forms, person=person) * WEAK_ALIAS_FACTOR, 1) for forms in weak), default=0.0
        )
        score = max(best, weak_best)
        if score >= threshold:
            found[entry_id] = score
    return found


def test_search_finds_every_pair_a_brute_force_scan_scores_above_the_threshold():
    out = io.StringIO()
    queries = synthetic.build(entries=ENTRIES, queries=QUERIES, out=out, seed=11)
    watchlist_import(file=io.BytesIO(out.getvalue().encode()), source_name="property sample",
                     file_format=SourceFormat.CSV, workers=0)
    rows = [
        (entry.pk, [normalise(n) for n in (entry.name, *entry.aliases)], [normalise(n) for n in entry.weak_aliases],
         entry.entity_type == EntityType.PERSON)
        for entry in WatchlistEntry.objects.all()
    ]
    texts = [query.text for query in queries]
    # Subsets of listed persons' names (two of three or more parts, or a part added).
    rng = random.Random(5)
    persons = [e for e in WatchlistEntry.objects.filter(entity_type=EntityType.PERSON) if e.name.isascii()]
    for entry in rng.sample(persons, min(40, len(persons))):
        parts = entry.name.split()
        texts.append(" ".join(rng.sample(parts, 2)) if len(parts) >= 3 else f"{entry.name} Ivanovich")
    threshold = conf.match_threshold()
    lost = []
    checked = 0
    for text in texts:
        expected = _brute_force(text, rows, threshold)
        checked += len(expected)
        found = {m.entry_id: m.score for m in search(text, limit=100_000, threshold=threshold)}
        lost += [(text, entry_id, score) for entry_id, score in expected.items() if found.get(entry_id) != score]
    assert checked > len(texts) // 2  # most queries have pairs above the threshold: the test tests something
    names = {entry_id: (forms, person) for entry_id, forms, _weak, person in rows}
    guaranteed = [
        (text, entry_id, score) for text, entry_id, score in lost
        if any(_within_one_edit(normalise(text), forms, person=names[entry_id][1]) for forms in names[entry_id][0])
    ]
    assert guaranteed == []
    # Measured on this sample (seed 11): 6 of the 270 pairs above the threshold (2.2%), all
    # with two or more edits in every compared form (docs/performance.md). A new loss is a
    # regression of the index.
    assert len(lost) <= 6, "\n".join(map(repr, lost))
    print(f"pairs above the threshold: {checked}, lost by the candidate step: {len(lost)}")


def _within_one_edit(query, forms, *, person: bool) -> bool:
    pairs = [(query.key.replace(" ", ""), forms.key.replace(" ", "")), (query.compact, forms.compact),
             (query.syllables.replace(" ", ""), forms.syllables.replace(" ", ""))]
    subset = person and not query.han and not forms.han and subset_score(query.key, forms.key)
    return any(Levenshtein.distance(a, b) <= 1 for a, b in pairs) or bool(subset)
