"""Derived metrics: the one place where scorecard inputs become the values criteria score.

The input dict (built by ``screening.inputs.application_inputs`` for an application, and by
monitoring for an admitted customer) has these keys; any may be missing or ``None``:

=====================  ==========================================================
key                    meaning
=====================  ==========================================================
revenue                revenue of the latest fiscal year, CNY
net_profit             net profit, CNY
total_assets           total assets, CNY
total_liabilities      total liabilities, CNY
current_assets         current assets, CNY
current_liabilities    current liabilities, CNY
operating_cash_flow    net cash flow from operating activities, CNY
registration_date      ISO date the company was registered
as_of                  ISO date the evaluation is made for (years in business count to it)
registered_capital     registered capital, in ``capital_currency``
capital_currency       ISO currency of the capital (optional; CNY when absent)
industry_risk_class    1 (lowest risk) … 5 (highest)
top_customer_share     share of revenue from the five largest customers, percent 0–100
market_position        leader / strong / average / weak
bureau_score           credit bureau score
overdue_count_24m      overdue records in the last 24 months
litigation_count       litigation cases
tax_rating             A / B / M / C / D
watchlist_true_match   True when an investigator confirmed a watchlist match
fiscal_year            year of the statements used (informative, not scored)
=====================  ==========================================================

``derive`` never raises: a value it cannot compute is an ``Insufficient`` marker saying
why (missing input, zero divisor, invalid value, foreign currency). It does no database
access and allocates little, because monitoring calls it for every customer.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from screening.enums import Metric

INPUT_KEYS = (
    "revenue", "net_profit", "total_assets", "total_liabilities", "current_assets", "current_liabilities",
    "operating_cash_flow", "registration_date", "as_of", "registered_capital", "capital_currency",
    "industry_risk_class", "top_customer_share", "market_position", "bureau_score", "overdue_count_24m",
    "litigation_count", "tax_rating", "watchlist_true_match", "fiscal_year",
)

# Why a metric could not be computed.
MISSING = "missing"
ZERO_DIVISOR = "zero_divisor"
INVALID = "invalid"
CURRENCY = "currency"


class Insufficient:
    """A metric that has no value, with the reason and the input keys concerned."""

    __slots__ = ("problem", "keys", "detail")

    def __init__(self, problem: str, keys: tuple[str, ...], detail: str = "") -> None:
        self.problem = problem
        self.keys = keys
        self.detail = detail

    def __repr__(self) -> str:
        return f"Insufficient({self.problem!r}, {self.keys!r})"

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Insufficient)
            and (self.problem, self.keys, self.detail) == (other.problem, other.keys, other.detail)
        )

    def __hash__(self) -> int:
        return hash((self.problem, self.keys, self.detail))


# The inputs each metric needs, the divisor (if any) last. Shared markers avoid allocating
# a new object for the common "missing" and "zero divisor" outcomes.
METRIC_INPUTS: dict[str, tuple[str, ...]] = {
    Metric.DEBT_RATIO: ("total_liabilities", "total_assets"),
    Metric.CURRENT_RATIO: ("current_assets", "current_liabilities"),
    Metric.NET_MARGIN: ("net_profit", "revenue"),
    Metric.REVENUE: ("revenue",),
    Metric.CASH_FLOW_RATIO: ("operating_cash_flow", "current_liabilities"),
    Metric.YEARS_IN_BUSINESS: ("registration_date", "as_of"),
    Metric.REGISTERED_CAPITAL: ("registered_capital",),
    Metric.INDUSTRY_RISK_CLASS: ("industry_risk_class",),
    Metric.CUSTOMER_CONCENTRATION: ("top_customer_share",),
    Metric.MARKET_POSITION: ("market_position",),
    Metric.BUREAU_SCORE: ("bureau_score",),
    Metric.OVERDUE_COUNT: ("overdue_count_24m",),
    Metric.LITIGATION_COUNT: ("litigation_count",),
    Metric.TAX_RATING: ("tax_rating",),
}
METRIC_INPUTS = {str(metric): keys for metric, keys in METRIC_INPUTS.items()}
_MISSING = {metric: Insufficient(MISSING, keys) for metric, keys in METRIC_INPUTS.items()}
_ZERO = {metric: Insufficient(ZERO_DIVISOR, keys[-1:]) for metric, keys in METRIC_INPUTS.items()}
_INVALID = {metric: Insufficient(INVALID, keys) for metric, keys in METRIC_INPUTS.items()}

_BAD = object()  # an input that is present but not a number / date


def _num(value):
    """A float from an int, float, Decimal or numeric string; None if absent; _BAD if unreadable."""
    kind = value.__class__
    if kind is float:  # the common case first: this runs for every input of every customer
        return value
    if kind is int:
        return float(value)
    if value is None or value == "":
        return None
    if kind is bool:
        return _BAD
    try:
        return float(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return _BAD


def _date(value):
    if value is None or value == "":
        return None
    if value.__class__ is date:
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return _BAD


def _ratio(metric: str, numerator, denominator, scale: float = 1.0):
    if numerator is None or denominator is None:
        return _MISSING[metric]
    if numerator is _BAD or denominator is _BAD:
        return _INVALID[metric]
    if denominator == 0:
        return _ZERO[metric]
    return numerator / denominator * scale


def _plain(metric: str, value):
    if value is None:
        return _MISSING[metric]
    if value is _BAD:
        return _INVALID[metric]
    return value


def _category(metric: str, value):
    if value is None or value == "":
        return _MISSING[metric]
    return str(value)


def derive(inputs: dict) -> dict[str, object]:
    """Every metric (``Metric`` codes) plus ``net_assets``, each a value or ``Insufficient``.

    Percentages are in percent (53.3, not 0.533); ratios are plain (1.75); years are
    fractional years; categories are strings.
    """
    get = inputs.get
    revenue = _num(get("revenue"))
    total_assets = _num(get("total_assets"))
    total_liabilities = _num(get("total_liabilities"))
    current_liabilities = _num(get("current_liabilities"))

    registered = _date(get("registration_date"))
    as_of = _date(get("as_of"))
    if registered is None or as_of is None:
        years = _MISSING["years_in_business"]
    elif registered is _BAD or as_of is _BAD or registered > as_of:
        years = _INVALID["years_in_business"]
    else:
        years = (as_of - registered).days / 365.25

    capital = _plain("registered_capital", _num(get("registered_capital")))
    currency = get("capital_currency") or "CNY"
    if currency != "CNY" and not isinstance(capital, Insufficient):
        # Without an exchange rate the amount cannot be put in a CNY band: say so.
        capital = Insufficient(CURRENCY, ("registered_capital", "capital_currency"), str(currency))

    risk_class = _num(get("industry_risk_class"))
    if risk_class is None:
        risk = _MISSING["industry_risk_class"]
    elif risk_class is _BAD:
        risk = _INVALID["industry_risk_class"]
    else:
        risk = str(int(risk_class))

    if total_assets is None or total_liabilities is None:
        net_assets = Insufficient(MISSING, ("total_assets", "total_liabilities"))
    elif total_assets is _BAD or total_liabilities is _BAD:
        net_assets = Insufficient(INVALID, ("total_assets", "total_liabilities"))
    else:
        net_assets = total_assets - total_liabilities

    return {
        "debt_ratio": _ratio("debt_ratio", total_liabilities, total_assets, 100.0),
        "current_ratio": _ratio("current_ratio", _num(get("current_assets")), current_liabilities),
        "net_margin": _ratio("net_margin", _num(get("net_profit")), revenue, 100.0),
        "revenue": _plain("revenue", revenue),
        "cash_flow_ratio": _ratio("cash_flow_ratio", _num(get("operating_cash_flow")), current_liabilities),
        "years_in_business": years,
        "registered_capital": capital,
        "industry_risk_class": risk,
        "customer_concentration": _plain("customer_concentration", _num(get("top_customer_share"))),
        "market_position": _category("market_position", get("market_position")),
        "bureau_score": _plain("bureau_score", _num(get("bureau_score"))),
        "overdue_count": _plain("overdue_count", _num(get("overdue_count_24m"))),
        "litigation_count": _plain("litigation_count", _num(get("litigation_count"))),
        "tax_rating": _category("tax_rating", get("tax_rating")),
        "net_assets": net_assets,
    }
