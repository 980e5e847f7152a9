"""Rounds open on entering committee review and tell exactly the approvers who may vote."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.models import Notification
from accounts.roles import Role
from approvals import services
from approvals.models import Round
from onboarding import services as onboarding_services
from onboarding.enums import State
from onboarding.models import Application
from tests.approvals.conftest import cast, in_committee
from tests.factories import ApplicationFactory, prepare_background_check, user_with

pytestmark = pytest.mark.django_db


def _committee_notified(application) -> set[str]:
    url = reverse("approvals:review", args=[application.pk])
    return set(Notification.objects.filter(url=url).values_list("recipient__username", flat=True))


def test_round_opens_with_the_policy_of_the_evaluated_tier(people, committee_app):
    round = Round.objects.get(application=committee_app)
    assert (round.number, round.closed_at, round.outcome) == (1, None, "")
    assert round.policy == {
        "tier": "A", "evaluated": True, "departments": ["finance", "legal", "business"], "rule": "majority",
        "veto": ["legal"], "warning": False, "silence_consents": False,
    }


def test_entering_committee_notifies_exactly_the_approvers_of_the_required_departments(people):
    # People who hold an approver role but may not vote on this application, and one inactive approver.
    for name in ("alice", "rita", "ivan"):
        people[name].groups.add(Group.objects.get(name=Role.APPROVER_LEGAL))
    user_with(Role.APPROVER_FINANCE, username="gone", is_active=False)
    both = user_with(Role.APPROVER_FINANCE, Role.APPROVER_BUSINESS, username="tess")

    application = in_committee(people)

    assert _committee_notified(application) == {"fay", "leo", "bea", "tess"}
    assert Notification.objects.filter(recipient=both).count() == 1
    assert Notification.objects.get(recipient=people["fay"]).verb == (
        f"{application.reference} {application.display_name} awaits your committee vote (tier A, round 1)"
    )


def test_only_the_departments_the_policy_requires_are_notified(people):
    services.committee_policy_save(tier="A", departments=["finance", "legal"], rule="unanimous",
                                   veto_departments=[], warning=False, actor=people["rosa"])
    application = in_committee(people)
    assert _committee_notified(application) == {"fay", "leo"}


def test_without_an_evaluation_the_round_is_tier_d(people):
    application = ApplicationFactory(created_by=people["alice"])
    round = services.round_open(application=application)
    assert round.policy == {
        "tier": "D", "evaluated": False, "departments": ["finance", "legal", "business"], "rule": "unanimous",
        "veto": [], "warning": True, "silence_consents": False,
    }


def test_request_information_returned_resubmitted_round_two_with_round_one_visible(people, client):
    application = in_committee(people)
    cast(application, people["fay"], "finance", "approve")
    cast(application, people["leo"], "legal", "request_information", reason="Explain the 2 lawsuits")
    assert Application.objects.get(pk=application.pk).state == State.RETURNED

    def take(transition, actor):
        onboarding_services.application_transition(application_id=application.pk, transition=transition, actor=actor)

    take("resubmit", people["alice"])
    take("pass_documents", people["rita"])
    prepare_background_check(Application.objects.get(pk=application.pk), people["ivan"])
    before = Notification.objects.count()
    take("pass_background_check", people["ivan"])

    rounds = list(Round.objects.filter(application=application).order_by("number"))
    assert [(r.number, r.outcome, r.votes.count()) for r in rounds] == [
        (1, "information_requested", 2), (2, "", 0),
    ]
    assert set(Notification.objects.order_by("pk")[before:].values_list("recipient__username", flat=True)) == {
        "fay", "leo", "bea",
    }
    # The same people vote again in round 2; the legal question no longer blocks.
    cast(application, people["leo"], "legal", "approve")
    cast(application, people["bea"], "business", "approve")
    assert Application.objects.get(pk=application.pk).state == State.APPROVED

    client.force_login(people["fay"])
    page = client.get(reverse("approvals:review", args=[application.pk])).content.decode()
    assert 'id="round-1" data-outcome="information_requested"' in page
    assert 'id="round-2" data-outcome="approved"' in page
    assert "Explain the 2 lawsuits" in page


def test_nobody_left_to_vote_when_every_approver_is_excluded(people):
    """An application whose investigator is the only legal approver: the others are told, legal is not."""
    for name in ("leo",):
        people[name].groups.remove(Group.objects.get(name=Role.APPROVER_LEGAL))
    people["ivan"].groups.add(Group.objects.get(name=Role.APPROVER_LEGAL))
    application = in_committee(people)
    assert _committee_notified(application) == {"fay", "bea"}
