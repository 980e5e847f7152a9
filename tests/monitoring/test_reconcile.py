"""The reconciliation: work whose message a broker outage lost is found and queued again, once.

The outage is real: the Celery app is pointed at a Redis port where nothing listens (eager
mode off), so ``enqueue_on_commit`` meets the connection error it meets in production and
swallows it. "The broker is back" puts the app back in the tests' eager mode, in which a
queued task runs at once, as a worker would run it.
"""

from __future__ import annotations

import datetime
import io
import logging
import socket

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from accounts.models import Notification
from accounts.roles import Role
from accounts.services import notify
from config.celery import app as celery_app
from monitoring import runs
from monitoring.enums import JobKind, LostWork, RunStatus, Scope, Trigger
from monitoring.models import AdmissionInputs, CustomerCreditProfile, JobRun, Reconciliation
from monitoring.reconcile import lost_work, reconcile
from onboarding import guards
from onboarding.enums import State
from onboarding.models import Application
from onboarding.services import application_transition
from screening import services as screening_services
from screening.enums import InvestigationKind
from screening.models import Evaluation
from screening.selectors import investigation_requirements
from tests.approvals.conftest import cast, in_committee
from tests.factories import ApplicationFactory, accept_all_documents, advance, pdf_upload, user_with
from watchlists.models import ScreeningRun

pytestmark = pytest.mark.django_db

NOT_SCREENED = "Watchlist screening has not finished yet; try again in a moment."
NOT_EVALUATED = "The application has not been evaluated with the scorecard yet."


def dead_redis_url() -> str:
    """A Redis URL on a port where nothing listens (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"


class Broker:
    """Points the project's Celery app at a broker, and back at the tests' eager mode."""

    def __init__(self) -> None:
        self.saved = (celery_app.conf.broker_url, celery_app.conf.task_always_eager)

    def _use(self, url: str, eager: bool) -> None:
        # Celery keeps a connection pool to the broker it first used: forget it (not closed:
        # kombu shares the pool's producers between apps of the same broker).
        celery_app._pool = None
        celery_app.amqp._producer_pool = None
        celery_app.conf.broker_url = url
        celery_app.conf.task_always_eager = eager

    def down(self) -> None:
        self._use(dead_redis_url(), eager=False)

    def without_worker(self) -> None:
        """A broker that takes messages which no worker ever runs (they are lost with it)."""
        self._use("memory://", eager=False)

    def back(self) -> None:
        self._use(*self.saved)


@pytest.fixture
def broker():
    found = Broker()
    yield found
    found.back()


def in_outage(broker, django_capture_on_commit_callbacks, action):
    """Do ``action`` while the broker is down, running its on-commit callbacks (which fail to queue)."""
    broker.down()
    try:
        with django_capture_on_commit_callbacks(execute=True):
            with transaction.atomic():
                result = action()
    finally:
        broker.back()
    return result


def later(minutes: float) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(minutes=minutes)


def record_investigation(application: Application, investigator) -> None:
    """The investigation records the policy requires (not the screening, not the evaluation)."""
    for requirement in investigation_requirements(application):
        if not requirement.missing:
            continue
        if requirement.kind == InvestigationKind.INTERVIEW:
            screening_services.interview_record(
                application=application, actor=investigator, date=datetime.date(2026, 1, 5), participants="CFO",
                business_model="Direct sales", management="Stable", findings="None",
            )
        elif requirement.kind == InvestigationKind.SITE_VISIT:
            screening_services.site_visit_record(
                application=application, actor=investigator, date=datetime.date(2026, 1, 6),
                address=application.operating_address, operations="Running", premises="Owned", staff="420",
            )
        else:
            screening_services.third_party_report_record(
                application=application, actor=investigator, upload=pdf_upload("report.pdf"), provider="D&B",
                report_date=datetime.date(2026, 1, 7), conclusion="No concerns",
            )


@pytest.fixture
def in_review(sales, reviewer):
    """An application in document review with every document accepted: ready for pass_documents."""
    application = advance(ApplicationFactory(created_by=sales), State.DOCUMENT_REVIEW)
    accept_all_documents(application, reviewer)
    return application


def pass_documents_in_outage(application, reviewer, broker, django_capture_on_commit_callbacks, caplog):
    with caplog.at_level(logging.ERROR, logger="vetted.tasks"):
        in_outage(broker, django_capture_on_commit_callbacks, lambda: application_transition(
            application_id=application.pk, transition="pass_documents", actor=reviewer,
        ))
    assert "Could not queue watchlists.screen_application" in caplog.text
    assert "Could not queue screening.evaluate_application" in caplog.text
    return Application.objects.get(pk=application.pk)


def test_screening_and_evaluation_lost_in_an_outage_are_done_by_the_reconciliation(
    broker, django_capture_on_commit_callbacks, caplog, in_review, reviewer, investigator,
):
    application = pass_documents_in_outage(in_review, reviewer, broker, django_capture_on_commit_callbacks, caplog)
    assert application.state == State.BACKGROUND_CHECK  # the transition stood
    assert not ScreeningRun.objects.filter(application=application).exists()
    assert not Evaluation.objects.filter(application=application).exists()
    record_investigation(application, investigator)
    blockers = guards.blockers(application, "pass_background_check")
    assert NOT_SCREENED in blockers
    assert NOT_EVALUATED in blockers

    found = lost_work(now=later(5))
    assert found[LostWork.SCREENING] == [application.pk]
    assert found[LostWork.EVALUATION] == [application.pk]
    record = reconcile(now=later(5))

    assert record.counts[LostWork.SCREENING] == 1
    assert record.counts[LostWork.EVALUATION] == 1
    assert record.queued[LostWork.SCREENING] == [application.pk]
    assert ScreeningRun.objects.filter(application=application).count() == 1
    assert Evaluation.objects.filter(application=application).count() == 1
    application.refresh_from_db()
    assert guards.blockers(application, "pass_background_check") == []
    change = application_transition(application_id=application.pk, transition="pass_background_check",
                                    actor=investigator)
    assert change.to_state == State.COMMITTEE_REVIEW


def test_a_second_pass_queues_nothing(broker, django_capture_on_commit_callbacks, caplog, in_review, reviewer):
    application = pass_documents_in_outage(in_review, reviewer, broker, django_capture_on_commit_callbacks, caplog)
    first = reconcile(now=later(5))
    assert first.total >= 2
    # Well after the re-queue window: nothing is left because the work was done, not because it was skipped.
    second = reconcile(now=later(30))
    assert second.counts == {}
    assert second.not_queued == 0
    assert ScreeningRun.objects.filter(application=application).count() == 1
    assert Evaluation.objects.filter(application=application).count() == 1
    assert Reconciliation.objects.count() == 2


def test_work_within_the_grace_period_is_not_queued_again(
    broker, django_capture_on_commit_callbacks, caplog, in_review, reviewer,
):
    application = pass_documents_in_outage(in_review, reviewer, broker, django_capture_on_commit_callbacks, caplog)
    record = reconcile(now=later(1))  # entered a minute ago: its own message may still be on the way
    assert record.counts == {}
    assert not ScreeningRun.objects.filter(application=application).exists()
    assert lost_work(now=later(3))[LostWork.SCREENING] == [application.pk]


def test_queued_but_not_yet_run_is_not_queued_again_until_the_window_passes(
    broker, django_capture_on_commit_callbacks, caplog, in_review, reviewer,
):
    application = pass_documents_in_outage(in_review, reviewer, broker, django_capture_on_commit_callbacks, caplog)
    broker.without_worker()
    first = reconcile(now=later(5))
    assert first.queued[LostWork.SCREENING] == [application.pk]
    assert first.queued[LostWork.EVALUATION] == [application.pk]
    assert reconcile(now=later(10)).counts == {}  # the first pass's messages are in flight
    third = reconcile(now=later(16))  # ten minutes on and still not done: those messages were lost
    assert third.queued[LostWork.SCREENING] == [application.pk]


def test_a_pass_with_the_broker_still_down_queues_nothing_and_the_next_one_does(
    broker, django_capture_on_commit_callbacks, caplog, in_review, reviewer,
):
    application = pass_documents_in_outage(in_review, reviewer, broker, django_capture_on_commit_callbacks, caplog)
    broker.down()
    refused = reconcile(trigger=Trigger.COMMAND, now=later(5))
    assert refused.counts == {}
    assert refused.not_queued >= 2
    assert "Connection refused" in refused.error_log[0]
    broker.back()
    done = reconcile(now=later(6))  # not skipped: nothing was queued by the refused pass
    assert done.queued[LostWork.SCREENING] == [application.pk]
    assert ScreeningRun.objects.filter(application=application).count() == 1


@pytest.fixture
def committee(db):
    """The people ``tests.approvals.conftest.in_committee`` and ``cast`` expect."""
    return {
        "alice": user_with(Role.SALES, username="alice"), "rita": user_with(Role.DOCUMENT_REVIEWER, username="rita"),
        "ivan": user_with(Role.INVESTIGATOR, username="ivan"), "fay": user_with(Role.APPROVER_FINANCE, username="fay"),
        "leo": user_with(Role.APPROVER_LEGAL, username="leo"), "bea": user_with(Role.APPROVER_BUSINESS, username="bea"),
    }


def test_customer_admitted_in_an_outage_gets_its_credit_profile_from_the_reconciliation(
    broker, django_capture_on_commit_callbacks, committee,
):
    people = committee
    application = in_committee(people)

    def approve():
        for voter, department in (("fay", "finance"), ("leo", "legal"), ("bea", "business")):
            if Application.objects.get(pk=application.pk).state == State.COMMITTEE_REVIEW:
                cast(application, people[voter], department, "approve")

    in_outage(broker, django_capture_on_commit_callbacks, approve)
    application.refresh_from_db()
    assert application.state == State.APPROVED
    customer = application.customer
    assert not CustomerCreditProfile.objects.filter(customer=customer).exists()

    assert lost_work(now=later(1))[LostWork.PROFILE] == []  # within the grace period
    record = reconcile(now=later(5))
    assert record.queued[LostWork.PROFILE] == [application.pk]
    profile = CustomerCreditProfile.objects.get(customer=customer)
    assert profile.due_on == customer.next_review_date
    baseline = AdmissionInputs.objects.get(customer=customer)
    assert baseline.application_id == application.pk
    assert baseline.evaluation_id == Evaluation.objects.filter(application=application).latest("created_at").pk
    assert reconcile(now=later(30)).counts.get(LostWork.PROFILE) is None


def test_re_review_approved_in_an_outage_becomes_the_baseline(broker, django_capture_on_commit_callbacks, committee):
    from monitoring.services import profile_sync
    from onboarding.services import application_open_review

    people = committee
    first = in_committee(people)
    cast(first, people["fay"], "finance", "approve")
    cast(first, people["leo"], "legal", "approve")
    first.refresh_from_db()
    profile_sync(application_id=first.pk)  # the first approval's task ran
    customer = first.customer
    review = application_open_review(customer=customer, reason="Escalated alert")
    review = advance(review, State.COMMITTEE_REVIEW, reviewer=people["rita"], investigator=people["ivan"])

    def approve():
        cast(review, people["fay"], "finance", "approve")
        cast(review, people["leo"], "legal", "approve")

    in_outage(broker, django_capture_on_commit_callbacks, approve)
    assert AdmissionInputs.objects.get(customer=customer).application_id == first.pk  # the sync was lost

    record = reconcile(now=later(5))
    assert record.queued[LostWork.PROFILE] == [review.pk]  # not the first approval: only the latest counts
    baseline = AdmissionInputs.objects.get(customer=customer)
    assert baseline.application_id == review.pk
    assert baseline.evaluation_id == Evaluation.objects.filter(application=review).latest("created_at").pk
    assert reconcile(now=later(30)).counts.get(LostWork.PROFILE) is None


def test_notifications_lost_in_an_outage_are_emailed_once(broker, django_capture_on_commit_callbacks, db):
    people = [user_with(username=f"n{i}") for i in range(3)]
    opted_out = user_with(username="quiet", email_notifications=False)
    in_outage(broker, django_capture_on_commit_callbacks,
              lambda: notify(recipients=[*people, opted_out], verb="Please look", url="/x/"))
    assert len(mail.outbox) == 0
    assert Notification.objects.filter(emailed_at__isnull=True).count() == 4

    record = reconcile(now=later(5))
    assert record.counts == {LostWork.EMAIL: 3}
    assert sorted(message.to[0] for message in mail.outbox) == ["n0@example.com", "n1@example.com", "n2@example.com"]
    assert reconcile(now=later(30)).counts == {}
    from accounts.tasks import send_notification_emails

    send_notification_emails.delay(notification_ids=list(Notification.objects.values_list("pk", flat=True)))
    assert len(mail.outbox) == 3  # each e-mailed once, however often the task runs


def test_old_notifications_are_not_emailed(db):
    notification = notify(recipients=[user_with(username="old")], verb="Long ago")[0]
    Notification.objects.filter(pk=notification.pk).update(created_at=timezone.now() - datetime.timedelta(days=2))
    assert reconcile(now=later(5)).counts == {}
    assert len(mail.outbox) == 0


def test_an_abandoned_hourly_check_no_longer_blocks_the_next_one(db):
    stuck = JobRun.objects.create(kind=JobKind.OVERDUE_CHECK, scope=Scope.ALL, trigger=Trigger.SCHEDULE, chunks=0,
                                  started_at=timezone.now() - datetime.timedelta(hours=3))
    assert runs.overdue_check() is None  # blocked by the run whose worker died
    record = reconcile()
    assert record.counts == {LostWork.RUN: 1}
    stuck.refresh_from_db()
    assert stuck.status == RunStatus.FAILED
    assert stuck.error_log == ["Abandoned: still running after two hours (its worker stopped)."]
    assert runs.overdue_check().status == RunStatus.FINISHED
    assert reconcile().counts == {}


def test_a_running_hourly_check_is_left_alone(db):
    running = JobRun.objects.create(kind=JobKind.OVERDUE_CHECK, scope=Scope.ALL, chunks=0,
                                    started_at=timezone.now() - datetime.timedelta(minutes=30))
    assert reconcile().counts == {}
    assert JobRun.objects.get(pk=running.pk).status == RunStatus.RUNNING


def test_tick_reconciles_and_records_the_pass(db):
    result = runs.tick()
    assert result["reconciled"] == {}
    record = Reconciliation.objects.get()
    assert record.trigger == Trigger.SCHEDULE
    assert record.runs_resumed == 0


def test_command_dry_run_lists_and_queues_nothing(broker, django_capture_on_commit_callbacks, caplog, in_review,
                                                   reviewer, settings):
    settings.MONITORING_RECONCILE_GRACE_SECONDS = 1
    application = pass_documents_in_outage(in_review, reviewer, broker, django_capture_on_commit_callbacks, caplog)
    import time

    time.sleep(1.1)  # past the (shortened) grace period
    out = io.StringIO()
    call_command("reconcile", "--dry-run", stdout=out)
    assert f"Watchlist screenings: 1 ({application.pk})" in out.getvalue()
    assert f"Scorecard evaluations: 1 ({application.pk})" in out.getvalue()
    assert "nothing was queued" in out.getvalue()
    assert not Reconciliation.objects.exists()
    assert not ScreeningRun.objects.filter(application=application).exists()

    out = io.StringIO()
    call_command("reconcile", stdout=out)
    assert "Watchlist screenings: 1 queued again" in out.getvalue()
    assert ScreeningRun.objects.filter(application=application).count() == 1
    assert Reconciliation.objects.get().trigger == Trigger.COMMAND


def test_command_inline_does_the_work_with_the_broker_down(broker, django_capture_on_commit_callbacks, caplog,
                                                           in_review, reviewer, settings):
    settings.MONITORING_RECONCILE_GRACE_SECONDS = 1
    application = pass_documents_in_outage(in_review, reviewer, broker, django_capture_on_commit_callbacks, caplog)
    import time

    time.sleep(1.1)
    broker.down()
    out = io.StringIO()
    call_command("reconcile", "--inline", stdout=out)
    assert "Watchlist screenings: 1 done here" in out.getvalue()
    assert ScreeningRun.objects.filter(application=application).count() == 1
    assert Evaluation.objects.filter(application=application).count() == 1


def test_an_abandoned_weekly_report_is_sent_again(db):
    from monitoring.reports import report_week

    week = report_week().isoformat()
    stuck = JobRun.objects.create(kind=JobKind.WORK_REPORTS, scope=Scope.ALL, chunks=0, note=week,
                                  started_at=timezone.now() - datetime.timedelta(hours=3))
    user_with(Role.DOCUMENT_REVIEWER, username="rita")
    record = reconcile()
    assert record.counts == {LostWork.RUN: 1}
    assert JobRun.objects.get(pk=stuck.pk).status == RunStatus.FAILED
    again = JobRun.objects.filter(kind=JobKind.WORK_REPORTS).exclude(pk=stuck.pk).get()
    assert (again.status, again.note) == (RunStatus.FINISHED, week)
    assert [message.to for message in mail.outbox] == [["rita@example.com"]]
