"""Onboarding's stored messages (``accounts.messages``): rendered in the reader's language when read.

History reasons, system notes and notifications written by onboarding, approvals and
monitoring about applications and customers name their codes here or in their own app.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.messages import Message, message, register, register_choices
from onboarding.enums import CustomerStatus, State

register_choices("onboarding.state", State)
register_choices("onboarding.customer_status", CustomerStatus)
register("onboarding.unnamed_company", _("(unnamed company)"))
register("onboarding.customer_admitted", _("{reference} approved"))
register("onboarding.customer_status", pgettext_lazy("customer history", "Status set to {status}"))


def application_name(application) -> str | Message:
    """The company's name as a parameter: the name itself, or "(unnamed company)" in the reader's language."""
    return application.legal_name_zh or application.legal_name_en or message("onboarding.unnamed_company")
