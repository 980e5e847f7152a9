"""AUC, Gini, KS, IV and PSI on small hand-computed examples, each checked against an independent computation."""

import itertools
import math

import numpy as np
import pytest

from analysis.measures import auc, bad_rates, gini, information_value, ks, psi

# Five goods and four bads; one tie between a good and a bad at 60.
SCORES = np.array([90, 80, 75, 60, 55, 60, 50, 45, 30], dtype=float)
BAD = np.array([False, False, False, False, False, True, True, True, True])


def pairwise_auc(scores, bad):
    """Independent: count every (good, bad) pair, ties half."""
    goods = [s for s, b in zip(scores, bad, strict=True) if not b]
    bads = [s for s, b in zip(scores, bad, strict=True) if b]
    wins = sum(1.0 if g > b else 0.5 if g == b else 0.0 for g, b in itertools.product(goods, bads))
    return wins / (len(goods) * len(bads))


def test_auc_and_gini_by_hand():
    # Pairs: 20. Goods 90, 80, 75 beat all 4 bads (12); 60 beats 50, 45, 30 and ties 60 (3.5);
    # 55 beats 50, 45, 30 (3). (12 + 3.5 + 3) / 20 = 0.925.
    assert auc(SCORES, BAD) == pytest.approx(0.925)
    assert auc(SCORES, BAD) == pytest.approx(pairwise_auc(SCORES, BAD))
    assert gini(SCORES, BAD) == pytest.approx(0.85)


def test_auc_on_random_data_matches_the_pairwise_count():
    rng = np.random.default_rng(7)
    scores = rng.integers(0, 20, 200).astype(float)  # many ties
    bad = rng.random(200) < 0.3
    assert auc(scores, bad) == pytest.approx(pairwise_auc(scores, bad))


def brute_ks(scores, bad):
    """Independent: for each candidate threshold t, |share of bads ≤ t − share of goods ≤ t|."""
    goods = [s for s, b in zip(scores, bad, strict=True) if not b]
    bads = [s for s, b in zip(scores, bad, strict=True) if b]
    return max(abs(sum(b <= t for b in bads) / len(bads) - sum(g <= t for g in goods) / len(goods)) for t in scores)


def test_ks_by_hand():
    # At 50: three of four bads are ≤ 50 and no good is: 0.75. At 55: 3/4 − 1/5 = 0.55;
    # at 60: 4/4 − 2/5 = 0.6. The largest gap is 0.75, at 50.
    statistic, at = ks(SCORES, BAD)
    assert (statistic, at) == (pytest.approx(0.75), 50.0)
    assert statistic == pytest.approx(brute_ks(SCORES, BAD))


def test_information_value_by_hand():
    bins = np.array(["high", "high", "high", "low", "low", "low", "low", "low", "missing"])
    bad = np.array([False, False, True, False, False, True, True, False, True])
    # goods: high 2, low 3, missing 0 → 0.5 (adjusted); bads: high 1, low 2, missing 1.
    good = {"high": 2, "low": 3, "missing": 0.5}
    bads = {"high": 1, "low": 2, "missing": 1}
    total_good, total_bad = sum(good.values()), sum(bads.values())
    expected = sum(
        (good[k] / total_good - bads[k] / total_bad) * math.log((good[k] / total_good) / (bads[k] / total_bad))
        for k in good
    )
    assert information_value(bins, bad) == pytest.approx(expected)
    # high: (2/5.5 − 1/4)·ln((2/5.5)/(1/4)) = 0.04257; low: (3/5.5 − 2/4)·ln(…) = 0.00396;
    # missing: (0.5/5.5 − 1/4)·ln((0.5/5.5)/(1/4)) = 0.16094.
    assert information_value(bins, bad) == pytest.approx(0.2075, abs=1e-4)


def test_psi_by_hand():
    edges = np.array([0, 50, 100])
    expected = np.array([10, 20, 60, 70, 80])  # 2/5 below 50, 3/5 above
    actual = np.array([10, 20, 30, 60])  # 3/4 below, 1/4 above
    by_hand = (0.75 - 0.4) * math.log(0.75 / 0.4) + (0.25 - 0.6) * math.log(0.25 / 0.6)
    assert psi(expected, actual, edges) == pytest.approx(by_hand)
    assert psi(expected, actual, edges) == pytest.approx(0.5264, abs=1e-4)
    assert psi(expected, expected, edges) == 0.0
    # The upper edge belongs to the last bin; an empty bin counts as 0.0001 of the sample.
    assert psi(np.array([100.0]), np.array([10.0]), edges) == pytest.approx(
        (1 - 0.0001) * math.log(1 / 0.0001) + (0.0001 - 1) * math.log(0.0001 / 1))


def test_bad_rates():
    assert bad_rates(np.array(["A", "A", "B", "B", "B"]), np.array([False, True, True, True, False]),
                     ["A", "B", "C"]) == [("A", 2, 1, 50.0), ("B", 3, 2, 66.7), ("C", 0, 0, None)]


def test_one_class_only_is_refused():
    with pytest.raises(ValueError):
        auc(np.array([1.0, 2.0]), np.array([False, False]))
