"""Admitted customers for monitoring tests, with the baseline a committee approval leaves.

``admitted_customer`` writes what ``monitoring.services.profile_sync`` writes after an
approval (admission inputs, an evaluation, the credit profile), without driving a whole
application through the committee; ``tests/monitoring/test_admission.py`` checks the real
path produces the same.
"""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

from django.db.models import F
from django.utils import timezone

from accounts.roles import Role
from monitoring.models import AdmissionInputs, CustomerCreditProfile
from monitoring.snapshot import fingerprint
from onboarding.models import Customer, Industry
from screening.scoring import evaluate
from screening.selectors import published_compiled
from screening.services import evaluation_build
from tests.factories import credit_code, user_with

# The test factory's company (docs/scorecard.md worked example): 86.3 points, tier A.
BASE_INPUTS = {
    "fiscal_year": timezone.localdate().year - 1,
    "revenue": 120000000.0, "net_profit": 9000000.0, "total_assets": 150000000.0,
    "total_liabilities": 80000000.0, "current_assets": 70000000.0, "current_liabilities": 40000000.0,
    "operating_cash_flow": 11000000.0, "registration_date": "2012-05-17", "as_of": None,
    "registered_capital": 50000000.0, "capital_currency": "CNY", "industry_risk_class": 2,
    "top_customer_share": 35.0, "market_position": "strong", "bureau_score": 720, "overdue_count_24m": 0,
    "litigation_count": 1, "tax_rating": "A", "watchlist_true_match": False,
}
_numbers = itertools.count(5000)


def admitted_customer(
    *, owner=None, tier: str = "A", status: str = "active", due_on: datetime.date | None = None,
    next_review_date: datetime.date | None = None, name: str | None = None, **changes,
) -> Customer:
    """A customer admitted on ``BASE_INPUTS`` (with ``changes``), due for re-evaluation on ``due_on``."""
    n = next(_numbers)
    today = timezone.localdate()
    owner = owner or user_with(Role.SALES)
    customer = Customer.objects.create(
        name=name or f"监测客户{n}有限公司", credit_code=credit_code(n), customer_type="sme",
        industry=Industry.objects.get(code="MFG-EQP"), tier=tier, status=status, sales_owner=owner,
        credit_limit=Decimal("1000000"), payment_terms_days=60,
        next_review_date=next_review_date or today + datetime.timedelta(days=365),
    )
    inputs = {**BASE_INPUTS, "as_of": (today - datetime.timedelta(days=30)).isoformat(), **changes}
    compiled = published_compiled()
    result = evaluate(compiled, inputs)
    evaluation = evaluation_build(compiled=compiled, inputs=inputs, result=result, customer=customer)
    evaluation.created_at = timezone.now() - datetime.timedelta(days=30)
    evaluation.save()
    AdmissionInputs.objects.create(customer=customer, inputs=inputs, evaluation=evaluation)
    CustomerCreditProfile.objects.create(
        customer=customer, bureau_score=inputs["bureau_score"], overdue_count=inputs["overdue_count_24m"],
        litigation_count=inputs["litigation_count"], tax_rating=inputs["tax_rating"] or "",
        as_of=today - datetime.timedelta(days=30),
        statements_date=datetime.date(inputs["fiscal_year"], 12, 31) if inputs.get("fiscal_year") else None,
        due_on=due_on or today, data_version=1, last_evaluation=evaluation, last_evaluated_at=evaluation.created_at,
        last_total=evaluation.total, last_tier=evaluation.tier, last_bureau_score=inputs["bureau_score"],
        last_overdue_count=inputs["overdue_count_24m"], last_litigation_count=inputs["litigation_count"],
        last_fingerprint=fingerprint(compiled.version_id, 1, inputs["industry_risk_class"], False),
    )
    return customer


def set_credit(customer: Customer, **values) -> None:
    """New credit data for ``customer`` (as an import would store it: a new data version), due today."""
    CustomerCreditProfile.objects.filter(pk=customer.pk).update(
        due_on=timezone.localdate(), data_version=F("data_version") + 1, **values
    )
