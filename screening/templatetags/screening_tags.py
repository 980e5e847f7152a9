"""Template tags other apps' pages use to show screening data (onboarding imports nothing of ours)."""

from __future__ import annotations

from django import template

from onboarding.enums import State
from screening import permissions as perms
from screening.presentation import breakdown_context
from screening.reasons import format_cny

register = template.Library()


@register.inclusion_tag("screening/partials/panel.html", takes_context=True)
def screening_panel(context, application) -> dict:
    """The read-only score breakdown for whoever can see the application."""
    user = context.get("user") or getattr(context.get("request"), "user", None)
    if user is None or not perms.can_view_breakdown(user, application):
        return {"visible": False}
    found = breakdown_context(application)
    if found["evaluation"] is None and application.state != State.BACKGROUND_CHECK:
        return {"visible": False}  # nothing to show before background check
    return {
        **found,
        "visible": True,
        "can_open_screen": perms.can_view_investigation(user, application),
    }


@register.filter
def cny(value) -> str:
    """``{{ amount|cny }}``: 1,200,000 CNY, or 120万元 in Chinese."""
    return format_cny(value)
