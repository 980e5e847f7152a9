"""Celery tasks: thin wrappers that fetch by id and call a service."""

from __future__ import annotations

from celery import shared_task

from screening import services


@shared_task(name="screening.evaluate_application")
def evaluate_application(*, application_id: int) -> int | None:
    """Evaluate an application in background check; a no-op if its evaluation is current."""
    evaluation = services.evaluation_refresh(application_id=application_id)
    return evaluation.pk if evaluation else None
