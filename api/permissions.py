"""Who may manage API clients and webhooks. The one place these rules live."""

from __future__ import annotations

from typing import TYPE_CHECKING

from accounts.roles import Role

if TYPE_CHECKING:
    from accounts.models import User


def can_manage_clients(user: User) -> bool:
    """Create and revoke API clients, manage their webhook subscriptions, replay deliveries: admins."""
    return user is not None and user.is_authenticated and user.is_active and user.has_role(Role.ADMIN)
