from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.roles import APPROVER_ROLES, Role


def navigation(request) -> dict:
    """The menu a signed-in user sees, by role."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or getattr(request, "two_factor_held", False):
        return {"nav_items": []}
    items: list[tuple[str, str]] = []
    if user.has_role(Role.SALES):
        items.append((_("My applications"), reverse("onboarding:my_applications")))
    if user.has_role(Role.DOCUMENT_REVIEWER, Role.INVESTIGATOR, *APPROVER_ROLES, Role.RISK_MANAGER):
        items.append((_("Work queue"), reverse("onboarding:queue")))
    if user.has_role(*APPROVER_ROLES, Role.RISK_MANAGER):
        items.append((_("Committee"), reverse("approvals:queue")))
    if user.has_role(Role.SALES, *APPROVER_ROLES, Role.RISK_MANAGER):
        items.append((_("Customers"), reverse("approvals:customer_list")))
    if user.has_role(Role.RISK_MANAGER, Role.ADMIN):
        items.append((_("All applications"), reverse("onboarding:application_list")))
    if user.has_role(Role.RISK_MANAGER, Role.ADMIN):
        items.append((_("Risk dashboard"), reverse("monitoring:dashboard")))
    if user.has_role(Role.RISK_MANAGER):
        items.append((_("Scorecard"), reverse("screening:scorecard_list")))
    if user.has_role(Role.RISK_MANAGER):
        items.append((_("Receivables"), reverse("outcomes:import")))
    if user.has_role(Role.SALES, *APPROVER_ROLES, Role.RISK_MANAGER):
        items.append((_("Admission funnel"), reverse("analysis:funnel")))
    if user.has_role(Role.RISK_MANAGER):
        items.append((_("Scorecard validation"), reverse("analysis:validation")))
    if user.role_names:
        items.append((_("Case library"), reverse("analysis:case_list")))
    if user.has_role(Role.RISK_MANAGER, Role.ADMIN):
        items.append((_("Watchlists"), reverse("watchlists:source_list")))
    elif user.has_role(Role.INVESTIGATOR):
        items.append((_("Watchlist search"), reverse("watchlists:search")))
    # By URL name only (training is a higher app; its pages check their own permissions).
    if user.role_names:
        items.append((_("Training"), reverse("training:home")))
    if user.has_role(Role.SALES, Role.DOCUMENT_REVIEWER, Role.INVESTIGATOR, *APPROVER_ROLES, Role.RISK_MANAGER, Role.ADMIN):
        items.append((_("Work report"), reverse("training:work_report")))
    if user.has_role(Role.RISK_MANAGER, Role.ADMIN):
        items.append((_("Training overview"), reverse("training:overview")))
    if user.has_role(Role.RISK_MANAGER, Role.ADMIN):
        items.append((_("Sign-in security"), reverse("security_log")))
    if user.has_role(Role.ADMIN):
        # By URL name only: accounts imports no higher app (the page checks its own permission).
        items.append((_("API clients"), reverse("api:client_list")))
    if user.has_role(Role.ADMIN) and user.is_staff:
        items.append((_("Administration"), reverse("admin:index")))
    return {"nav_items": items, "unread_notifications": user.notifications.filter(read_at__isnull=True).count()}
