"""``{% panels slot object %}``: the panels other apps registered for a slot (onboarding.panels)."""

from __future__ import annotations

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from onboarding import panels as registry

register = template.Library()


@register.simple_tag(takes_context=True)
def panels(context, slot: str, obj) -> SafeString:
    rendered = [render_to_string(panel.template, panel.build(context, obj)) for panel in registry.for_slot(slot)]
    return mark_safe("".join(rendered))  # noqa: S308 — each piece is a rendered, autoescaped template
