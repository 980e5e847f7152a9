"""Reactions to onboarding's signals: queue screening after the transaction commits."""

from __future__ import annotations

from django.db import transaction

from onboarding.enums import State


def application_state_changed(sender, application, change, **kwargs) -> None:
    """Entering background check (first time, or again after a resubmit) screens the application."""
    if change.to_state != State.BACKGROUND_CHECK:
        return
    application_id = application.pk

    def queue() -> None:
        from watchlists.tasks import screen_application

        screen_application.delay(application_id=application_id)

    transaction.on_commit(queue)
