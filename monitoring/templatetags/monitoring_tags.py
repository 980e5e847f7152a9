"""Template tags for other apps' pages (the customer page shows its alerts)."""

from __future__ import annotations

from django import template

from monitoring import permissions as perms
from monitoring.models import CustomerCreditProfile
from monitoring.selectors import customer_alerts

register = template.Library()


@register.inclusion_tag("monitoring/partials/customer_alerts.html", takes_context=True)
def customer_alerts_panel(context, customer) -> dict:
    """``{% load monitoring_tags %}{% customer_alerts_panel customer %}``: its alerts and schedule."""
    user = context.get("user") or getattr(context.get("request"), "user", None)
    if user is None or not perms.can_view_customer_alerts(user, customer):
        return {"visible": False}
    return {
        "visible": True,
        "customer": customer,
        "alerts": customer_alerts(customer.pk),
        "profile": CustomerCreditProfile.objects.filter(pk=customer.pk).first(),
        "can_open": perms.can_view(user),
        "can_act": perms.can_act(user),
        "csrf_token": context.get("csrf_token"),
    }
