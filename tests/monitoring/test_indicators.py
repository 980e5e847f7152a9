"""Each indicator at its exact threshold: just below does not fire, at it fires."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest

from monitoring.enums import Indicator
from monitoring.indicators import (
    DEFAULTS,
    Previous,
    condition_firing,
    describe,
    evaluation_firings,
    review_firing,
    rules_from,
    watchlist_firing,
)

TODAY = datetime.date(2026, 6, 15)
RULES = rules_from([])
BASE = {"total": 80.0, "tier": "B", "bureau_score": 700, "overdue_count": 1, "litigation_count": 1}


def fired(**changes) -> set[str]:
    values = {**BASE, **changes}
    previous = values.pop("previous", Previous(80.0, "B", 700, 1, 1))
    found = evaluation_firings(
        values.pop("rules", RULES), customer_id=1, knockouts=values.pop("knockouts", []), admission_threshold=60.0,
        previous=previous, statements_date=values.pop("statements_date", None), today=TODAY, **values,
    )
    return {f.indicator for f in found}


def test_nothing_fires_when_nothing_changed():
    assert fired() == set()


@pytest.mark.parametrize(("total", "fires"), [(60.0, False), (59.99, True)])
def test_below_threshold_at_the_scorecards_admission_threshold(total, fires):
    assert (Indicator.BELOW_THRESHOLD in fired(total=total, previous=Previous(total, "C", 700, 1, 1))) is fires


def test_below_threshold_fires_on_any_knockout():
    assert Indicator.BELOW_THRESHOLD in fired(knockouts=["tax_rating"])


def test_below_threshold_uses_a_configured_threshold():
    rules = rules_from([SimpleNamespace(indicator="below_threshold", enabled=True, threshold=Decimal("70"),
                                        severity="critical")])
    assert Indicator.BELOW_THRESHOLD in fired(rules=rules, total=69.9, previous=Previous(69.9, "C", 700, 1, 1))


@pytest.mark.parametrize(("previous", "now", "fires"), [("B", "B", False), ("B", "A", False), ("B", "C", True),
                                                       ("A", "D", True)])
def test_tier_downgrade_one_step(previous, now, fires):
    assert (Indicator.TIER_DOWNGRADE in fired(tier=now, previous=Previous(80.0, previous, 700, 1, 1))) is fires


@pytest.mark.parametrize(("total", "fires"), [(70.01, False), (70.0, True)])
def test_score_drop_of_ten_points(total, fires):
    assert (Indicator.SCORE_DROP in fired(total=total)) is fires


@pytest.mark.parametrize(("bureau", "fires"), [(651, False), (650, True)])
def test_bureau_drop_of_fifty(bureau, fires):
    assert (Indicator.BUREAU_DROP in fired(bureau_score=bureau)) is fires


@pytest.mark.parametrize(("overdue", "fires"), [(1, False), (2, True), (0, False)])
def test_new_overdue_records(overdue, fires):
    assert (Indicator.NEW_OVERDUE in fired(overdue_count=overdue)) is fires


@pytest.mark.parametrize(("cases", "fires"), [(1, False), (2, True)])
def test_new_litigation(cases, fires):
    assert (Indicator.NEW_LITIGATION in fired(litigation_count=cases)) is fires


def test_unknown_previous_values_never_fire_a_comparison():
    assert fired(previous=Previous(None, None, None, None, None), total=20.0, tier="D", bureau_score=300,
                 overdue_count=9, litigation_count=9) == {Indicator.BELOW_THRESHOLD}


@pytest.mark.parametrize(("statements", "fires"), [(datetime.date(2025, 3, 16), False),
                                                   (datetime.date(2025, 3, 15), True)])
def test_stale_financials_at_fifteen_months(statements, fires):
    assert (Indicator.STALE_FINANCIALS in fired(statements_date=statements)) is fires


@pytest.mark.parametrize(("score", "disposition", "fires"), [(84.9, "pending", False), (85.0, "pending", True),
                                                             (95.0, "true_match", True)])
def test_watchlist_match_at_eighty_five(score, disposition, fires):
    hit = {"id": 3, "source": "OFAC", "name": "X", "score": score, "disposition": disposition}
    assert (watchlist_firing(RULES, customer_id=1, hits=[hit]) is not None) is fires


@pytest.mark.parametrize(("review", "fires"), [(TODAY, False), (TODAY - datetime.timedelta(days=1), True)])
def test_review_overdue_the_day_after_the_review_date(review, fires):
    assert (review_firing(RULES, customer_id=1, next_review_date=review, today=TODAY) is not None) is fires


def test_review_overdue_with_a_grace_period():
    rules = rules_from([SimpleNamespace(indicator="review_overdue", enabled=True, threshold=Decimal("7"),
                                        severity="low")])
    assert review_firing(rules, customer_id=1, next_review_date=TODAY - datetime.timedelta(days=6), today=TODAY) is None
    found = review_firing(rules, customer_id=1, next_review_date=TODAY - datetime.timedelta(days=7), today=TODAY)
    assert (found.severity, found.facts) == ("low", {"next_review_date": "2026-06-08"})


@pytest.mark.parametrize(("due", "fires"), [(TODAY, False), (TODAY - datetime.timedelta(days=1), True)])
def test_condition_overdue_after_its_due_date(due, fires):
    found = condition_firing(RULES, customer_id=1, conditions=[(5, "Audited report", due)], today=TODAY)
    assert (found is not None) is fires


def test_disabled_indicator_never_fires():
    rules = rules_from([SimpleNamespace(indicator="bureau_drop", enabled=False, threshold=Decimal("50"),
                                        severity="medium")])
    assert Indicator.BUREAU_DROP not in fired(rules=rules, bureau_score=100)


def test_every_indicator_has_defaults_and_a_description():
    assert set(DEFAULTS) == set(Indicator.values)
    assert describe(Indicator.BUREAU_DROP, {"previous": 720, "current": 660}) == (
        "Credit bureau score fell from 720 to 660."
    )
