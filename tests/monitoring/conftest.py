import pytest

from accounts.roles import Role
from tests.factories import user_with


@pytest.fixture
def people(db):
    """rosa and rick are risk managers, alice sells, ivan investigates, nora has no role."""
    return {
        "rosa": user_with(Role.RISK_MANAGER, username="rosa"),
        "rick": user_with(Role.RISK_MANAGER, username="rick"),
        "alice": user_with(Role.SALES, username="alice"),
        "ivan": user_with(Role.INVESTIGATOR, username="ivan"),
        "nora": user_with(username="nora"),
        "adam": user_with(Role.ADMIN, username="adam"),
    }


@pytest.fixture(autouse=True)
def _english():
    """Messages are compared in English, whatever language an earlier test left active."""
    from django.utils import translation

    with translation.override("en"):
        yield
