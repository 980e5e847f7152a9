"""People and helpers for the committee tests.

fay (finance), leo (legal) and bea (business) are the approvers; alice owns the
applications, rita reviews their documents and ivan investigates them; rosa is a risk
manager; bob is another sales person (an outsider); nora is signed in with no role.
"""

from decimal import Decimal

import pytest

from accounts.roles import Role
from approvals import services
from approvals.models import Round, Vote
from onboarding.enums import State
from tests.factories import ApplicationFactory, advance, user_with


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


def in_committee(people, **fields):
    """An application of alice's in committee review (reviewed by rita, investigated by ivan)."""
    application = ApplicationFactory(created_by=people["alice"], **fields)
    return advance(application, State.COMMITTEE_REVIEW, reviewer=people["rita"], investigator=people["ivan"])


def open_round(application) -> Round:
    return Round.objects.get(application=application, closed_at__isnull=True)


def cast(application, voter, department, decision, **fields) -> Vote:
    if decision != "approve":
        fields.setdefault("reason", f"{department} says {decision}")
    if decision == "approve_with_conditions":
        fields.setdefault("credit_limit", Decimal("500000"))
        fields.setdefault("payment_terms_days", 30)
    return services.vote_cast(application_id=application.pk, round_id=open_round(application).pk, voter=voter,
                              department=department,
                              decision=decision, **fields)


@pytest.fixture
def committee_app(people):
    """Tier A (majority, legal veto) with the factory's data."""
    return in_committee(people)
