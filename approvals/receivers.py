"""Reactions to onboarding's ``state_changed``: a round opens on entering committee review and
is closed if the application leaves it other than by the committee's vote.

Runs inside the transition's transaction with the application row locked, so the round rows
roll back with the transition; notifications are rows in the same transaction and their
e-mail goes out after commit (``accounts.services.notify``).
"""

from __future__ import annotations

from approvals import services
from onboarding.enums import State


def application_state_changed(sender, application, change, **kwargs) -> None:
    if change.to_state == State.COMMITTEE_REVIEW:
        services.round_open(application=application)
    elif change.from_state == State.COMMITTEE_REVIEW:
        services.round_close_without_decision(application=application, transition=change.transition)
