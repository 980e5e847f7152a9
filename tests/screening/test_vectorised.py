"""The vectorised scorer gives exactly what ``evaluate`` gives, customer by customer (property test)."""

from decimal import Decimal

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from screening.scoring import KNOCKOUT_CHECKS, CompiledBand, CompiledCriterion, CompiledScorecard, evaluate
from screening.selectors import published_compiled
from screening.vectorised import score_many


def _band_key(result, index):
    band = result.criteria[index].band
    if band is None:
        return "missing"
    return band.category if band.category is not None else f"{band.lower}:{band.upper}"


def _odd_model() -> CompiledScorecard:
    """A draft-like model: a gap between bands, an open lower band, a zero weight, a category no band names."""
    debt = CompiledCriterion("debt_ratio", "financial", "", 3.0, False,
                             (CompiledBand(None, 40.0, None, 100), CompiledBand(50.0, 80.0, None, 55),
                              CompiledBand(80.0, None, None, 0)), {})
    years = CompiledCriterion("years_in_business", "business", "", 2.0, False,
                              (CompiledBand(0.0, 3.0, None, 20), CompiledBand(3.0, 10.0, None, 70),
                               CompiledBand(10.0, None, None, 100)), {})
    margin = CompiledCriterion("net_margin", "financial", "", 0.0, False, (CompiledBand(None, None, None, 100),), {})
    capital = CompiledCriterion("registered_capital", "business", "", 1.5, False,
                                (CompiledBand(None, 1e7, None, 30), CompiledBand(1e7, None, None, 90)), {})
    risk = CompiledCriterion("industry_risk_class", "business", "", 1.0, True, (),
                             {"1": CompiledBand(None, None, "1", 100), "2": CompiledBand(None, None, "2", 80),
                              "5": CompiledBand(None, None, "5", 0)})
    tax = CompiledCriterion("tax_rating", "credit", "", 1.0, True, (),
                            {"A": CompiledBand(None, None, "A", 100), "B": CompiledBand(None, None, "B", 60)})
    knockouts = (("watchlist_true_match", {}), ("negative_net_assets", {}), ("min_years_in_business", {"min_years": 2}),
                 ("tax_rating", {"ratings": ["D", "C"]}), ("bureau_score_floor", {"floor": 560}),
                 ("data_coverage", {"min_percent": 70}))
    criteria = (debt, years, margin, capital, risk, tax)
    return CompiledScorecard(
        version_id=None, number=0, admission_threshold=55.0, tier_thresholds=(("A", 85.0), ("B", 70.0), ("C", 55.0)),
        criteria=criteria, knockouts=tuple((c, p, KNOCKOUT_CHECKS[c]) for c, p in knockouts),
        total_weight=sum(c.weight for c in criteria),
    )


ABSENT = object()
_money = st.one_of(st.floats(min_value=-5e7, max_value=5e8, allow_nan=False), st.integers(-10**8, 10**9),
                   st.sampled_from([0, 0.0, 1e7, 5e7, 1e8, -1.0]))
_odd = st.sampled_from([None, "", "12.5", "1e7", "abc", True, False, Decimal("3.25"), "0", [1]])
_number = st.one_of(_money, _odd)
_small = st.one_of(st.integers(0, 900), st.floats(0, 100, allow_nan=False), st.sampled_from([560, 559.99, 30, 50.0]),
                   _odd)
_date = st.one_of(st.dates().map(lambda d: d.isoformat()),
                  st.sampled_from(["2020-01-01", "2026-06-30", "2024-02-29", "20200101", "not a date", "", None, 7]))
_keys = {
    "revenue": _number, "net_profit": _number, "total_assets": _number, "total_liabilities": _number,
    "current_assets": _number, "current_liabilities": _number, "operating_cash_flow": _number,
    "registered_capital": _number, "registration_date": _date, "as_of": _date,
    "capital_currency": st.sampled_from(["CNY", "USD", None, ""]),
    "industry_risk_class": st.one_of(st.integers(1, 5), st.sampled_from([2.0, "3", "x", None, True])),
    "top_customer_share": _small, "market_position": st.sampled_from(["leader", "strong", "average", "weak", "", None, 3]),
    "bureau_score": _small, "overdue_count_24m": _small, "litigation_count": _small,
    "tax_rating": st.sampled_from(["A", "B", "M", "C", "D", "", None]),
    "watchlist_true_match": st.sampled_from([False, True, None, "true", 1]),
}
inputs = st.fixed_dictionaries({}, optional={key: value for key, value in _keys.items()})


def _assert_same(compiled, population):
    found = score_many(compiled, population)
    for i, one in enumerate(population):
        expected = evaluate(compiled, one)
        assert found.totals[i] == expected.total, one
        assert found.tiers[i] == expected.tier, one
        assert bool(found.passed[i]) == expected.passed, one
        assert found.coverage[i] == expected.coverage, one
        assert bool(found.knocked_out[i]) == bool(expected.knockouts), one
        assert [str(b[i]) for b in found.bins] == [_band_key(expected, c) for c in range(len(compiled.criteria))], one


@settings(max_examples=200, deadline=None)
@given(st.lists(inputs, min_size=0, max_size=25))
def test_same_as_evaluate_on_a_model_with_gaps_and_every_knockout(population):
    _assert_same(_odd_model(), population)


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(population=st.lists(inputs, min_size=1, max_size=25))
def test_same_as_evaluate_on_the_published_model(population):
    _assert_same(published_compiled(), population)


def test_worked_example_and_empty_population():
    """The docs/scorecard.md company: 86.3 points, tier A; nothing in, empty arrays out."""
    from tests.monitoring.factories import BASE_INPUTS

    model = _odd_model()
    found = score_many(model, [BASE_INPUTS, {}])
    assert [float(t) for t in found.totals] == [evaluate(model, BASE_INPUTS).total, 0.0]
    assert list(found.tiers) == [evaluate(model, BASE_INPUTS).tier, "D"]
    assert list(found.coverage) == [evaluate(model, BASE_INPUTS).coverage, 0.0]
    empty = score_many(model, [])
    assert empty.totals.shape == (0,) and empty.tiers.shape == (0,) and np.asarray(empty.bins[0]).shape == (0,)


@pytest.mark.django_db
def test_published_model_worked_example():
    from tests.monitoring.factories import BASE_INPUTS

    found = score_many(published_compiled(), [{**BASE_INPUTS, "as_of": "2026-06-30"}])
    assert (float(found.totals[0]), str(found.tiers[0]), bool(found.passed[0])) == (86.3, "A", True)
