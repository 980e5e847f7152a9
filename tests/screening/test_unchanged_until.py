"""``unchanged_until``: until which date evaluating the same inputs gives the same result."""

import datetime

import pytest

from screening.scoring import KNOCKOUT_CHECKS, CompiledBand, CompiledCriterion, CompiledScorecard, evaluate, unchanged_until
from screening.selectors import published_compiled

D = datetime.date
# Bounds 1, 3, 5 and 10 years within three years of 2026-11-29: 2026-03-01 passes 1 and 3, 2024-12-15 passes 3,
# 2022-01-10 passes 5, 2017-06-30 passes 10.
EXPECTED_CHANGES = 5


def _years_model() -> CompiledScorecard:
    """Years in business only: < 3 → 20 points, [3, 10) → 60, ≥ 10 → 100; knock-out under 1 year."""
    years = CompiledCriterion(
        "years_in_business", "business", "", 1.0, False,
        (CompiledBand(None, 3.0, None, 20), CompiledBand(3.0, 10.0, None, 60), CompiledBand(10.0, None, None, 100)),
        {},
    )
    return CompiledScorecard(
        version_id=None, number=0, admission_threshold=50.0, tier_thresholds=(("A", 80.0), ("B", 60.0), ("C", 40.0)),
        criteria=(years,), knockouts=(("min_years_in_business", {"min_years": 1}, KNOCKOUT_CHECKS["min_years_in_business"]),),
        total_weight=1.0,
    )


@pytest.mark.parametrize(("registered", "as_of", "expected"), [
    # Under one year: the knock-out stops firing on the day the years reach 1 (366 days: 365/365.25 < 1).
    ("2026-01-01", "2026-06-01", D(2027, 1, 2)),
    # Between 1 and 3 years: the next bound is 3 years (1096 days: 1095.75 rounded up).
    ("2024-03-01", "2026-11-29", D(2027, 3, 2)),
    # Between 3 and 10 years: 10 years are 3652.5 days, reached on day 3653.
    ("2020-01-01", "2026-11-29", D(2030, 1, 1)),
    # Ten years or more: no bound ahead.
    ("2001-05-05", "2026-11-29", D.max),
    # No registration date: the date never matters.
    (None, "2026-11-29", D.max),
    ("not a date", "2026-11-29", D.max),
    # Registered after as_of: years become computable on the registration day.
    ("2027-02-01", "2026-11-29", D(2027, 2, 1)),
    # No as_of: unknown.
    ("2020-01-01", None, None),
])
def test_unchanged_until_is_the_next_bound(registered, as_of, expected):
    assert unchanged_until(_years_model(), {"registration_date": registered, "as_of": as_of}) == expected


def _outcome(compiled, inputs):
    result = evaluate(compiled, inputs)
    return (result.total, result.tier, [k.code for k in result.knockouts],
            [(c.metric, c.points, c.problem) for c in result.criteria])


@pytest.mark.parametrize("registered", ["2025-12-31", "2024-02-29", "2023-11-30", "2016-11-30", "2019-06-15"])
def test_same_result_every_day_before_the_date_and_a_different_band_on_it(registered):
    compiled = _years_model()
    start = D(2026, 11, 29)
    until = unchanged_until(compiled, {"registration_date": registered, "as_of": start.isoformat()})
    first = _outcome(compiled, {"registration_date": registered, "as_of": start.isoformat()})
    day = start
    while day < until:
        assert _outcome(compiled, {"registration_date": registered, "as_of": day.isoformat()}) == first, day
        day += datetime.timedelta(days=1)
    assert _outcome(compiled, {"registration_date": registered, "as_of": until.isoformat()}) != first


@pytest.mark.django_db
def test_the_default_model_agrees_with_evaluate_day_by_day():
    compiled = published_compiled()
    base = {"revenue": 5e7, "net_profit": 3e6, "total_assets": 6e7, "total_liabilities": 3e7, "current_assets": 3e7,
            "current_liabilities": 1.5e7, "operating_cash_flow": 4e6, "registered_capital": 2e7, "capital_currency": "CNY",
            "industry_risk_class": 2, "top_customer_share": 30, "market_position": "strong", "bureau_score": 700,
            "overdue_count_24m": 0, "litigation_count": 0, "tax_rating": "A", "watchlist_true_match": False}
    changes = 0
    for registered in ("2026-03-01", "2024-12-15", "2022-01-10", "2017-06-30"):
        day = D(2026, 11, 29)
        end = day + datetime.timedelta(days=3 * 366)
        while day < end:
            inputs = {**base, "registration_date": registered, "as_of": day.isoformat()}
            until = unchanged_until(compiled, inputs)
            assert until is not None and until > day
            first = _outcome(compiled, inputs)
            probe = day
            while probe < min(until, end):
                assert _outcome(compiled, {**inputs, "as_of": probe.isoformat()}) == first, (registered, probe)
                probe += datetime.timedelta(days=1)
            if until >= end:
                break
            assert _outcome(compiled, {**inputs, "as_of": until.isoformat()}) != first
            changes += 1
            day = until
    assert changes == EXPECTED_CHANGES
