"""Two runs at once: one run, each customer evaluated once, no alert twice (real transactions)."""

import threading

import pytest
from django.db import connections

from monitoring import runs
from monitoring.enums import Indicator, RunStatus, Scope
from monitoring.models import Alert, JobRun, RunItem
from tests.monitoring.factories import admitted_customer, set_credit

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _in_threads(target, n: int = 2) -> list:
    results: list = [None] * n
    barrier = threading.Barrier(n)

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = target()
        except Exception as error:  # surfaced by the assertion below
            results[i] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(isinstance(r, Exception) for r in results), results
    return results


def test_two_ticks_at_once_start_one_run():
    for _ in range(6):
        admitted_customer()
    planned = _in_threads(lambda: runs.plan_run(scope=Scope.DUE, chunk_size=2))
    assert planned[0].pk == planned[1].pk
    assert JobRun.objects.count() == 1


def test_two_workers_at_once_evaluate_each_customer_once_and_raise_each_alert_once():
    customers = [admitted_customer() for _ in range(30)]
    for customer in customers:
        set_credit(customer, litigation_count=2)
    run = runs.plan_run(scope=Scope.DUE, chunk_size=3)
    results = _in_threads(lambda: runs.work(run_id=run.pk, budget=120), n=3)
    assert sum(r.chunks for r in results) == 10
    run.refresh_from_db()
    assert (run.status, run.evaluated, run.alerts_raised) == (RunStatus.FINISHED, 30, 30)
    assert RunItem.objects.filter(run=run).count() == 30
    assert Alert.objects.filter(indicator=Indicator.NEW_LITIGATION).count() == 30


def test_a_customer_run_alongside_the_due_run_never_duplicates_an_alert():
    customers = [admitted_customer() for _ in range(8)]
    for customer in customers:
        set_credit(customer, litigation_count=2)
    due = runs.plan_run(scope=Scope.DUE, chunk_size=2)
    single = runs.plan_run(scope=Scope.CUSTOMER, customer_id=customers[0].pk)
    _in_threads(lambda: runs.work(run_id=due.pk, budget=120))
    _in_threads(lambda: runs.work(run_id=single.pk, budget=120), n=1)
    assert Alert.objects.filter(customer=customers[0], indicator=Indicator.NEW_LITIGATION).count() == 1
    assert Alert.objects.filter(indicator=Indicator.NEW_LITIGATION).count() == 8
