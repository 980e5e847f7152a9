"""Choices of the approvals app. Labels are translatable; codes are stored."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role


class Department(models.TextChoices):
    FINANCE = "finance", _("Finance")
    LEGAL = "legal", _("Legal")
    BUSINESS = "business", _("Business")


# The role that votes for each department (a group of the same name, see accounts.roles).
DEPARTMENT_ROLES: dict[str, Role] = {
    Department.FINANCE: Role.APPROVER_FINANCE,
    Department.LEGAL: Role.APPROVER_LEGAL,
    Department.BUSINESS: Role.APPROVER_BUSINESS,
}


class Rule(models.TextChoices):
    UNANIMOUS = "unanimous", _("Unanimous")
    MAJORITY = "majority", _("Majority")


class Decision(models.TextChoices):
    APPROVE = "approve", _("Approve")
    APPROVE_WITH_CONDITIONS = "approve_with_conditions", _("Approve with conditions")
    REJECT = "reject", _("Reject")
    REQUEST_INFORMATION = "request_information", _("Request information")


APPROVING = frozenset({Decision.APPROVE, Decision.APPROVE_WITH_CONDITIONS})


class Outcome(models.TextChoices):
    """How a round ended. ``decide`` returns one of the first three; the last two close a round
    that the application left without a committee decision (withdrawn by its sales owner, or
    moved by someone calling the onboarding transition directly)."""

    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    INFORMATION_REQUESTED = "information_requested", _("Information requested")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    CLOSED = "closed", _("Closed without a committee decision")


class CustomerAction(models.TextChoices):
    """What a rejection of a re-review does to the admitted customer (offboard wins over suspend)."""

    SUSPEND = "suspend", _("Suspend the customer")
    OFFBOARD = "offboard", _("Offboard the customer")
