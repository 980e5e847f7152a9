"""Human-readable, translated reasons for evaluation results, rendered when read.

``evaluate`` stores structured outcomes only (value, band, problem); the words are made
here, in the reader's language, so that a stored evaluation reads correctly in Chinese
and English alike and scoring a million customers builds no strings.
"""

from __future__ import annotations

from django.utils.formats import number_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from onboarding.enums import MarketPosition, TaxRating
from screening.enums import METRIC_UNITS, KnockOut, Metric
from screening.metrics import CURRENCY, INVALID, MISSING, ZERO_DIVISOR
from screening.scoring import NO_BAND

INPUT_LABELS = {
    "revenue": lambda: _("revenue"),
    "net_profit": lambda: _("net profit"),
    "total_assets": lambda: _("total assets"),
    "total_liabilities": lambda: _("total liabilities"),
    "current_assets": lambda: _("current assets"),
    "current_liabilities": lambda: _("current liabilities"),
    "operating_cash_flow": lambda: _("operating cash flow"),
    "registration_date": lambda: _("registration date"),
    "as_of": lambda: _("evaluation date"),
    "registered_capital": lambda: _("registered capital"),
    "capital_currency": lambda: _("capital currency"),
    "industry_risk_class": lambda: _("industry risk class"),
    "top_customer_share": lambda: _("share of the top five customers"),
    "market_position": lambda: _("market position"),
    "bureau_score": lambda: _("credit bureau score"),
    "overdue_count_24m": lambda: _("overdue records"),
    "litigation_count": lambda: _("litigation cases"),
    "tax_rating": lambda: _("tax credit rating"),
}


def _number(value: float, decimals: int) -> str:
    # Whole numbers without decimals (a bound of 40, not 40.0); others to ``decimals`` places.
    if float(value).is_integer():
        decimals = 0
    return number_format(value, decimal_pos=decimals, use_l10n=True, force_grouping=True)


def format_cny(value) -> str:
    """An amount in CNY as people read it: 1,200,000 CNY in English; 120万元 / 11.2亿元 in Chinese."""
    if value is None:
        return "—"
    value = float(value)
    if (get_language() or "").startswith("zh"):
        for unit, size in (("亿", 1e8), ("万", 1e4)):
            if abs(value) >= size:
                text = _number(round(value / size, 2), 2)
                return f"{text.rstrip('0').rstrip('.') if '.' in text else text}{unit}元"
        return f"{_number(value, 0)}元"
    return _("%(amount)s CNY") % {"amount": _number(value, 0)}


def format_amount(metric: str, value) -> str:
    """A bound or value in the metric's unit: 53.3%, 1.75, 120,000,000 CNY, 13.9 years."""
    if value is None:
        return "—"
    unit = METRIC_UNITS.get(metric, "number")
    if unit == "percent":
        return f"{_number(value, 1)}%"
    if unit == "ratio":
        return _number(value, 2)
    if unit == "cny":
        return format_cny(value)
    if unit == "years":
        return _("%(years)s years") % {"years": _number(value, 1)}
    return _number(value, 0)


def format_category(metric: str, value) -> str:
    if metric == Metric.MARKET_POSITION and value in MarketPosition.values:
        return str(MarketPosition(value).label)
    if metric == Metric.TAX_RATING and value in TaxRating.values:
        return str(TaxRating(value).label)
    if metric == Metric.INDUSTRY_RISK_CLASS:
        return _("class %(value)s") % {"value": value}
    return str(value)


def format_value(metric: str, value) -> str:
    if value is None:
        return "—"
    if METRIC_UNITS.get(metric) == "category":
        return format_category(metric, value)
    return format_amount(metric, value)


def format_band(metric: str, band) -> str:
    """A band (``CompiledBand``) in words: "40% to under 55%", "under 1", "A — excellent"."""
    if band is None:
        return "—"
    if band.category is not None:
        return format_category(metric, band.category)
    lower, upper = band.lower, band.upper
    if lower is None and upper is None:
        return _("any value")
    if lower is None:
        return _("under %(upper)s") % {"upper": format_amount(metric, upper)}
    if upper is None:
        return _("%(lower)s or more") % {"lower": format_amount(metric, lower)}
    return _("%(lower)s to under %(upper)s") % {
        "lower": format_amount(metric, lower), "upper": format_amount(metric, upper),
    }


def criterion_name(result) -> str:
    if result.label:
        return result.label
    return str(Metric(result.metric).label) if result.metric in Metric.values else result.metric


def _inputs(keys) -> str:
    return ", ".join(INPUT_LABELS[key]() if key in INPUT_LABELS else key for key in keys)


def criterion_reason(result) -> str:
    name = criterion_name(result)
    if result.points is not None:
        if result.band.category is not None:
            return _("%(name)s is “%(value)s”: %(points)s points.") % {
                "name": name, "value": format_value(result.metric, result.value), "points": result.points,
            }
        return _("%(name)s is %(value)s, in the band “%(band)s”: %(points)s points.") % {
            "name": name, "value": format_value(result.metric, result.value),
            "band": format_band(result.metric, result.band), "points": result.points,
        }
    if result.problem == MISSING:
        return _("Insufficient data: %(inputs)s missing. Not scored; its weight goes to the scored criteria.") % {
            "inputs": _inputs(result.keys),
        }
    if result.problem == ZERO_DIVISOR:
        return _("Insufficient data: %(inputs)s is zero, so %(name)s cannot be computed. Not scored.") % {
            "inputs": _inputs(result.keys), "name": name,
        }
    if result.problem == INVALID:
        return _("Insufficient data: %(inputs)s cannot be read as a valid value. Not scored.") % {
            "inputs": _inputs(result.keys),
        }
    if result.problem == CURRENCY:
        return _("Insufficient data: the registered capital is in %(currency)s and only CNY amounts are banded. "
                 "Not scored.") % {"currency": result.detail}
    if result.problem == NO_BAND:
        return _("No band of this model covers %(value)s. Not scored.") % {
            "value": format_value(result.metric, result.value),
        }
    return _("Not scored.")


def knockout_reason(result) -> str:
    code, params, value = result.code, result.params, result.value
    if code == KnockOut.WATCHLIST_TRUE_MATCH:
        return _("An investigator confirmed a match on a sanctions or blacklist.")
    if code == KnockOut.NEGATIVE_NET_ASSETS:
        return _("Net assets are negative (%(amount)s): liabilities exceed assets.") % {
            "amount": format_cny(value),
        }
    if code == KnockOut.MIN_YEARS_IN_BUSINESS:
        return _("In business for %(years)s, less than the required %(minimum)s.") % {
            "years": format_amount(Metric.YEARS_IN_BUSINESS, value),
            "minimum": format_amount(Metric.YEARS_IN_BUSINESS, params.get("min_years", 0)),
        }
    if code == KnockOut.TAX_RATING:
        return _("The tax credit rating is %(rating)s, which this model does not admit.") % {
            "rating": format_category(Metric.TAX_RATING, value),
        }
    if code == KnockOut.BUREAU_SCORE_FLOOR:
        return _("The credit bureau score %(score)s is under the floor of %(floor)s.") % {
            "score": _number(value, 0), "floor": _number(params.get("floor", 0), 0),
        }
    if code == KnockOut.DATA_COVERAGE:
        return _("Only %(coverage)s%% of the model's weight could be scored; at least %(minimum)s%% is needed.") % {
            "coverage": _number(value, 1), "minimum": _number(params.get("min_percent", 0), 0),
        }
    return str(code)
