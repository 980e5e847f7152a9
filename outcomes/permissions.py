"""Who may see and do what with receivables and outcomes. The one place these rules live."""

from __future__ import annotations

from typing import TYPE_CHECKING

from accounts.roles import APPROVER_ROLES, Role

if TYPE_CHECKING:
    from accounts.models import User
    from onboarding.models import Customer


def _signed_in(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def can_import(user: User) -> bool:
    """Upload receivables files and follow the imports: risk managers."""
    return _signed_in(user) and user.has_role(Role.RISK_MANAGER)


def can_write_off(user: User) -> bool:
    return _signed_in(user) and user.has_role(Role.RISK_MANAGER)


def can_view_outcome(user: User, customer: Customer) -> bool:
    """A customer's payment record: risk managers and approvers, and the customer's sales owner."""
    if not _signed_in(user):
        return False
    if user.has_role(Role.RISK_MANAGER, *APPROVER_ROLES):
        return True
    return user.has_role(Role.SALES) and customer.sales_owner_id == user.pk
