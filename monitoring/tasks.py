"""Celery tasks: thin wrappers that call a service, keyword-only ids, safe to run twice.

The work a task does is found in the database (runs and their chunks), so a lost or
duplicated message costs nothing: the next tick queues what is missing, and a duplicate
finds nothing left to do.
"""

from __future__ import annotations

from celery import shared_task

from monitoring import runs
from monitoring.enums import JobKind, Scope, Trigger


@shared_task(name="monitoring.tick", ignore_result=True)
def tick() -> dict:
    """Every few minutes (beat): start a run for the due customers, keep running runs going."""
    return runs.tick()


@shared_task(name="monitoring.work", ignore_result=True)
def work(*, run_id: int) -> dict:
    """Do chunks of a run for a while; queue a successor if the time budget ran out first."""
    result = runs.work(run_id=run_id)
    if result.more:
        runs.dispatch(run_id, workers=1)
    return {"chunks": result.chunks, "evaluated": result.evaluated, "finished": result.finished}


@shared_task(name="monitoring.check_overdue", ignore_result=True)
def check_overdue() -> int | None:
    """Hourly: alerts for overdue re-evaluations and committee conditions."""
    run = runs.overdue_check()
    return run.pk if run else None


@shared_task(name="monitoring.rescreen", ignore_result=True)
def rescreen(*, trigger: str = Trigger.IMPORT) -> int | None:
    """After a watchlist import: screen every monitored customer again."""
    run = runs.plan_run(kind=JobKind.RESCREEN, scope=Scope.ALL, trigger=trigger)
    if run is not None:
        runs.dispatch(run.pk)
    return run.pk if run else None


@shared_task(name="monitoring.sync_profile", ignore_result=True)
def sync_profile(*, application_id: int) -> None:
    """After an approval: take the application's evaluation as the customer's baseline."""
    from monitoring.services import profile_sync

    profile_sync(application_id=application_id)


@shared_task(
    name="monitoring.send_work_reports", ignore_result=True, autoretry_for=(OSError, RuntimeError),
    retry_backoff=300, max_retries=5,
)
def send_work_reports() -> int:
    """Weekly: each department's work report by e-mail (each person once per week)."""
    from monitoring.reports import work_reports_send

    return work_reports_send()


@shared_task(name="monitoring.check_receivables", ignore_result=True)
def check_receivables(*, customer_ids: list[int] | None = None) -> int:
    """After receivables changed: invoices past due and exposure above the credit limit."""
    from monitoring.receivables import receivables_check

    return receivables_check(customer_ids=customer_ids)
