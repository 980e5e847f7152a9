"""The outcome panel on the customer page (registered into onboarding.panels from OutcomesConfig.ready)."""

from __future__ import annotations

from django.utils import timezone

from outcomes import permissions as perms
from outcomes.forms import WriteOffForm
from outcomes.selectors import customer_panel


def customer_outcome_panel(context, customer) -> dict:
    user = context.get("user") or getattr(context.get("request"), "user", None)
    if user is None or not perms.can_view_outcome(user, customer):
        return {"visible": False}
    panel = customer_panel(customer)
    can_write_off = perms.can_write_off(user) and panel.write_off is None
    return {
        "visible": True,
        "customer": customer,
        "panel": panel,
        "can_write_off": can_write_off,
        "write_off_form": WriteOffForm(initial={"written_off_on": timezone.localdate()}) if can_write_off else None,
        "csrf_token": context.get("csrf_token"),
    }
