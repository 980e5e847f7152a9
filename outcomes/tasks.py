"""Celery tasks of the outcomes app: thin wrappers around the services."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="outcomes.import_receivables", ignore_result=True)
def import_receivables(*, import_id: int) -> None:
    """A receivables file uploaded on the import page."""
    from outcomes.services import receivables_import_run

    receivables_import_run(import_id=import_id)


@shared_task(name="outcomes.recompute", ignore_result=True)
def recompute() -> int:
    """Daily: days past due grow with the calendar, so every customer's outcome is recomputed."""
    from outcomes.services import outcomes_recompute

    return outcomes_recompute()
