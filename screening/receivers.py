"""Reactions to other apps' signals: each queues the evaluation task after the commit."""

from __future__ import annotations

from onboarding.enums import State


def _queue_evaluation(application_id: int) -> None:
    from config.celery import enqueue_on_commit
    from screening.tasks import evaluate_application

    enqueue_on_commit(evaluate_application, application_id=application_id)


def application_state_changed(sender, application, change, **kwargs) -> None:
    """Entering background check (first time, or again after a resubmit) evaluates the application."""
    if change.to_state == State.BACKGROUND_CHECK:
        _queue_evaluation(application.pk)


def hit_dispositioned(sender, hit, **kwargs) -> None:
    """A disposition can change ``watchlist_true_match``: evaluate again (the task skips if unchanged)."""
    if getattr(hit, "application_id", None):
        _queue_evaluation(hit.application_id)
