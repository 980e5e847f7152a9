"""The scorecard for many inputs at once, as numpy arrays: the same totals, tiers and bands as ``evaluate``.

``score_many(compiled, inputs_list)`` returns a ``Scores`` of arrays in the order given. It is
for figures over a population (scorecard validation, score stability), where calling
``scoring.evaluate`` once per customer is the cost: here each input key becomes one column,
each derived metric one array expression, each criterion's bands one masked assignment per
band and each knock-out rule one comparison.

Exactly the rules of ``scoring.evaluate`` and ``metrics.derive`` (a property test compares
them on varied inputs): a value that ``derive`` would mark ``Insufficient`` is NaN (numeric)
or None (categorical); the first band in ascending lower-bound order that holds the value
wins; a missing criterion scores nothing and its weight leaves the total; totals and coverage
are rounded with Python's ``round`` (on the distinct values, so it stays cheap), as
``evaluate`` does. Columns whose values are all JSON numbers (or absent) are converted by
numpy; any other value (strings, Decimals, booleans) goes through ``metrics._num`` /
``metrics._date`` one distinct value at a time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from screening.enums import KnockOut
from screening.metrics import _BAD, _date, _num
from screening.scoring import CompiledScorecard

_NUMERIC_KEYS = ("revenue", "net_profit", "total_assets", "total_liabilities", "current_assets",
                 "current_liabilities", "operating_cash_flow", "registered_capital", "industry_risk_class",
                 "top_customer_share", "bureau_score", "overdue_count_24m", "litigation_count")
_PLAIN_TYPES = frozenset({float, int, type(None)})
_ORDINAL_EPOCH = date(1970, 1, 1).toordinal()


@dataclass
class Scores:
    totals: np.ndarray  # float, rounded to 2 decimals as ``evaluate``
    tiers: np.ndarray  # "A" … "D"
    passed: np.ndarray  # bool
    coverage: np.ndarray  # percent, rounded to 1 decimal
    knocked_out: np.ndarray  # bool: some knock-out rule fired
    bins: list[np.ndarray]  # per criterion: the band key ("missing", the category, or "lower:upper")


def _numbers(values: list) -> np.ndarray:
    """Floats; NaN for absent and for unreadable values (``_num`` → None or _BAD)."""
    if not values:
        return np.empty(0, dtype=float)
    if set(map(type, values)) <= _PLAIN_TYPES:
        return np.array(values, dtype=float)  # None → NaN
    converted: dict = {}
    out = np.empty(len(values), dtype=float)
    for i, value in enumerate(values):
        memo = (value.__class__, value)  # True == 1 for a dict, but _num(True) is unreadable
        try:
            number = converted[memo]
        except KeyError:
            found = _num(value)
            number = converted[memo] = np.nan if found is None or found is _BAD else found
        except TypeError:  # unhashable (a list or dict in the JSON): unreadable
            number = np.nan
        out[i] = number
    return out


def _days(values: list) -> np.ndarray:
    """Days since 1970-01-01 as float; NaN for absent or unreadable dates."""
    converted: dict = {}
    out = np.empty(len(values), dtype=float)
    for i, value in enumerate(values):
        memo = (value.__class__, value)
        try:
            day = converted[memo]
        except KeyError:
            found = _date(value)
            day = converted[memo] = (np.nan if found is None or found is _BAD
                                      else float(found.toordinal() - _ORDINAL_EPOCH))
        except TypeError:
            day = np.nan
        out[i] = day
    return out


def _categories(values: list) -> np.ndarray:
    """``derive``'s ``_category``: None for absent or empty, else ``str(value)``."""
    out = np.empty(len(values), dtype=object)
    out[:] = [None if v is None or v == "" else str(v) for v in values]
    return out


def _ratio(numerator: np.ndarray, denominator: np.ndarray, scale: float | None = None) -> np.ndarray:
    valid = ~np.isnan(numerator) & ~np.isnan(denominator) & (denominator != 0)
    out = np.full(len(numerator), np.nan)
    with np.errstate(over="ignore"):  # float division overflows to inf in Python too
        out[valid] = numerator[valid] / denominator[valid]
        if scale is not None:
            out[valid] = out[valid] * scale
    return out


def derive_many(inputs_list: list[dict]) -> dict[str, np.ndarray]:
    """``metrics.derive`` over a list: each metric (plus ``net_assets``) as one array."""
    column = {key: [d.get(key) for d in inputs_list] for key in
              (*_NUMERIC_KEYS, "registration_date", "as_of", "capital_currency", "market_position", "tax_rating")}
    num = {key: _numbers(column[key]) for key in _NUMERIC_KEYS}
    registered, as_of = _days(column["registration_date"]), _days(column["as_of"])
    years = np.full(len(inputs_list), np.nan)
    ok = ~np.isnan(registered) & ~np.isnan(as_of) & (registered <= as_of)
    years[ok] = (as_of[ok] - registered[ok]) / 365.25
    capital = num["registered_capital"].copy()
    foreign = np.array([(c or "CNY") != "CNY" for c in column["capital_currency"]], dtype=bool)
    capital[foreign] = np.nan
    risk_numbers = num["industry_risk_class"]
    risk = np.empty(len(inputs_list), dtype=object)
    risk[:] = [None if v != v else str(int(v)) for v in risk_numbers.tolist()]
    assets, liabilities = num["total_assets"], num["total_liabilities"]
    return {
        "debt_ratio": _ratio(liabilities, assets, 100.0),
        "current_ratio": _ratio(num["current_assets"], num["current_liabilities"]),
        "net_margin": _ratio(num["net_profit"], num["revenue"], 100.0),
        "revenue": num["revenue"],
        "cash_flow_ratio": _ratio(num["operating_cash_flow"], num["current_liabilities"]),
        "years_in_business": years,
        "registered_capital": capital,
        "industry_risk_class": risk,
        "customer_concentration": num["top_customer_share"],
        "market_position": _categories(column["market_position"]),
        "bureau_score": num["bureau_score"],
        "overdue_count": num["overdue_count_24m"],
        "litigation_count": num["litigation_count"],
        "tax_rating": _categories(column["tax_rating"]),
        "net_assets": assets - liabilities,  # NaN when either is
        "_watchlist": np.array([d.get("watchlist_true_match") is True for d in inputs_list], dtype=bool),
    }


def _python_round(values: np.ndarray, digits: int) -> np.ndarray:
    """Python's ``round`` (correctly rounded, unlike ``np.round``) applied to each distinct value."""
    if not len(values):
        return values
    distinct, inverse = np.unique(values, return_inverse=True)
    return np.array([round(float(v), digits) for v in distinct], dtype=float)[inverse.ravel()]


def _knockouts(compiled: CompiledScorecard, values: dict[str, np.ndarray], coverage: np.ndarray) -> np.ndarray:
    fired = np.zeros(len(coverage), dtype=bool)
    for code, params, _check in compiled.knockouts:
        if code == KnockOut.WATCHLIST_TRUE_MATCH:
            fired |= values["_watchlist"]
        elif code == KnockOut.NEGATIVE_NET_ASSETS:
            fired |= values["net_assets"] < 0  # NaN compares False
        elif code == KnockOut.MIN_YEARS_IN_BUSINESS:
            fired |= values["years_in_business"] < params.get("min_years", 1)
        elif code == KnockOut.TAX_RATING:
            ratings = params.get("ratings", ())
            fired |= np.array([r is not None and r in ratings for r in values["tax_rating"]], dtype=bool)
        elif code == KnockOut.BUREAU_SCORE_FLOOR:
            fired |= values["bureau_score"] < params.get("floor", 0)
        elif code == KnockOut.DATA_COVERAGE:
            fired |= coverage < params.get("min_percent", 0)
        else:  # compile_version keeps only the rules above
            raise ValueError(f"no vectorised check for the knock-out rule {code!r}")
    return fired


def score_many(compiled: CompiledScorecard, inputs_list: list[dict]) -> Scores:
    """Totals, tiers, pass/fail, coverage and per-criterion band keys for each of ``inputs_list``."""
    n = len(inputs_list)
    values = derive_many(inputs_list)
    weighted = np.zeros(n)
    scored_weight = np.zeros(n)
    bins: list[np.ndarray] = []
    for criterion in compiled.criteria:
        value = values.get(criterion.metric)
        points = np.full(n, np.nan)
        key = np.full(n, "missing", dtype=object)
        if value is None:
            pass  # a metric derive does not know: insufficient for everyone
        elif criterion.categorical:
            for category, band in criterion.categories.items():
                mask = value == category
                points[mask] = band.points
                key[mask] = category
            # A value no band covers: no points, its band key is "missing" as in ``_band_key``.
        else:
            free = ~np.isnan(value)
            for band in criterion.bands:
                mask = free.copy()
                if band.lower is not None:
                    mask &= value >= band.lower
                if band.upper is not None:
                    mask &= value < band.upper
                points[mask] = band.points
                key[mask] = f"{band.lower}:{band.upper}"
                free &= ~mask
        scored = ~np.isnan(points)
        # Same operations in the same order as ``evaluate``: the sums are bit for bit the same.
        weighted[scored] = weighted[scored] + criterion.weight * points[scored]
        scored_weight[scored] = scored_weight[scored] + criterion.weight
        bins.append(key.astype(str))
    totals = np.zeros(n)
    has = scored_weight != 0
    totals[has] = _python_round(weighted[has] / scored_weight[has], 2)
    if compiled.total_weight:
        coverage = _python_round(100.0 * scored_weight / compiled.total_weight, 1)
    else:
        coverage = np.zeros(n)
    knocked = _knockouts(compiled, values, coverage)
    tiers = np.full(n, "D", dtype="<U1")
    undecided = ~knocked
    for name, threshold in compiled.tier_thresholds:
        mask = undecided & (totals >= threshold)
        tiers[mask] = name
        undecided &= ~mask
    passed = ~knocked & (totals >= compiled.admission_threshold)
    return Scores(totals=totals, tiers=tiers, passed=passed, coverage=coverage, knocked_out=knocked, bins=bins)
