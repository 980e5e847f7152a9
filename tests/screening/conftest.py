import datetime

import pytest

from accounts.roles import Role
from onboarding.enums import State
from screening import scoring
from tests.factories import ApplicationFactory, advance, user_with

# The ApplicationFactory's data as scorecard inputs, on a fixed date (see test_scoring).
FACTORY_INPUTS = {
    "fiscal_year": 2025,
    "revenue": 120_000_000.0, "net_profit": 9_000_000.0, "total_assets": 150_000_000.0,
    "total_liabilities": 80_000_000.0, "current_assets": 70_000_000.0, "current_liabilities": 40_000_000.0,
    "operating_cash_flow": 11_000_000.0, "registration_date": "2012-05-17", "as_of": "2026-06-01",
    "registered_capital": 50_000_000.0, "capital_currency": "CNY", "industry_risk_class": 2,
    "top_customer_share": 35.0, "market_position": "strong", "bureau_score": 720, "overdue_count_24m": 0,
    "litigation_count": 1, "tax_rating": "A", "watchlist_true_match": False,
}


@pytest.fixture(autouse=True)
def _fresh_scorecard_cache():
    # Tests publish versions inside rolled-back transactions: never reuse a compiled one.
    scoring.clear_cache()
    yield
    scoring.clear_cache()


@pytest.fixture
def inputs():
    return dict(FACTORY_INPUTS)


@pytest.fixture
def other_risk_manager(db):
    return user_with(Role.RISK_MANAGER, username="otto")


@pytest.fixture
def in_background_check(application, reviewer):
    """The factory application, driven through the real transitions into background check."""
    return advance(application, State.BACKGROUND_CHECK, reviewer=reviewer)


@pytest.fixture
def make_in_background_check(reviewer):
    def make(**fields):
        return advance(ApplicationFactory(**fields), State.BACKGROUND_CHECK, reviewer=reviewer)

    return make


TODAY = datetime.date(2026, 1, 10)
