"""Who may see and act on watchlists and hits. The one place these rules live."""

from __future__ import annotations

from typing import TYPE_CHECKING

from accounts.roles import Role
from onboarding import permissions as onboarding_permissions
from onboarding.enums import State

if TYPE_CHECKING:
    from accounts.models import User
    from onboarding.models import Application
    from watchlists.models import ScreeningHit


def _signed_in(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def can_manage_lists(user: User) -> bool:
    """Import lists, see the sources and search the entries: risk managers (and admins)."""
    return _signed_in(user) and user.has_role(Role.RISK_MANAGER, Role.ADMIN)


def can_search(user: User) -> bool:
    """Search the lists by hand: risk managers, admins and investigators."""
    return _signed_in(user) and user.has_role(Role.RISK_MANAGER, Role.ADMIN, Role.INVESTIGATOR)


def can_view_hits(user: User, application: Application) -> bool:
    """Staff who may see the application. Not its sales owner: a hit is not for the customer
    to hear about from its account manager before the investigation is over."""
    return (
        onboarding_permissions.can_view(user, application)
        and user.has_role(*onboarding_permissions.STAFF_ROLES)
    )


def can_disposition_application(user: User, application: Application) -> bool:
    """An investigator who may act on the application's background check (segregation of duties
    from the record: not its creator, nobody who reviewed its documents)."""
    return (
        _signed_in(user)
        and application.state == State.BACKGROUND_CHECK
        and onboarding_permissions.is_stage_reviewer(application, user)
    )


def can_disposition(user: User, hit: ScreeningHit) -> bool:
    if hit.application_id is not None:
        return can_disposition_application(user, hit.application)
    # A hit of an admitted customer (monitoring): any investigator, never its sales owner.
    return (
        _signed_in(user)
        and user.has_role(Role.INVESTIGATOR)
        and hit.customer is not None
        and hit.customer.sales_owner_id != user.pk
    )
