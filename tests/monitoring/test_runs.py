"""Re-evaluation runs: who is evaluated, what is written, exactly once, alerts."""

import datetime

import pytest
from django.utils import timezone

from monitoring import runs
from monitoring.enums import AlertStatus, Indicator, JobKind, RunStatus, Scope
from monitoring.models import Alert, AlertTally, CustomerCreditProfile, JobRun, RunItem
from screening.models import Evaluation
from tests.monitoring.factories import admitted_customer, set_credit

pytestmark = pytest.mark.django_db


def _run(scope=Scope.DUE, **kwargs) -> JobRun:
    run = runs.plan_run(scope=scope, chunk_size=kwargs.pop("chunk_size", 2), **kwargs)
    assert run is not None
    result = runs.work(run_id=run.pk, budget=60)
    assert result.finished
    run.refresh_from_db()
    return run


def test_run_evaluates_due_customers_only_once_each():
    today = timezone.localdate()
    due = [admitted_customer(due_on=today) for _ in range(5)]
    not_due = admitted_customer(due_on=today + datetime.timedelta(days=1))
    run = _run()
    assert run.status == RunStatus.FINISHED
    assert run.customers == 5
    assert run.evaluated == 5
    assert run.chunks == 3
    items = RunItem.objects.filter(run=run)
    assert sorted(items.values_list("customer_id", flat=True)) == sorted(c.pk for c in due)
    assert not RunItem.objects.filter(customer=not_due).exists()
    profile = CustomerCreditProfile.objects.get(pk=due[0].pk)
    assert profile.due_on > today
    assert profile.last_evaluated_at is not None


def test_run_with_nothing_due_records_nothing():
    admitted_customer(due_on=timezone.localdate() + datetime.timedelta(days=3))
    assert runs.plan_run(scope=Scope.DUE) is None
    assert not JobRun.objects.exists()


def test_unchanged_customer_reuses_its_snapshot_and_a_changed_one_gets_a_new_one():
    same = admitted_customer()
    changed = admitted_customer()
    set_credit(changed, bureau_score=640)
    before = Evaluation.objects.count()
    run = _run()
    assert Evaluation.objects.count() == before + 1
    same_item = RunItem.objects.get(run=run, customer=same)
    changed_item = RunItem.objects.get(run=run, customer=changed)
    assert same_item.evaluation_id == CustomerCreditProfile.objects.get(pk=same.pk).last_evaluation_id
    new = Evaluation.objects.get(pk=changed_item.evaluation_id)
    assert new.customer_id == changed.pk
    assert new.inputs["bureau_score"] == 640
    assert new.inputs["as_of"] == timezone.localdate().isoformat()
    assert float(new.total) == new.result["total"]


def test_bureau_drop_raises_one_alert_with_evidence():
    customer = admitted_customer()
    set_credit(customer, bureau_score=660)
    run = _run()
    alert = Alert.objects.get(customer=customer, indicator=Indicator.BUREAU_DROP)
    assert alert.status == AlertStatus.OPEN
    assert alert.severity == "medium"
    assert alert.run_id == run.pk
    assert alert.evidence[0]["facts"] == {"previous": 720, "current": 660}
    assert alert.evaluation_id == RunItem.objects.get(run=run, customer=customer).evaluation_id
    assert alert.previous_evaluation_id is not None
    # 86.3 → 84.5 also crosses from tier A to B.
    assert set(Alert.objects.filter(customer=customer).values_list("indicator", flat=True)) == {
        Indicator.BUREAU_DROP, Indicator.TIER_DOWNGRADE,
    }
    assert run.alerts_raised == 2
    assert AlertTally.objects.get(severity="medium", status="open").count == 2


@pytest.mark.parametrize("writer", ["copy", "orm"])  # orm: the reads and writes used on SQLite
def test_second_run_appends_evidence_to_the_open_alert_instead_of_a_second_alert(settings, writer):
    settings.MONITORING_BULK_WRITER = writer
    customer = admitted_customer()
    set_credit(customer, bureau_score=450)  # under the floor: knock-out, below threshold
    _run()
    first = Alert.objects.get(customer=customer, indicator=Indicator.BELOW_THRESHOLD)
    seen = first.last_seen_at
    set_credit(customer, bureau_score=440)  # same band, same score: nothing new to add
    _run()
    first.refresh_from_db()
    assert len(first.evidence) == 1
    assert first.last_seen_at > seen
    set_credit(customer, bureau_score=440, overdue_count=2)
    _run()
    assert Alert.objects.filter(customer=customer, indicator=Indicator.BELOW_THRESHOLD).count() == 1
    first.refresh_from_db()
    assert len(first.evidence) == 2
    assert first.evidence[0]["facts"] == {"score": 76.1, "threshold": 60.0, "knockouts": ["bureau_score_floor"]}
    assert first.evidence[1]["facts"] == {"score": 71.3, "threshold": 60.0, "knockouts": ["bureau_score_floor"]}


def test_all_scope_evaluates_customers_that_are_not_due():
    customer = admitted_customer(due_on=timezone.localdate() + datetime.timedelta(days=100))
    run = _run(scope=Scope.ALL)
    assert RunItem.objects.filter(run=run, customer=customer).exists()


def test_offboarded_customer_is_not_evaluated():
    customer = admitted_customer(status="offboarded")
    assert runs.plan_run(scope=Scope.DUE) is None
    assert not RunItem.objects.filter(customer=customer).exists()


def test_second_plan_while_running_joins_the_running_run():
    admitted_customer()
    first = runs.plan_run(scope=Scope.DUE)
    second = runs.plan_run(scope=Scope.DUE)
    assert first.pk == second.pk
    assert JobRun.objects.filter(kind=JobKind.REEVALUATION).count() == 1
