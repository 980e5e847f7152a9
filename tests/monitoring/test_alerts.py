"""Alert triage: open → acknowledged → resolved or escalated, who may, and what follows."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import Notification
from accounts.roles import Role
from monitoring import runs, services
from monitoring.enums import AlertStatus, Indicator, Scope
from monitoring.models import AdmissionInputs, Alert, AlertEvent, AlertTally, AlertWeek, CustomerCreditProfile
from onboarding.enums import ApplicationKind, CustomerStatus, State
from onboarding.models import Application, Customer
from tests.approvals.conftest import cast, in_committee
from tests.factories import advance, user_with
from tests.monitoring.factories import admitted_customer, set_credit

pytestmark = pytest.mark.django_db


def _alert(**credit) -> Alert:
    customer = admitted_customer()
    set_credit(customer, **(credit or {"litigation_count": 2}))
    run = runs.plan_run(scope=Scope.DUE)
    runs.work(run_id=run.pk, budget=60)
    return Alert.objects.get(customer=customer)


def _tally(status: str, severity: str = "medium") -> int:
    found = AlertTally.objects.filter(severity=severity, status=status).first()
    return found.count if found else 0


def test_acknowledge_then_resolve_with_a_note(people):
    alert = _alert()
    services.alert_acknowledge(alert_id=alert.pk, actor=people["rosa"])
    alert.refresh_from_db()
    assert (alert.status, alert.assignee, alert.acknowledged_by) == (AlertStatus.ACKNOWLEDGED, people["rosa"],
                                                                     people["rosa"])
    services.alert_resolve(alert_id=alert.pk, actor=people["rick"], note="Lawsuit settled; see court record.")
    alert.refresh_from_db()
    assert (alert.status, alert.closed_by, alert.note) == (AlertStatus.RESOLVED, people["rick"],
                                                           "Lawsuit settled; see court record.")
    assert list(alert.events.values_list("action", flat=True)) == ["acknowledged", "resolved"]
    assert (_tally("open"), _tally("acknowledged"), _tally("resolved")) == (0, 0, 1)
    assert AlertWeek.objects.get().resolved == 1


def test_resolve_directly_from_open(people):
    alert = _alert()
    services.alert_resolve(alert_id=alert.pk, actor=people["rosa"], note="Known and accepted.")
    assert Alert.objects.get(pk=alert.pk).status == AlertStatus.RESOLVED


def test_resolve_requires_a_note(people):
    alert = _alert()
    with pytest.raises(ValidationError, match="how the alert was resolved"):
        services.alert_resolve(alert_id=alert.pk, actor=people["rosa"], note="  ")


@pytest.mark.parametrize("closing", ["resolve", "escalate"])
@pytest.mark.parametrize("action", ["acknowledge", "resolve", "escalate"])
def test_a_closed_alert_refuses_every_action(people, closing, action):
    alert = _alert()
    if closing == "resolve":
        services.alert_resolve(alert_id=alert.pk, actor=people["rosa"], note="done")
    else:
        services.alert_escalate(alert_id=alert.pk, actor=people["rosa"], note="review it")
    with pytest.raises(ValidationError, match="already"):
        if action == "acknowledge":
            services.alert_acknowledge(alert_id=alert.pk, actor=people["rick"])
        elif action == "resolve":
            services.alert_resolve(alert_id=alert.pk, actor=people["rick"], note="again")
        else:
            services.alert_escalate(alert_id=alert.pk, actor=people["rick"], note="again")


@pytest.mark.parametrize("who", ["alice", "ivan", "nora", "adam"])
def test_only_risk_managers_act(people, who):
    alert = _alert()
    for call in (
        lambda: services.alert_acknowledge(alert_id=alert.pk, actor=people[who]),
        lambda: services.alert_resolve(alert_id=alert.pk, actor=people[who], note="x"),
        lambda: services.alert_escalate(alert_id=alert.pk, actor=people[who], note="x"),
    ):
        with pytest.raises(PermissionDenied):
            call()
    assert Alert.objects.get(pk=alert.pk).status == AlertStatus.OPEN


def test_assignee_must_be_a_risk_manager(people):
    alert = _alert()
    with pytest.raises(ValidationError, match="active risk manager"):
        services.alert_acknowledge(alert_id=alert.pk, actor=people["rosa"], assignee=people["alice"])


def test_handing_over_notifies_the_new_assignee(people):
    alert = _alert()
    services.alert_acknowledge(alert_id=alert.pk, actor=people["rosa"])
    services.alert_acknowledge(alert_id=alert.pk, actor=people["rosa"], assignee=people["rick"])
    assert Alert.objects.get(pk=alert.pk).assignee == people["rick"]
    assert AlertEvent.objects.filter(alert=alert).last().action == AlertEvent.Action.ASSIGNED
    verbs = list(Notification.objects.filter(recipient=people["rick"]).values_list("verb", flat=True))
    assert sum("assigned 1 alert(s) to you" in verb for verb in verbs) == 1
    assert _tally("acknowledged") == 1


def test_escalation_puts_the_customer_under_review_and_opens_a_review_for_its_owner(people):
    alert = _alert()
    services.alert_escalate(alert_id=alert.pk, actor=people["rosa"], note="Two new lawsuits in a month.")
    alert.refresh_from_db()
    customer = Customer.objects.get(pk=alert.customer_id)
    assert alert.status == AlertStatus.ESCALATED
    assert customer.status == CustomerStatus.UNDER_REVIEW
    review = alert.review_application
    assert (review.kind, review.state, review.customer_id, review.created_by_id) == (
        ApplicationKind.REVIEW, State.DRAFT, customer.pk, customer.sales_owner_id,
    )
    assert Notification.objects.filter(recipient=customer.sales_owner).count() == 1
    assert (_tally("open"), _tally("escalated")) == (0, 1)


def test_second_escalation_reuses_the_open_review(people):
    first = _alert(litigation_count=2)
    customer = first.customer
    services.alert_escalate(alert_id=first.pk, actor=people["rosa"], note="first")
    set_credit(customer, bureau_score=600)
    runs.work(run_id=runs.plan_run(scope=Scope.DUE).pk, budget=60)
    second = Alert.objects.get(customer=customer, indicator=Indicator.BUREAU_DROP)
    services.alert_escalate(alert_id=second.pk, actor=people["rosa"], note="second")
    second.refresh_from_db()
    assert second.review_application_id == Alert.objects.get(pk=first.pk).review_application_id
    assert Application.objects.filter(customer=customer, kind="review").count() == 1


def test_bulk_acknowledge_skips_closed_alerts(people):
    alerts = [_alert() for _ in range(3)]
    services.alert_resolve(alert_id=alerts[0].pk, actor=people["rosa"], note="done")
    changed = services.alerts_acknowledge(alert_ids=[a.pk for a in alerts], actor=people["rosa"],
                                          assignee=people["rick"])
    assert sorted(a.pk for a in changed) == [alerts[1].pk, alerts[2].pk]
    assert (_tally("open"), _tally("acknowledged"), _tally("resolved")) == (0, 2, 1)


def test_tally_recount_agrees_with_the_kept_counts(people):
    alerts = [_alert() for _ in range(2)]
    services.alert_acknowledge(alert_id=alerts[0].pk, actor=people["rosa"])
    kept = {(t.severity, t.status): t.count for t in AlertTally.objects.filter(count__gt=0)}
    services.alert_tallies_recount()
    assert {(t.severity, t.status): t.count for t in AlertTally.objects.filter(count__gt=0)} == kept


def _decide(application, people, decision):
    """Votes until the committee's rule settles the round (a majority for tier A)."""
    for voter, department in (("fay", "finance"), ("leo", "legal"), ("bea", "business")):
        if Application.objects.get(pk=application.pk).state != State.COMMITTEE_REVIEW:
            return
        cast(application, people[voter], department, decision)


def test_escalated_review_goes_through_the_committee_which_changes_the_terms(django_capture_on_commit_callbacks):
    people = {
        "alice": user_with(Role.SALES, username="alice"), "rita": user_with(Role.DOCUMENT_REVIEWER, username="rita"),
        "ivan": user_with(Role.INVESTIGATOR, username="ivan"), "fay": user_with(Role.APPROVER_FINANCE, username="fay"),
        "leo": user_with(Role.APPROVER_LEGAL, username="leo"), "bea": user_with(Role.APPROVER_BUSINESS, username="bea"),
        "rosa": user_with(Role.RISK_MANAGER, username="rosa"),
    }
    with django_capture_on_commit_callbacks(execute=True):
        application = in_committee(people)
        _decide(application, people, "approve")
    customer = Application.objects.get(pk=application.pk).customer
    profile = CustomerCreditProfile.objects.get(pk=customer.pk)
    assert AdmissionInputs.objects.get(pk=customer.pk).application_id == application.pk
    assert (profile.bureau_score, profile.last_tier, profile.due_on) == (720, "A", customer.next_review_date)

    set_credit(customer, litigation_count=3)
    runs.work(run_id=runs.plan_run(scope=Scope.DUE).pk, budget=60)
    alert = Alert.objects.get(customer=customer, indicator=Indicator.NEW_LITIGATION)
    with django_capture_on_commit_callbacks(execute=True):
        services.alert_escalate(alert_id=alert.pk, actor=people["rosa"], note="Litigation keeps rising.")
    review = Alert.objects.get(pk=alert.pk).review_application
    assert review.legal_name_zh == application.legal_name_zh  # pre-filled from the approved application
    with django_capture_on_commit_callbacks(execute=True):
        review = advance(review, State.COMMITTEE_REVIEW, reviewer=people["rita"], investigator=people["ivan"])
        assert review.state == State.COMMITTEE_REVIEW, review.state
        _decide(review, people, "approve_with_conditions")
    customer.refresh_from_db()
    assert customer.status == CustomerStatus.ACTIVE
    assert customer.credit_limit == 500000
    assert AdmissionInputs.objects.get(pk=customer.pk).application_id == review.pk
