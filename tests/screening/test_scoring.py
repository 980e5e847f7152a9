"""Exact scores for hand-computed examples: a tiny model built by hand, then the default model."""

import pytest

from screening.metrics import MISSING, ZERO_DIVISOR
from screening.scoring import (
    KNOCKOUT_CHECKS,
    CompiledBand,
    CompiledCriterion,
    CompiledScorecard,
    EvaluationResult,
    evaluate,
)
from screening.selectors import published_compiled


def _tiny_model(*knockouts) -> CompiledScorecard:
    """Debt ratio (weight 3) and tax rating (weight 1); A ≥ 80, B ≥ 60, C ≥ 40; admission 50."""
    debt = CompiledCriterion(
        "debt_ratio", "financial", "", 3.0, False,
        (CompiledBand(None, 50.0, None, 100), CompiledBand(50.0, 80.0, None, 50), CompiledBand(80.0, None, None, 0)),
        {},
    )
    tax = CompiledCriterion(
        "tax_rating", "credit", "", 1.0, True, (),
        {"A": CompiledBand(None, None, "A", 100), "B": CompiledBand(None, None, "B", 60),
         "D": CompiledBand(None, None, "D", 0)},
    )
    return CompiledScorecard(
        version_id=None, number=0, admission_threshold=50.0,
        tier_thresholds=(("A", 80.0), ("B", 60.0), ("C", 40.0)), criteria=(debt, tax),
        knockouts=tuple((code, params, KNOCKOUT_CHECKS[code]) for code, params in knockouts), total_weight=4.0,
    )


ALL_TINY_KNOCKOUTS = (
    ("negative_net_assets", {}), ("tax_rating", {"ratings": ["D"]}), ("data_coverage", {"min_percent": 50}),
)


def test_evaluate_weights_band_points_into_the_total():
    # debt 60/100 = 60% → band [50, 80) → 50 points; tax B → 60; (3×50 + 1×60) / 4 = 52.5 → tier C, passes.
    result = evaluate(_tiny_model(*ALL_TINY_KNOCKOUTS), {"total_assets": 100, "total_liabilities": 60,
                                                          "tax_rating": "B"})
    assert [(c.metric, c.points, round(c.contribution, 2)) for c in result.criteria] == [
        ("debt_ratio", 50, 37.5), ("tax_rating", 60, 15.0),
    ]
    assert (result.total, result.tier, result.passed, result.coverage, result.knockouts) == (52.5, "C", True, 100.0, [])


def test_evaluate_band_edges_lower_inclusive_upper_exclusive():
    model = _tiny_model()
    at_50 = evaluate(model, {"total_assets": 100, "total_liabilities": 50, "tax_rating": "A"})
    below_50 = evaluate(model, {"total_assets": 100, "total_liabilities": 49.99, "tax_rating": "A"})
    assert at_50.criteria[0].points == 50
    assert below_50.criteria[0].points == 100
    assert (at_50.total, below_50.total) == (62.5, 100.0)
    assert (at_50.tier, below_50.tier) == ("B", "A")


def test_evaluate_missing_criterion_is_flagged_and_reweighted():
    # Tax missing: only debt (50 points) is scored, so the total is 50 over 75% of the weight.
    result = evaluate(_tiny_model(*ALL_TINY_KNOCKOUTS), {"total_assets": 100, "total_liabilities": 60})
    tax = result.criteria[1]
    assert (tax.points, tax.insufficient, tax.problem, tax.keys) == (None, True, MISSING, ("tax_rating",))
    assert tax.reason == (
        "Insufficient data: tax credit rating missing. Not scored; its weight goes to the scored criteria."
    )
    assert (result.total, result.coverage, result.tier, result.passed) == (50.0, 75.0, "C", True)


def test_evaluate_zero_divisor_and_low_coverage_knocks_out():
    # Total assets 0: debt ratio cannot be computed; tax A alone is 25% of the weight < 50%.
    result = evaluate(_tiny_model(*ALL_TINY_KNOCKOUTS), {"total_assets": 0, "total_liabilities": 0,
                                                          "tax_rating": "A"})
    assert (result.criteria[0].problem, result.criteria[0].keys) == (ZERO_DIVISOR, ("total_assets",))
    assert (result.total, result.coverage, result.tier, result.passed) == (100.0, 25.0, "D", False)
    assert [k.code for k in result.knockouts] == ["data_coverage"]
    assert result.knockouts[0].reason == (
        "Only 25% of the model's weight could be scored; at least 50% is needed."
    )


def test_evaluate_negative_net_assets_knocks_out_whatever_the_score():
    result = evaluate(_tiny_model(*ALL_TINY_KNOCKOUTS), {"total_assets": 100, "total_liabilities": 120,
                                                          "tax_rating": "A"})
    assert result.criteria[0].points == 0
    assert (result.total, result.tier, result.passed) == (25.0, "D", False)
    assert [(k.code, k.value) for k in result.knockouts] == [("negative_net_assets", -20.0)]


def test_evaluate_tax_rating_d_knocks_out_a_high_score():
    result = evaluate(_tiny_model(*ALL_TINY_KNOCKOUTS), {"total_assets": 100, "total_liabilities": 10,
                                                          "tax_rating": "D"})
    assert result.total == 75.0
    assert (result.tier, result.passed) == ("D", False)
    assert [(k.code, k.value) for k in result.knockouts] == [("tax_rating", "D")]


def test_evaluate_value_outside_every_band_is_not_scored():
    model = _tiny_model()
    result = evaluate(model, {"total_assets": 100, "total_liabilities": 10, "tax_rating": "M"})
    assert (result.criteria[1].points, result.criteria[1].problem) == (None, "no_band")
    assert result.total == 100.0


def test_evaluate_nothing_scorable_gives_zero_total_and_tier_d():
    result = evaluate(_tiny_model(), {})
    assert (result.total, result.coverage, result.tier, result.passed) == (0.0, 0.0, "D", False)
    assert all(c.insufficient for c in result.criteria)


# --- The default model (data migration), hand-computed in docs/scorecard.md ---

@pytest.mark.django_db
def test_default_model_scores_factory_company_exactly(inputs):
    # financial 10×85 + 8×90 + 8×80 + 6×80 + 8×80 = 3330; business 8×100 + 5×80 + 7×80 + 5×80 + 5×80 = 2560;
    # credit 12×85 + 8×100 + 4×80 + 6×100 = 2740; (3330 + 2560 + 2740) / 100 = 86.3 → tier A.
    result = evaluate(published_compiled(), inputs)
    assert [(c.metric, c.points) for c in result.criteria] == [
        ("debt_ratio", 85), ("current_ratio", 90), ("net_margin", 80), ("revenue", 80), ("cash_flow_ratio", 80),
        ("years_in_business", 100), ("registered_capital", 80), ("industry_risk_class", 80),
        ("customer_concentration", 80), ("market_position", 80),
        ("bureau_score", 85), ("overdue_count", 100), ("litigation_count", 80), ("tax_rating", 100),
    ]
    assert (result.total, result.tier, result.passed, result.coverage, result.knockouts) == (86.3, "A", True, 100.0, [])
    assert result.groups() == [
        {"group": "financial", "label": "Financial status", "points": 33.3, "maximum": 40.0},
        {"group": "business", "label": "Business background", "points": 25.6, "maximum": 30.0},
        {"group": "credit", "label": "Credit record", "points": 27.4, "maximum": 30.0},
    ]
    assert result.criteria[0].reason == "Debt ratio is 53.3%, in the band “40% to under 55%”: 85 points."


@pytest.mark.django_db
def test_default_model_without_bureau_score_reweights_over_88_percent(inputs):
    # (8630 − 12×85) / 88 = 7610 / 88 = 86.477… → 86.48; the floor knock-out cannot fire without a score.
    inputs["bureau_score"] = None
    result = evaluate(published_compiled(), inputs)
    assert (result.total, result.coverage, result.tier, result.knockouts) == (86.48, 88.0, "A", [])
    assert [c.metric for c in result.insufficient] == ["bureau_score"]


@pytest.mark.django_db
def test_default_model_bureau_score_under_floor_knocks_out(inputs):
    # Bureau 450 → 0 points: (8630 − 1020) / 100 = 76.1, but the floor of 500 makes it D.
    inputs["bureau_score"] = 450
    result = evaluate(published_compiled(), inputs)
    assert (result.total, result.tier, result.passed) == (76.1, "D", False)
    assert [k.code for k in result.knockouts] == ["bureau_score_floor"]
    assert result.knockouts[0].reason == "The credit bureau score 450 is under the floor of 500."


@pytest.mark.django_db
def test_default_model_young_company_knocks_out(inputs):
    # 151 days in business → years band [−∞, 1) = 0 points: (8630 − 8×100) / 100 = 78.3; knock-out min 1 year.
    inputs["registration_date"] = "2026-01-01"
    result = evaluate(published_compiled(), inputs)
    assert (result.total, result.tier) == (78.3, "D")
    assert [k.code for k in result.knockouts] == ["min_years_in_business"]


@pytest.mark.django_db
def test_default_model_watchlist_true_match_knocks_out(inputs):
    inputs["watchlist_true_match"] = True
    result = evaluate(published_compiled(), inputs)
    assert (result.total, result.tier, result.passed) == (86.3, "D", False)
    assert [k.code for k in result.knockouts] == ["watchlist_true_match"]


@pytest.mark.django_db
def test_default_model_weak_company_lands_in_tier_c(inputs):
    # debt 75% → 30, current 1.1 → 55, margin 1% → 35, revenue 15M → 40, OCF/CL 0.05 → 30 → 10×30+8×55+8×35+6×40+8×30
    # = 1500; years 4 → 55, capital 3M → 40, class 3 → 60, share 65% → 30, average → 55 → 8×55+5×40+7×60+5×30+5×55
    # = 1485; bureau 640 → 50, overdue 1 → 70, litigation 2 → 50, tax B → 80 → 12×50+8×70+4×50+6×80 = 1840.
    # (1500 + 1485 + 1840) / 100 = 48.25 → D (below C at 60), fails admission.
    inputs.update(
        total_assets=100.0, total_liabilities=75.0, current_assets=55.0, current_liabilities=50.0,
        revenue=15_000_000.0, net_profit=150_000.0, operating_cash_flow=2.5, registration_date="2022-06-01",
        registered_capital=3_000_000.0, industry_risk_class=3, top_customer_share=65.0, market_position="average",
        bureau_score=640, overdue_count_24m=1, litigation_count=2, tax_rating="B",
    )
    result = evaluate(published_compiled(), inputs)
    assert [c.points for c in result.criteria] == [30, 55, 35, 40, 30, 55, 40, 60, 30, 55, 50, 70, 50, 80]
    assert (result.total, result.tier, result.passed) == (48.25, "D", False)


@pytest.mark.django_db
def test_evaluation_result_round_trips_through_json(inputs):
    inputs["bureau_score"] = None
    result = evaluate(published_compiled(), inputs)
    again = EvaluationResult.from_dict(result.as_dict())
    assert again.as_dict() == result.as_dict()
    assert [c.reason for c in again.criteria] == [c.reason for c in result.criteria]
