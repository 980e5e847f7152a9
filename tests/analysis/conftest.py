import pytest
from django.utils import translation

from accounts.roles import Role
from tests.factories import user_with


@pytest.fixture
def people(db):
    return {
        "alice": user_with(Role.SALES, username="alice"),
        "bob": user_with(Role.SALES, username="bob"),
        "rita": user_with(Role.DOCUMENT_REVIEWER, username="rita"),
        "ivan": user_with(Role.INVESTIGATOR, username="ivan"),
        "fay": user_with(Role.APPROVER_FINANCE, username="fay"),
        "leo": user_with(Role.APPROVER_LEGAL, username="leo"),
        "bea": user_with(Role.APPROVER_BUSINESS, username="bea"),
        "rosa": user_with(Role.RISK_MANAGER, username="rosa"),
        "nora": user_with(username="nora"),
    }


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield
