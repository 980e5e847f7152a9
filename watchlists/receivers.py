"""Reactions to onboarding's signals: queue screening after the transaction commits."""

from __future__ import annotations

from onboarding.enums import State


def application_state_changed(sender, application, change, **kwargs) -> None:
    """Entering background check (first time, or again after a resubmit) screens the application."""
    if change.to_state != State.BACKGROUND_CHECK:
        return
    application_id = application.pk

    from config.celery import enqueue_on_commit
    from watchlists.tasks import screen_application

    enqueue_on_commit(screen_application, application_id=application_id)
