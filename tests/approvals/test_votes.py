"""Votes through the real service: the rule applied, segregation of duties, refusals, admission."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.utils import translation

from accounts.messages import render_stored
from accounts.models import Notification, User
from accounts.roles import Role
from approvals import services
from approvals.models import Round, Vote, VoteCondition
from onboarding import services as onboarding_services
from onboarding.enums import State
from onboarding.models import Application, Customer, CustomerCondition, StateChange
from onboarding.selectors import next_review_date
from tests.approvals.conftest import cast, in_committee, open_round
from tests.factories import user_with

pytestmark = pytest.mark.django_db
LATER = datetime.date.today() + datetime.timedelta(days=120)


def _refused(application, voter, department, decision="approve", **fields) -> list[str]:
    with pytest.raises(services.VoteRefused) as refused:
        cast(application, voter, department, decision, **fields)
    return refused.value.messages


def _state(application) -> str:
    return Application.objects.get(pk=application.pk).state


# --- The rule through the service ---

def test_majority_approval_waits_for_the_veto_holder(people, committee_app):
    """The veto race: finance and business approve, and legal — who can veto — still vetoes."""
    cast(committee_app, people["fay"], "finance", "approve")
    cast(committee_app, people["bea"], "business", "approve")
    assert _state(committee_app) == State.COMMITTEE_REVIEW
    round = open_round(committee_app)
    assert (round.outcome, round.waiting_for_veto) == ("", ["Legal"])

    vote = cast(committee_app, people["leo"], "legal", "reject", reason="Pending litigation with a state bank")

    assert _state(committee_app) == State.REJECTED
    assert (vote.round.outcome, vote.round.closed_at is not None) == ("rejected", True)
    change = StateChange.objects.get(application=committee_app, transition="committee_reject")
    assert change.reason == "Legal (Reject): Pending litigation with a state bank"
    assert Application.objects.get(pk=committee_app.pk).customer is None


def test_majority_approves_once_the_veto_holder_approves(people, committee_app):
    cast(committee_app, people["fay"], "finance", "approve")
    assert _state(committee_app) == State.COMMITTEE_REVIEW
    cast(committee_app, people["bea"], "business", "approve")
    assert _state(committee_app) == State.COMMITTEE_REVIEW
    vote = cast(committee_app, people["leo"], "legal", "approve")

    committee_app.refresh_from_db()
    assert committee_app.state == State.APPROVED
    assert (vote.round.outcome, vote.round.closed_at is not None) == ("approved", True)
    change = StateChange.objects.get(application=committee_app, transition="approve")
    assert (change.actor, change.from_state, change.to_state) == (None, "committee_review", "approved")
    assert change.reason == "Finance (Approve); Business (Approve); Legal (Approve)"
    customer = committee_app.customer
    assert (customer.status, customer.tier, customer.credit_limit, customer.payment_terms_days) == (
        "active", "A", Decimal("800000.00"), 60
    )
    assert customer.next_review_date == next_review_date("A")
    assert customer.sales_owner == people["alice"]
    assert customer.conditions.count() == 0


def test_majority_approves_without_the_veto_holder_when_the_policy_says_silence_consents(people):
    services.committee_policy_save(tier="A", departments=["finance", "legal", "business"], rule="majority",
                                   veto_departments=["legal"], veto_silence_consents=True, warning=False,
                                   actor=people["rosa"])
    application = in_committee(people)
    assert open_round(application).policy["silence_consents"] is True
    cast(application, people["fay"], "finance", "approve")
    cast(application, people["bea"], "business", "approve")
    assert _state(application) == State.APPROVED


def test_majority_rejects_without_waiting_for_the_veto_holder(people, committee_app):
    cast(committee_app, people["fay"], "finance", "reject", reason="Debt ratio too high")
    cast(committee_app, people["bea"], "business", "reject", reason="Market shrinking")
    assert _state(committee_app) == State.REJECTED


def test_legal_veto_rejects_at_once(people, committee_app):
    cast(committee_app, people["fay"], "finance", "approve")
    cast(committee_app, people["leo"], "legal", "reject", reason="Pending litigation with a state bank")

    assert _state(committee_app) == State.REJECTED
    change = StateChange.objects.get(application=committee_app, transition="committee_reject")
    assert change.reason == "Legal (Reject): Pending litigation with a state bank"
    assert Customer.objects.count() == 0
    assert Round.objects.get(application=committee_app).outcome == "rejected"


def test_majority_outvotes_a_reject_without_veto(people, committee_app):
    cast(committee_app, people["bea"], "business", "reject", reason="Thin margins")
    cast(committee_app, people["fay"], "finance", "approve")
    assert _state(committee_app) == State.COMMITTEE_REVIEW
    cast(committee_app, people["leo"], "legal", "approve")
    assert _state(committee_app) == State.APPROVED


def test_unanimous_tier_d_rejects_on_any_reject(people):
    application = in_committee(people, tax_rating="D")
    assert open_round(application).policy == {
        "tier": "D", "evaluated": True, "departments": ["finance", "legal", "business"], "rule": "unanimous",
        "veto": [], "warning": True, "silence_consents": False,
    }
    cast(application, people["fay"], "finance", "approve")
    cast(application, people["leo"], "legal", "approve")
    assert _state(application) == State.COMMITTEE_REVIEW
    cast(application, people["bea"], "business", "reject", reason="Tax rating D")
    assert _state(application) == State.REJECTED


def test_unanimous_tier_d_approves_when_all_approve(people):
    application = in_committee(people, tax_rating="D")
    cast(application, people["fay"], "finance", "approve_with_conditions", credit_limit=Decimal("100000"),
         payment_terms_days=0, conditions=[("Prepayment until the tax rating improves", LATER)])
    cast(application, people["leo"], "legal", "approve")
    cast(application, people["bea"], "business", "approve")
    application.refresh_from_db()
    assert application.state == State.APPROVED
    assert (application.customer.tier, application.customer.credit_limit, application.customer.payment_terms_days) == (
        "D", Decimal("100000.00"), 0
    )
    assert application.customer.next_review_date == next_review_date("D")


def test_request_information_returns_to_sales_owner_with_the_questions(people, committee_app):
    cast(committee_app, people["fay"], "finance", "approve")
    cast(committee_app, people["bea"], "business", "request_information",
         reason="Who are the three largest customers by revenue?")

    assert _state(committee_app) == State.RETURNED
    change = StateChange.objects.get(application=committee_app, transition="return_for_information")
    assert (change.actor, change.reason) == (
        None, "Business (Request information): Who are the three largest customers by revenue?"
    )
    assert Round.objects.get(application=committee_app).outcome == "information_requested"
    assert list(Notification.objects.filter(recipient=people["alice"]).values_list("verb", flat=True)) == [
        f"{committee_app.reference} {committee_app.display_name} was returned to you for more information: "
        "Business (Request information): Who are the three largest customers by revenue?"
    ]


def test_outcome_notifies_the_sales_owner_once(people, committee_app):
    before = Notification.objects.count()
    cast(committee_app, people["fay"], "finance", "approve")
    cast(committee_app, people["leo"], "legal", "approve")
    assert list(Notification.objects.order_by("pk")[before:].values_list("recipient__username", "verb")) == [
        ("alice", f"{committee_app.reference} {committee_app.display_name} was approved by the committee"),
    ]


# --- Conditions and terms ---

def test_conditions_and_most_restrictive_terms_reach_the_customer(people, committee_app):
    first, second = LATER, LATER + datetime.timedelta(days=30)
    cast(committee_app, people["fay"], "finance", "approve_with_conditions", reason="Cut the limit",
         credit_limit=Decimal("500000"), payment_terms_days=60,
         conditions=[("Audited statements for last year", first)])
    cast(committee_app, people["bea"], "business", "approve_with_conditions", reason="Shorter terms",
         credit_limit=Decimal("700000"), payment_terms_days=30,
         conditions=[("Personal guarantee of the legal representative", second), ("Quarterly management accounts", first)])
    cast(committee_app, people["leo"], "legal", "approve")

    customer = Application.objects.get(pk=committee_app.pk).customer
    assert (customer.credit_limit, customer.payment_terms_days) == (Decimal("500000.00"), 30)
    assert sorted(customer.conditions.values_list("text", "due_date", "fulfilled_at", "application_id")) == sorted([
        ("Audited statements for last year", first, None, committee_app.pk),
        ("Personal guarantee of the legal representative", second, None, committee_app.pk),
        ("Quarterly management accounts", first, None, committee_app.pk),
    ])


def test_plain_approvals_admit_with_the_requested_terms_even_beside_a_reject(people, committee_app):
    cast(committee_app, people["bea"], "business", "reject", reason="No")
    cast(committee_app, people["fay"], "finance", "approve")
    cast(committee_app, people["leo"], "legal", "approve")
    customer = Application.objects.get(pk=committee_app.pk).customer
    assert (customer.credit_limit, customer.payment_terms_days) == (Decimal("800000.00"), 60)


# --- Refusals ---

@pytest.mark.parametrize(
    ("who", "message"),
    [
        ("alice", "You created this application: you cannot vote on it."),
        ("rita", "You reviewed the documents of this application: you cannot vote on it."),
        ("ivan", "You investigated this application: you cannot vote on it."),
    ],
)
def test_segregation_of_duties_refuses_creator_reviewer_investigator(people, committee_app, who, message):
    people[who].groups.add(Group.objects.get(name=Role.APPROVER_FINANCE))
    person = User.objects.get(pk=people[who].pk)
    assert _refused(committee_app, person, "finance") == [message]
    assert Vote.objects.count() == 0


def test_second_vote_of_a_department_refused(people, committee_app):
    cast(committee_app, people["fay"], "finance", "approve")
    other = user_with(Role.APPROVER_FINANCE)
    assert _refused(committee_app, other, "finance") == ["The Finance department has already voted in this round."]
    assert Vote.objects.count() == 1


def test_person_with_two_roles_votes_for_one_department_per_round(people, committee_app):
    both = user_with(Role.APPROVER_FINANCE, Role.APPROVER_LEGAL)
    cast(committee_app, both, "finance", "approve")
    assert _refused(committee_app, both, "legal") == [
        "You have already voted in this round (for Finance). Votes are final."
    ]
    assert Vote.objects.count() == 1


def test_same_person_same_department_twice_refused(people, committee_app):
    cast(committee_app, people["fay"], "finance", "reject", reason="Weak cash flow")
    assert _refused(committee_app, people["fay"], "finance") == [
        "You have already voted in this round (for Finance). Votes are final."
    ]
    assert Vote.objects.get().decision == "reject"


def test_vote_on_a_decided_round_refused(people, committee_app):
    round = open_round(committee_app)
    cast(committee_app, people["fay"], "finance", "approve")
    cast(committee_app, people["leo"], "legal", "approve")
    with pytest.raises(services.VoteRefused) as refused:
        services.vote_cast(application_id=committee_app.pk, round_id=round.pk, voter=people["bea"],
                           department="business", decision="reject", reason="x")
    assert refused.value.messages == ["This round has already been decided (Approved): your vote was not recorded."]
    assert Vote.objects.count() == 2
    assert StateChange.objects.filter(application=committee_app, transition="approve").count() == 1


def test_voter_without_the_department_role_refused(people, committee_app):
    assert _refused(committee_app, people["fay"], "legal") == ["Only a Legal approver can vote for that department."]
    assert _refused(committee_app, people["rosa"], "finance") == [
        "Only a Finance approver can vote for that department."
    ]


def test_department_not_required_by_the_policy_refused(people):
    services.committee_policy_save(tier="A", departments=["finance", "legal"], rule="majority",
                                   veto_departments=["legal"], warning=False, actor=people["rosa"])
    application = in_committee(people)
    assert _refused(application, people["bea"], "business") == [
        "The Business department does not vote in this round."
    ]


@pytest.mark.parametrize(
    ("decision", "fields", "messages"),
    [
        ("reject", {"reason": ""}, ["Please give a reason (required for every decision but a plain approval)."]),
        ("reject", {"reason": "x" * 4001}, ["The reason is too long (at most 4000 characters)."]),
        ("request_information", {"reason": "  "},
         ["Please give a reason (required for every decision but a plain approval)."]),
        ("approve_with_conditions", {"credit_limit": None, "payment_terms_days": None},
         ["An approval with conditions sets the credit limit and the payment terms."]),
        ("approve_with_conditions", {"credit_limit": Decimal("900000")},
         ["The credit limit cannot exceed the requested 800,000 CNY."]),
        ("approve_with_conditions", {"payment_terms_days": 90},
         ["The payment terms cannot be longer than the requested 60 days."]),
        ("approve_with_conditions", {"conditions": [("Audit", datetime.date(2020, 1, 1))]},
         ["The due date of “Audit” must be today or later."]),
        ("approve", {"credit_limit": Decimal("1")},
         ["Only an approval with conditions sets a credit limit, payment terms or conditions."]),
        ("reject", {"customer_action": "offboard"}, ["Only a rejection of a re-review says what happens to the customer."]),
    ],
)
def test_vote_content_checked(people, committee_app, decision, fields, messages):
    assert _refused(committee_app, people["fay"], "finance", decision, **fields) == messages
    assert (Vote.objects.count(), VoteCondition.objects.count()) == (0, 0)


def test_votes_are_final_the_service_never_updates_one(people, committee_app):
    vote = cast(committee_app, people["fay"], "finance", "approve")
    with pytest.raises(services.VoteRefused):
        cast(committee_app, people["fay"], "finance", "reject", reason="changed my mind")
    assert Vote.objects.get(pk=vote.pk).decision == "approve"


# --- Rounds and policy snapshots ---

def test_policy_change_does_not_change_an_open_round(people, committee_app):
    services.committee_policy_save(tier="A", departments=["finance", "legal", "business"], rule="unanimous",
                                   veto_departments=[], warning=True, actor=people["rosa"])
    cast(committee_app, people["fay"], "finance", "approve")
    cast(committee_app, people["leo"], "legal", "approve")
    assert _state(committee_app) == State.APPROVED  # the majority rule the round opened with


def test_withdrawal_closes_the_round(people, committee_app):
    onboarding_services.application_transition(application_id=committee_app.pk, transition="withdraw",
                                               actor=people["alice"])
    round = Round.objects.get(application=committee_app)
    assert (round.outcome, round.closed_at is not None) == ("withdrawn", True)
    with pytest.raises(services.VoteRefused) as refused:
        services.vote_cast(application_id=committee_app.pk, round_id=round.pk, voter=people["fay"],
                           department="finance", decision="approve")
    assert refused.value.messages == ["This round has already been decided (Withdrawn): your vote was not recorded."]


# --- Re-reviews of admitted customers ---

def _admitted(people) -> Customer:
    application = in_committee(people)
    cast(application, people["fay"], "finance", "approve")
    cast(application, people["leo"], "legal", "approve")
    return Application.objects.get(pk=application.pk).customer


def _review_in_committee(people, customer):
    from tests.factories import advance

    review = onboarding_services.application_open_review(customer=customer, reason="Escalated alert")
    assert Customer.objects.get(pk=customer.pk).status == "under_review"
    return advance(review, State.COMMITTEE_REVIEW, reviewer=people["rita"], investigator=people["ivan"])


def test_review_approval_keeps_customer_active_with_new_terms(people):
    customer = _admitted(people)
    review = _review_in_committee(people, customer)
    cast(review, people["fay"], "finance", "approve_with_conditions", reason="Lower exposure",
         credit_limit=Decimal("300000"), payment_terms_days=30, conditions=[("Bank guarantee", LATER)])
    cast(review, people["leo"], "legal", "approve")

    customer.refresh_from_db()
    assert (customer.status, customer.credit_limit, customer.payment_terms_days) == (
        "active", Decimal("300000.00"), 30
    )
    assert Customer.objects.count() == 1
    assert list(CustomerCondition.objects.values_list("text", "application_id")) == [("Bank guarantee", review.pk)]


@pytest.mark.parametrize(("actions", "status"), [(["suspend", "suspend"], "suspended"),
                                                   (["suspend", "offboard"], "offboarded")])
def test_review_rejection_suspends_or_offboards_offboard_wins(people, actions, status):
    customer = _admitted(people)
    review = _review_in_committee(people, customer)
    cast(review, people["fay"], "finance", "reject", reason="Overdue payments", customer_action=actions[0])
    cast(review, people["bea"], "business", "reject", reason="Lost market", customer_action=actions[1])

    assert _state(review) == State.REJECTED
    customer.refresh_from_db()
    assert customer.status == status
    with translation.override("en"):
        assert render_stored(customer.history.first().history_change_reason) == (
            f"{review.reference} rejected by the committee"
        )


def test_review_rejection_needs_the_customer_action(people):
    customer = _admitted(people)
    review = _review_in_committee(people, customer)
    assert _refused(review, people["fay"], "finance", "reject", reason="Overdue") == [
        "Say whether the customer is to be suspended or offboarded if the committee rejects."
    ]


def test_long_questions_are_shortened_for_the_transition_and_kept_on_the_vote(people, committee_app):
    questions = "Please explain the drop in operating cash flow. " * 8
    cast(committee_app, people["leo"], "legal", "request_information", reason=questions)

    change = StateChange.objects.get(application=committee_app, transition="return_for_information")
    prefix = "Legal (Request information): "
    with translation.override("en"):
        assert len(change.reason_text) == len(prefix) + services.SUMMARY_REASON_CHARS
        assert change.reason_text.startswith(prefix + "Please explain the drop")
        assert change.reason_text.endswith("…")
    assert Vote.objects.get().reason == questions.strip()
