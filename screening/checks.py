"""Screening's guard on leaving background check, registered at start-up (onboarding.guards)."""

from __future__ import annotations

from onboarding import guards
from onboarding.models import Application
from screening import selectors


def background_check_complete(application: Application) -> list[str]:
    """A current evaluation and every required investigation record (watchlists checks its hits)."""
    return selectors.background_check_blockers(application)


def register() -> None:
    guards.register("pass_background_check", background_check_complete)
