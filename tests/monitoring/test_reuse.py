"""A run reuses the last result of a customer whose data, model and date bounds did not change."""

import datetime

import pytest
from django.utils import timezone

from monitoring import chunks, runs
from monitoring.enums import Indicator, Scope
from monitoring.models import Alert, CustomerCreditProfile, RunItem
from screening.models import Evaluation
from tests.monitoring.factories import admitted_customer, set_credit

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def scored(monkeypatch):
    """The customers ``monitoring.chunks`` passed to ``evaluate``, in order."""
    calls = []
    real = chunks.evaluate

    def counting(compiled, inputs):
        calls.append(inputs["bureau_score"])
        return real(compiled, inputs)

    monkeypatch.setattr(chunks, "evaluate", counting)
    return calls


def _run():
    run = runs.plan_run(scope=Scope.DUE)
    assert run is not None
    assert runs.work(run_id=run.pk, budget=60).finished
    run.refresh_from_db()
    return run


def _due_again(customer):
    CustomerCreditProfile.objects.filter(pk=customer.pk).update(due_on=TODAY)


@pytest.mark.parametrize("writer", ["copy", "orm"])
def test_unchanged_customer_is_not_scored_again_and_keeps_its_result(settings, scored, writer):
    settings.MONITORING_BULK_WRITER = writer
    customer = admitted_customer(bureau_score=700)
    first = _run()
    assert scored == [700]  # the admission baseline carries no reuse date: scored
    profile = CustomerCreditProfile.objects.get(pk=customer.pk)
    assert (profile.unchanged_until, profile.last_knockouts) == (datetime.date.max, "")  # in business > 10 years
    first_item = RunItem.objects.get(run=first, customer=customer)
    _due_again(customer)
    evaluations = Evaluation.objects.count()
    second = _run()
    assert scored == [700]
    assert second.evaluated == 1
    item = RunItem.objects.get(run=second, customer=customer)
    assert (item.evaluation_id, item.total, item.tier) == (first_item.evaluation_id, first_item.total, first_item.tier)
    assert Evaluation.objects.count() == evaluations
    again = CustomerCreditProfile.objects.get(pk=customer.pk)
    assert (again.last_total, again.last_tier, float(again.score_change)) == (profile.last_total, profile.last_tier, 0.0)
    assert again.last_evaluated_at > profile.last_evaluated_at
    assert again.due_on > TODAY


def test_new_data_is_scored(scored):
    customer = admitted_customer(bureau_score=700)
    _run()
    set_credit(customer, bureau_score=640)
    run = _run()
    assert scored == [700, 640]
    assert float(RunItem.objects.get(run=run, customer=customer).total) == 82.1


def test_reused_result_keeps_its_knock_outs_and_fires_the_same_alert(scored):
    customer = admitted_customer()
    set_credit(customer, bureau_score=450)  # under the floor: knock-out
    _run()
    alert = Alert.objects.get(customer=customer, indicator=Indicator.BELOW_THRESHOLD)
    assert CustomerCreditProfile.objects.get(pk=customer.pk).last_knockouts == "bureau_score_floor"
    seen = alert.last_seen_at
    _due_again(customer)
    _run()
    assert scored == [450]
    assert Alert.objects.filter(customer=customer, indicator=Indicator.BELOW_THRESHOLD).count() == 1
    alert.refresh_from_db()
    assert len(alert.evidence) == 1
    assert alert.evidence[0]["facts"]["knockouts"] == ["bureau_score_floor"]
    assert alert.last_seen_at > seen


def test_scored_again_when_years_in_business_reach_a_bound(scored):
    registered = TODAY - datetime.timedelta(days=1000)  # 2.74 years: the next bound of the default model is 3
    customer = admitted_customer(bureau_score=700, registration_date=registered.isoformat())
    _run()
    profile = CustomerCreditProfile.objects.get(pk=customer.pk)
    assert profile.unchanged_until == registered + datetime.timedelta(days=1096)
    _due_again(customer)
    _run()
    assert scored == [700]
    # The day comes (moved here instead of the clock): scored again.
    CustomerCreditProfile.objects.filter(pk=customer.pk).update(due_on=TODAY, unchanged_until=TODAY)
    _run()
    assert scored == [700, 700]


@pytest.mark.parametrize("reused", [True, False])
def test_data_arriving_during_the_chunk_keeps_the_customer_due(monkeypatch, reused):
    customer = admitted_customer(bureau_score=700)
    _run()
    if reused:
        _due_again(customer)
    else:
        set_credit(customer, bureau_score=650)
    real_rows = chunks._rows

    def rows_then_import(*args):
        rows = real_rows(*args)
        set_credit(customer, bureau_score=600)  # an import commits between the read and the write
        return rows

    monkeypatch.setattr(chunks, "_rows", rows_then_import)
    _run()
    profile = CustomerCreditProfile.objects.get(pk=customer.pk)
    assert profile.due_on == TODAY  # still due: the next run scores the new data
    assert profile.bureau_score == 600


def test_a_run_asked_for_by_hand_scores_every_customer(scored):
    customer = admitted_customer(bureau_score=700)
    _run()
    run = runs.plan_run(scope=Scope.CUSTOMER, customer_id=customer.pk)
    assert runs.work(run_id=run.pk, budget=60).finished
    run.refresh_from_db()
    assert scored == [700, 700]
    assert (run.evaluated, run.reused) == (1, 0)


def test_run_page_says_how_many_results_were_kept(client, scored):
    from django.urls import reverse

    from accounts.roles import Role
    from tests.factories import user_with

    kept = admitted_customer(bureau_score=700)
    changed = admitted_customer(bureau_score=700)
    _run()
    _due_again(kept)
    set_credit(changed, bureau_score=650)
    run = _run()
    assert (run.evaluated, run.reused) == (2, 1)
    client.force_login(user_with(Role.RISK_MANAGER, language="zh-hans"))
    page = client.get(reverse("monitoring:run_detail", args=[run.pk])).content.decode()
    assert "其中 1 户自上次评估以来数据与评分卡均未变，沿用上次结果" in page
