"""Who may see and do what in monitoring. The one place these rules live."""

from __future__ import annotations

from typing import TYPE_CHECKING

from accounts.roles import Role

if TYPE_CHECKING:
    from accounts.models import User
    from onboarding.models import Customer


def _signed_in(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def can_view(user: User) -> bool:
    """The risk dashboard, alert lists and pages, job runs: risk managers; admins read them too."""
    return _signed_in(user) and user.has_role(Role.RISK_MANAGER, Role.ADMIN)


def can_act(user: User) -> bool:
    """Acknowledge, assign, resolve and escalate alerts; start a re-evaluation: risk managers."""
    return _signed_in(user) and user.has_role(Role.RISK_MANAGER)


def can_manage_settings(user: User) -> bool:
    """Cadence per tier and indicator thresholds and severities: risk managers."""
    return can_act(user)


def can_view_customer_alerts(user: User, customer: Customer) -> bool:
    """The alerts panel on a customer's page: monitoring staff, and the customer's sales owner."""
    return can_view(user) or (_signed_in(user) and customer.sales_owner_id == user.pk)
