"""Who sees which analysis. The one place these rules live."""

from __future__ import annotations

from typing import TYPE_CHECKING

from accounts.roles import APPROVER_ROLES, Role

if TYPE_CHECKING:
    from accounts.models import User


def _signed_in(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def can_view_funnel(user: User) -> bool:
    return _signed_in(user) and user.has_role(Role.RISK_MANAGER, *APPROVER_ROLES, Role.SALES)


def sees_every_application(user: User) -> bool:
    """Risk managers and approvers see the whole funnel; sales see their own applications' figures only."""
    return _signed_in(user) and user.has_role(Role.RISK_MANAGER, *APPROVER_ROLES)


def can_view_validation(user: User) -> bool:
    return _signed_in(user) and user.has_role(Role.RISK_MANAGER)


def can_manage_cases(user: User) -> bool:
    """Write, edit and publish cases, and read every case (drafts too): risk managers."""
    return _signed_in(user) and user.has_role(Role.RISK_MANAGER)


def can_list_cases(user: User) -> bool:
    return _signed_in(user) and bool(user.role_names)
