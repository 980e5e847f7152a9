"""approvals.demo: one admitted customer and one application awaiting votes, idempotent."""

from decimal import Decimal
from io import StringIO

import pytest

from approvals.demo import ADMITTED, AWAITING_VOTES, seed_approvals
from approvals.models import Round, Vote
from onboarding.demo import seed_onboarding
from onboarding.enums import State
from onboarding.models import Application, Customer
from screening.demo import seed_screening

pytestmark = pytest.mark.django_db


def test_seed_approvals_admits_one_customer_and_leaves_one_round_open():
    seed_onboarding(StringIO())
    seed_screening(StringIO())
    seed_approvals(StringIO())

    admitted = Application.objects.get(credit_code=ADMITTED.credit_code)
    assert admitted.state == State.APPROVED
    customer = admitted.customer
    assert (customer.name, customer.credit_limit, customer.payment_terms_days, customer.sales_owner.username) == (
        ADMITTED.name_zh, Decimal("1500000.00"), 45, "sales1"
    )
    assert list(customer.conditions.values_list("text", flat=True)) == ["提供经审计的上一年度财务报表"]

    awaiting = Application.objects.get(credit_code=AWAITING_VOTES.credit_code)
    assert awaiting.state == State.COMMITTEE_REVIEW
    round = Round.objects.get(application=awaiting)
    assert [(v.department, v.voter.username, v.decision) for v in round.votes.all()] == [
        ("finance", "finance1", "approve")
    ]

    before = (Application.objects.count(), Customer.objects.count(), Vote.objects.count())
    out = StringIO()
    seed_approvals(out)
    assert (Application.objects.count(), Customer.objects.count(), Vote.objects.count()) == before
    assert "exists" in out.getvalue()
