"""Who may do what in training. The one place these rules live."""

from __future__ import annotations

from accounts.models import User
from accounts.roles import APPROVER_ROLES, Role
from training.models import Briefing, Course

HEADS = (Role.RISK_MANAGER, Role.ADMIN)


def _signed_in(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def can_read(user: User) -> bool:
    return _signed_in(user) and bool(user.role_names)


def can_edit_playbooks(user: User) -> bool:
    return _signed_in(user) and user.has_role(*HEADS)


def can_take(user: User, course: Course) -> bool:
    return can_read(user)


def can_waive(user: User) -> bool:
    return _signed_in(user) and user.has_role(Role.ADMIN)


def can_see_overview(user: User) -> bool:
    return _signed_in(user) and user.has_role(*HEADS)


def can_manage_briefing(user: User, briefing: Briefing) -> bool:
    return _signed_in(user) and (user.has_role(Role.RISK_MANAGER) or user.pk == briefing.changed_by_id)


def can_read_minutes(user: User) -> bool:
    return _signed_in(user) and user.has_role(*APPROVER_ROLES, Role.RISK_MANAGER, Role.ADMIN)


def departments_for_report(user: User) -> list[str]:
    """The departments whose work report ``user`` reads: risk managers and admins all, others their own."""
    from monitoring.reports import DEPARTMENT_STAGES

    if not _signed_in(user):
        return []
    if user.has_role(*HEADS):
        return [str(d) for d in DEPARTMENT_STAGES]
    return [str(d) for d in DEPARTMENT_STAGES if user.has_role(d)]
