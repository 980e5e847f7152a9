"""The roles of DESIGN.md. Each role is a Django group of the same name."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SALES = "sales", _("Sales (account manager)")
    DOCUMENT_REVIEWER = "document_reviewer", _("Document reviewer")
    INVESTIGATOR = "investigator", _("Investigator")
    APPROVER_FINANCE = "approver_finance", _("Finance approver")
    APPROVER_LEGAL = "approver_legal", _("Legal approver")
    APPROVER_BUSINESS = "approver_business", _("Business approver")
    RISK_MANAGER = "risk_manager", _("Risk manager")
    ADMIN = "admin", _("System administrator")


APPROVER_ROLES = (Role.APPROVER_FINANCE, Role.APPROVER_LEGAL, Role.APPROVER_BUSINESS)
