"""The other jobs and their commands: tick, overdue check, re-screening, work reports, hooks."""

import datetime
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from monitoring import runs
from monitoring.enums import Indicator, JobKind, RunStatus, Scope
from monitoring.models import Alert, CustomerCreditProfile, Heartbeat, JobRun, RunItem, WorkReportDelivery
from monitoring.reports import department_report, reader_queue, report_week, work_reports_send
from onboarding.models import CustomerCondition
from screening.models import Evaluation
from tests.factories import ApplicationFactory
from tests.monitoring.factories import admitted_customer, set_credit

pytestmark = pytest.mark.django_db


def test_tick_records_the_heartbeat_and_runs_the_due_customers():
    customer = admitted_customer()
    result = runs.tick()  # eager Celery in tests: the work tasks run at once
    assert Heartbeat.objects.filter(name="tick").exists()
    run = JobRun.objects.get(pk=result["started"])
    assert run.status == RunStatus.FINISHED
    assert RunItem.objects.filter(run=run, customer=customer).exists()
    assert runs.tick()["started"] is None  # nothing due any more


def test_overdue_check_raises_review_and_condition_alerts():
    today = timezone.localdate()
    late = admitted_customer(next_review_date=today - datetime.timedelta(days=1), due_on=today + datetime.timedelta(9))
    under_review = admitted_customer(next_review_date=today - datetime.timedelta(days=5), status="under_review")
    with_condition = admitted_customer(due_on=today + datetime.timedelta(days=9))
    application = ApplicationFactory(created_by=with_condition.sales_owner)
    CustomerCondition.objects.create(customer=with_condition, application=application, text="Audited report",
                                     due_date=today - datetime.timedelta(days=2))
    run = runs.overdue_check()
    assert run.status == RunStatus.FINISHED
    review = Alert.objects.get(indicator=Indicator.REVIEW_OVERDUE)
    assert review.customer_id == late.pk
    assert not Alert.objects.filter(customer=under_review).exists()
    condition = Alert.objects.get(indicator=Indicator.CONDITION_OVERDUE)
    assert condition.customer_id == with_condition.pk
    assert condition.evidence[0]["facts"]["conditions"][0]["text"] == "Audited report"
    runs.overdue_check()
    assert Alert.objects.filter(indicator__in=[Indicator.REVIEW_OVERDUE, Indicator.CONDITION_OVERDUE]).count() == 2
    assert len(Alert.objects.get(pk=review.pk).evidence) == 1


def test_orm_writer_writes_what_the_copy_writer_writes(settings):
    settings.MONITORING_BULK_WRITER = "orm"
    customer = admitted_customer()
    set_credit(customer, bureau_score=640)
    run = runs.plan_run(scope=Scope.DUE)
    runs.work(run_id=run.pk, budget=60)
    item = RunItem.objects.get(run=run, customer=customer)
    evaluation = Evaluation.objects.get(pk=item.evaluation_id)
    profile = CustomerCreditProfile.objects.get(pk=customer.pk)
    assert (evaluation.inputs["bureau_score"], float(evaluation.total), evaluation.tier) == (640, 82.1, "B")
    assert evaluation.result == evaluation.evaluation_result.as_dict()
    assert (profile.last_evaluation_id, float(profile.last_total), profile.last_tier) == (evaluation.pk, 82.1, "B")
    assert float(profile.score_change) == -4.2
    assert profile.due_on > timezone.localdate()


def test_hit_dispositioned_on_a_customer_makes_it_due(people):
    from watchlists.models import ScreeningHit, WatchlistSource
    from watchlists.services import hit_disposition

    customer = admitted_customer(due_on=timezone.localdate() + datetime.timedelta(days=60))
    source = WatchlistSource.objects.create(name="Test list")
    hit = ScreeningHit.objects.create(customer=customer, source=source, entry_external_id="X1", entry_name="Bad Co",
                                      subject="customer_name", query_name=customer.name, matched_name="Bad Co",
                                      score=92)
    hit_disposition(hit_id=hit.pk, actor=people["ivan"], disposition="true_match", reason="Same registration number")
    from monitoring.receivers import hit_dispositioned

    hit_dispositioned(sender=ScreeningHit, hit=ScreeningHit.objects.get(pk=hit.pk))
    assert CustomerCreditProfile.objects.get(pk=customer.pk).due_on == timezone.localdate()
    runs.work(run_id=runs.plan_run(scope=Scope.DUE).pk, budget=60)
    alerts = set(Alert.objects.filter(customer=customer).values_list("indicator", flat=True))
    assert {Indicator.WATCHLIST_MATCH, Indicator.BELOW_THRESHOLD} <= alerts  # a confirmed match is a knock-out


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_rescreen_screens_monitored_customers_and_raises_watchlist_alerts():
    # A real commit: the import's after-commit work (a VACUUM, the signal) runs as in production.
    from watchlists.services import watchlist_import

    customer = admitted_customer(name="华东精密机械有限公司")
    text = "id,name,aliases,country,program,entity_type\nE1,华东精密机械有限公司,,CN,TEST,company\n"
    watchlist_import(file=io.BytesIO(text.encode()), source_name="Internal blacklist")
    run = JobRun.objects.get(kind=JobKind.RESCREEN)
    assert run.status == RunStatus.FINISHED
    alert = Alert.objects.get(customer=customer, indicator=Indicator.WATCHLIST_MATCH)
    assert alert.severity == "critical"
    assert alert.evidence[0]["facts"]["hits"][0]["source"] == "Internal blacklist"


def test_work_reports_go_to_each_member_once_per_week(people):
    ApplicationFactory(created_by=people["alice"])
    week = report_week()
    sent = work_reports_send(week=week)
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == sorted(p.email for p in (people["rosa"], people["rick"], people["alice"], people["ivan"]))
    assert sent == 4
    assert work_reports_send(week=week) == 0
    assert len(mail.outbox) == 4
    assert WorkReportDelivery.objects.count() == 4
    body = next(m.body for m in mail.outbox if people["rosa"].email in m.to)
    assert "Opened this week: 0" in body
    assert "Risk dashboard" in body


def test_department_report_counts_the_queue_and_overdue(people):
    from tests.factories import advance

    application = advance(ApplicationFactory(created_by=people["alice"]), "document_review")
    type(application).objects.filter(pk=application.pk).update(
        state_entered_at=timezone.now() - datetime.timedelta(days=6)
    )
    from accounts.roles import Role
    from tests.factories import user_with

    report = reader_queue(department_report("document_reviewer", report_week()), user_with(Role.DOCUMENT_REVIEWER))
    assert (report.queue, report.overdue, report.oldest_days) == (1, 1, 6)
    assert report.waiting[0]["reference"] == application.reference


def test_commands_call_the_services(people, tmp_path):
    customer = admitted_customer()
    out = io.StringIO()
    call_command("reevaluate", "--customer", str(customer.pk), stdout=out)
    assert "1 evaluated" in out.getvalue()
    out = io.StringIO()
    call_command("reevaluate", "--due", stdout=out)
    assert out.getvalue() == "Nothing to re-evaluate.\n"  # the run above moved its next date
    out = io.StringIO()
    call_command("reevaluate", "--all", stdout=out)
    assert "1 evaluated" in out.getvalue()
    out = io.StringIO()
    call_command("check_overdue", stdout=out)
    assert "checked" in out.getvalue()
    out = io.StringIO()
    call_command("send_work_reports", stdout=out)
    assert "report(s) sent" in out.getvalue()
    out = io.StringIO()
    call_command("rescreen", stdout=out)
    assert "1 evaluated" in out.getvalue()
