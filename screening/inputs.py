"""The scorecard inputs of an application, as the documented dict of ``screening.metrics``."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from onboarding.models import Application
from watchlists.selectors import has_true_match

# Inputs that change with the clock, not with the application's data: an evaluation is
# still current the day after it was made (see selectors.evaluation_is_current).
CLOCK_KEYS = frozenset({"as_of"})


def _amount(value) -> float | None:
    # Floats survive the JSON snapshot unchanged, so stored and fresh inputs compare equal.
    return None if value is None else float(value)


def _count(value) -> int | None:
    return None if value is None else int(value)


def application_inputs(application: Application, *, as_of: date | None = None) -> dict:
    """Inputs from the application form, its latest financial statement and the watchlist hits.

    Queries: the statements (unless prefetched), the industry (unless selected) and one
    for a confirmed watchlist match.
    """
    statements = sorted(application.financials.all(), key=lambda s: s.fiscal_year, reverse=True)
    latest = statements[0] if statements else None
    industry = application.industry if application.industry_id else None
    return {
        "fiscal_year": latest.fiscal_year if latest else None,
        "revenue": _amount(latest.revenue) if latest else None,
        "net_profit": _amount(latest.net_profit) if latest else None,
        "total_assets": _amount(latest.total_assets) if latest else None,
        "total_liabilities": _amount(latest.total_liabilities) if latest else None,
        "current_assets": _amount(latest.current_assets) if latest else None,
        "current_liabilities": _amount(latest.current_liabilities) if latest else None,
        "operating_cash_flow": _amount(latest.operating_cash_flow) if latest else None,
        "registration_date": application.registration_date.isoformat() if application.registration_date else None,
        "as_of": (as_of or timezone.localdate()).isoformat(),
        "registered_capital": _amount(application.registered_capital),
        "capital_currency": application.capital_currency or "CNY",
        "industry_risk_class": industry.risk_class if industry else None,
        "top_customer_share": _amount(application.top_customer_share),
        "market_position": application.market_position or None,
        "bureau_score": _count(application.bureau_score),
        "overdue_count_24m": _count(application.overdue_count_24m),
        "litigation_count": _count(application.litigation_count),
        "tax_rating": application.tax_rating or None,
        "watchlist_true_match": has_true_match(
            application_id=application.pk, customer_id=application.customer_id
        ),
    }


def comparable(inputs: dict) -> dict:
    """The inputs without the clock keys, for deciding whether data changed."""
    return {key: value for key, value in inputs.items() if key not in CLOCK_KEYS}
