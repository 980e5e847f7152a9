"""Who may see and do what in screening. The one place these rules live."""

from __future__ import annotations

from typing import TYPE_CHECKING

from accounts.roles import Role
from onboarding import permissions as onboarding_perms
from onboarding.enums import State
from screening.enums import VersionStatus

if TYPE_CHECKING:
    from accounts.models import User
    from onboarding.models import Application
    from screening.models import ScorecardVersion


def can_view_breakdown(user: User, application: Application) -> bool:
    """The score breakdown on the application page: whoever can see the application."""
    return onboarding_perms.can_view(user, application)


def can_view_investigation(user: User, application: Application) -> bool:
    """The background-check screen, investigation records, photos and reports: staff only.

    The sales owner sees the application and its score but not the investigators' notes
    and evidence about their own prospect.
    """
    return onboarding_perms.can_view(user, application) and onboarding_perms.can_list_all(user)


def can_investigate(user: User, application: Application) -> bool:
    """Record investigation, evaluate again, and move the application on: its investigator.

    Segregation of duties (in ``is_stage_reviewer``): not its creator, not its document reviewer.
    """
    return application.state == State.BACKGROUND_CHECK and onboarding_perms.is_stage_reviewer(application, user)


def can_manage_scorecards(user: User) -> bool:
    return user.is_authenticated and user.is_active and user.has_role(Role.RISK_MANAGER)


def can_edit_draft(user: User, version: ScorecardVersion) -> bool:
    """A draft is its author's work until a different risk manager publishes it."""
    return can_manage_scorecards(user) and version.status == VersionStatus.DRAFT and version.author_id == user.pk


def can_publish(user: User, version: ScorecardVersion) -> bool:
    """Maker-checker: a risk manager other than the author."""
    return can_manage_scorecards(user) and version.status == VersionStatus.DRAFT and version.author_id != user.pk


def can_edit_policy(user: User) -> bool:
    return can_manage_scorecards(user)
