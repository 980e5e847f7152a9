"""People for the notification tests.

alice owns the applications and also holds reviewer roles (to prove the creator is left
out); rita reviews documents and can investigate (to prove the document reviewer is left
out of the investigators); rick is inactive; bob is another sales person (an outsider);
nora is signed in with no role at all (the wrong role).
"""

import pytest

from accounts.roles import Role
from tests.factories import ApplicationFactory, user_with


@pytest.fixture
def people(db):
    return {
        "alice": user_with(Role.SALES, Role.DOCUMENT_REVIEWER, Role.INVESTIGATOR, username="alice"),
        "bob": user_with(Role.SALES, username="bob"),
        "rita": user_with(Role.DOCUMENT_REVIEWER, Role.INVESTIGATOR, username="rita"),
        "rex": user_with(Role.DOCUMENT_REVIEWER, username="rex"),
        "ivan": user_with(Role.INVESTIGATOR, username="ivan"),
        "iris": user_with(Role.INVESTIGATOR, username="iris"),
        "rick": user_with(Role.DOCUMENT_REVIEWER, Role.INVESTIGATOR, username="rick", is_active=False),
        "rosa": user_with(Role.RISK_MANAGER, username="rosa"),
        "fay": user_with(Role.APPROVER_FINANCE, username="fay"),
        "nora": user_with(username="nora"),
    }


@pytest.fixture
def owned(people):
    """A complete draft application of alice's."""
    return ApplicationFactory(created_by=people["alice"])
