import itertools
from decimal import Decimal

import pytest
from django.utils import translation

from accounts.roles import Role
from onboarding.models import Customer
from tests.factories import credit_code, user_with

_numbers = itertools.count(7000)


def make_customer(*, owner, credit_limit="10000", status="active") -> Customer:
    n = next(_numbers)
    return Customer.objects.create(
        name=f"表现客户{n}有限公司", credit_code=credit_code(n), customer_type="sme", tier="B", status=status,
        sales_owner=owner, credit_limit=Decimal(credit_limit), payment_terms_days=30,
    )


@pytest.fixture
def people(db):
    """rosa is a risk manager, alice sells (owns the customers), bob sells too, fay approves, nora has no role."""
    return {
        "rosa": user_with(Role.RISK_MANAGER, username="rosa"),
        "alice": user_with(Role.SALES, username="alice"),
        "bob": user_with(Role.SALES, username="bob"),
        "fay": user_with(Role.APPROVER_FINANCE, username="fay"),
        "nora": user_with(username="nora"),
    }


@pytest.fixture
def customer(people):
    return make_customer(owner=people["alice"])


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield
