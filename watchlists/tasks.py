"""Celery tasks: thin wrappers that call a service. Safe to run twice."""

from __future__ import annotations

from celery import shared_task

from watchlists import services


@shared_task(name="watchlists.screen_application")
def screen_application(*, application_id: int) -> int:
    """Screen an application's names; returns the id of the screening run."""
    return services.screen_application(application_id=application_id).pk


@shared_task(name="watchlists.screen_customers")
def screen_customers(*, customer_ids: list[int]) -> dict[int, int]:
    return services.screen_customers(customer_ids)


@shared_task(name="watchlists.screen_open_applications")
def screen_open_applications() -> int:
    """After a list changed: screen again the applications in background check."""
    return services.screen_open_applications()


@shared_task(name="watchlists.run_import_job")
def run_import_job(*, job_id: int) -> str:
    """Import the file of an import job (the import page); a job already taken is left alone."""
    return services.import_job_run(job_id=job_id).status


@shared_task(name="watchlists.rescreen_change")
def rescreen_change(*, change_id: int) -> int:
    """After a re-import: screen again the parties its added and changed entries can match."""
    change = services.rescreen_change(change_id=change_id)
    return (change.applications_rescreened or 0) + (change.customers_rescreened or 0)


@shared_task(name="watchlists.refresh_due_sources", ignore_result=True)
def refresh_due_sources() -> list[int]:
    """Hourly (beat): import again the sources whose refresh interval has passed."""
    return services.refresh_due_sources()
