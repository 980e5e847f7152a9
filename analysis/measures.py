"""Discrimination and stability statistics of a scorecard, vectorised with numpy. Pure: arrays in, numbers out.

Conventions: a higher score is a better customer; ``bad`` is a boolean array (True = went bad).

- AUC: the probability that a randomly chosen good scores higher than a randomly chosen bad
  (ties count half), from the rank sum (Mann–Whitney U). Gini = 2·AUC − 1.
- KS: the largest gap between the cumulative score distributions of bads and goods.
- Information value of a binned characteristic: Σ (good share − bad share) · ln(good share / bad
  share) over its bins; a bin with no goods or no bads gets 0.5 of a case in the empty cell
  (the usual adjustment, so that one empty bin does not make IV infinite).
- PSI between two score samples over fixed bins: Σ (actual − expected) · ln(actual / expected),
  a share of 0 counting as 0.0001.
"""

from __future__ import annotations

import numpy as np

PSI_FLOOR = 0.0001


def _ranks(values: np.ndarray) -> np.ndarray:
    """1-based ranks, ties given the average of their ranks."""
    order = np.argsort(values, kind="mergesort")
    ordered = values[order]
    first = np.r_[True, ordered[1:] != ordered[:-1]]
    group = np.cumsum(first) - 1
    starts = np.flatnonzero(first)
    ends = np.r_[starts[1:], len(values)]
    average = (starts + ends + 1) / 2.0  # mean of ranks start+1 … end
    ranks = np.empty(len(values), dtype=float)
    ranks[order] = average[group]
    return ranks


def auc(scores: np.ndarray, bad: np.ndarray) -> float:
    scores = np.asarray(scores, dtype=float)
    bad = np.asarray(bad, dtype=bool)
    goods, bads = int((~bad).sum()), int(bad.sum())
    if not goods or not bads:
        raise ValueError("AUC needs goods and bads")
    ranks = _ranks(scores)
    u = ranks[~bad].sum() - goods * (goods + 1) / 2.0
    return float(u / (goods * bads))


def gini(scores: np.ndarray, bad: np.ndarray) -> float:
    return 2.0 * auc(scores, bad) - 1.0


def ks(scores: np.ndarray, bad: np.ndarray) -> tuple[float, float]:
    """(KS statistic, the score where the gap is largest)."""
    scores = np.asarray(scores, dtype=float)
    bad = np.asarray(bad, dtype=bool)
    goods, bads = int((~bad).sum()), int(bad.sum())
    if not goods or not bads:
        raise ValueError("KS needs goods and bads")
    thresholds = np.unique(scores)
    sorted_bad = np.sort(scores[bad])
    sorted_good = np.sort(scores[~bad])
    cum_bad = np.searchsorted(sorted_bad, thresholds, side="right") / bads
    cum_good = np.searchsorted(sorted_good, thresholds, side="right") / goods
    gaps = np.abs(cum_bad - cum_good)
    best = int(np.argmax(gaps))
    return float(gaps[best]), float(thresholds[best])


def information_value(bins: np.ndarray, bad: np.ndarray) -> float:
    """``bins``: one label per case (any hashable values, e.g. band index or "missing")."""
    bins = np.asarray(bins)
    bad = np.asarray(bad, dtype=bool)
    goods, bads = int((~bad).sum()), int(bad.sum())
    if not goods or not bads:
        raise ValueError("IV needs goods and bads")
    labels, index = np.unique(bins, return_inverse=True)
    good_counts = np.bincount(index[~bad], minlength=len(labels)).astype(float)
    bad_counts = np.bincount(index[bad], minlength=len(labels)).astype(float)
    empty = (good_counts == 0) | (bad_counts == 0)
    good_counts[empty & (good_counts == 0)] = 0.5
    bad_counts[empty & (bad_counts == 0)] = 0.5
    good_share = good_counts / good_counts.sum()
    bad_share = bad_counts / bad_counts.sum()
    return float(np.sum((good_share - bad_share) * np.log(good_share / bad_share)))


def psi(expected: np.ndarray, actual: np.ndarray, edges: np.ndarray) -> float:
    """Population stability of ``actual`` against ``expected`` over bins ``[edges[i], edges[i+1])`` (last closed)."""
    expected = np.asarray(expected, dtype=float)
    actual = np.asarray(actual, dtype=float)
    if not len(expected) or not len(actual):
        raise ValueError("PSI needs two samples")
    e = np.histogram(expected, bins=edges)[0] / len(expected)
    a = np.histogram(actual, bins=edges)[0] / len(actual)
    e = np.where(e == 0, PSI_FLOOR, e)
    a = np.where(a == 0, PSI_FLOOR, a)
    return float(np.sum((a - e) * np.log(a / e)))


def bad_rates(groups: np.ndarray, bad: np.ndarray, labels: list) -> list[tuple[object, int, int, float | None]]:
    """(label, cases, bads, bad rate %) per label, in the order given."""
    groups = np.asarray(groups)
    bad = np.asarray(bad, dtype=bool)
    found = []
    for label in labels:
        mask = groups == label
        cases, bads = int(mask.sum()), int((mask & bad).sum())
        found.append((label, cases, bads, round(100.0 * bads / cases, 1) if cases else None))
    return found
