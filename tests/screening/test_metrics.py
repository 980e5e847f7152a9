import pytest

from screening.metrics import CURRENCY, INVALID, MISSING, ZERO_DIVISOR, Insufficient, derive


def test_derive_factory_inputs_gives_exact_metrics(inputs):
    values = derive(inputs)
    assert round(values["debt_ratio"], 4) == 53.3333
    assert values["current_ratio"] == 1.75
    assert values["net_margin"] == 7.5
    assert values["revenue"] == 120_000_000.0
    assert values["cash_flow_ratio"] == 0.275
    assert round(values["years_in_business"], 4) == round(5128 / 365.25, 4)
    assert values["registered_capital"] == 50_000_000.0
    assert values["industry_risk_class"] == "2"
    assert values["customer_concentration"] == 35.0
    assert values["market_position"] == "strong"
    assert values["bureau_score"] == 720.0
    assert values["overdue_count"] == 0.0
    assert values["litigation_count"] == 1.0
    assert values["tax_rating"] == "A"
    assert values["net_assets"] == 70_000_000.0


@pytest.mark.parametrize(
    ("changes", "metric", "problem", "keys"),
    [
        ({"total_assets": None}, "debt_ratio", MISSING, ("total_liabilities", "total_assets")),
        ({"total_assets": 0}, "debt_ratio", ZERO_DIVISOR, ("total_assets",)),
        ({"current_liabilities": 0}, "current_ratio", ZERO_DIVISOR, ("current_liabilities",)),
        ({"current_liabilities": 0}, "cash_flow_ratio", ZERO_DIVISOR, ("current_liabilities",)),
        ({"revenue": 0}, "net_margin", ZERO_DIVISOR, ("revenue",)),
        ({"revenue": "not a number"}, "net_margin", INVALID, ("net_profit", "revenue")),
        ({"registration_date": None}, "years_in_business", MISSING, ("registration_date", "as_of")),
        ({"registration_date": "2030-01-01"}, "years_in_business", INVALID, ("registration_date", "as_of")),
        ({"registration_date": "17/05/2012"}, "years_in_business", INVALID, ("registration_date", "as_of")),
        ({"bureau_score": None}, "bureau_score", MISSING, ("bureau_score",)),
        ({"tax_rating": ""}, "tax_rating", MISSING, ("tax_rating",)),
        ({"capital_currency": "USD"}, "registered_capital", CURRENCY, ("registered_capital", "capital_currency")),
    ],
)
def test_derive_missing_or_zero_inputs_are_insufficient_not_zero(inputs, changes, metric, problem, keys):
    inputs.update(changes)
    value = derive(inputs)[metric]
    assert isinstance(value, Insufficient)
    assert (value.problem, value.keys) == (problem, keys)


def test_derive_empty_inputs_never_raises():
    values = derive({})
    assert all(isinstance(value, Insufficient) for value in values.values())


def test_derive_accepts_decimal_strings_and_dates(inputs):
    import datetime
    from decimal import Decimal

    inputs.update(total_assets=Decimal("200"), total_liabilities="50", as_of=datetime.date(2026, 6, 1))
    values = derive(inputs)
    assert values["debt_ratio"] == 25.0
    assert round(values["years_in_business"], 4) == round(5128 / 365.25, 4)
