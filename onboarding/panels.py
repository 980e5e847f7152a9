"""Panels other apps contribute to onboarding's pages, through a registry (onboarding imports none of them).

A slot is a place on a page: ``application`` (the application page, below its sections),
``customer`` (the admitted customer's page), ``scorecard_what_if`` (screening's what-if page of
a draft scorecard version) and ``scorecard_version`` (a scorecard version's page, below its
notes). Each higher app registers its panels from its
``AppConfig.ready``: a template and a function building that template's context from the page's
template context and the object shown. Templates render a slot with
``{% load panel_tags %}{% panels "application" application %}``, so that no template of a lower app
loads a higher app's tag library (the import contract holds for templates too).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

SLOTS = ("application", "customer", "scorecard_what_if", "scorecard_version")


@dataclass(frozen=True)
class Panel:
    slot: str
    name: str
    order: int
    template: str
    build: Callable[[Any, Any], dict]  # (template context, object) -> the panel template's context


_panels: dict[str, Panel] = {}


def register(*, slot: str, name: str, order: int, template: str, build: Callable[[Any, Any], dict]) -> None:
    if slot not in SLOTS:
        raise ValueError(f"Unknown panel slot {slot!r}; one of {', '.join(SLOTS)}.")
    _panels[name] = Panel(slot=slot, name=name, order=order, template=template, build=build)


def for_slot(slot: str) -> list[Panel]:
    return sorted((panel for panel in _panels.values() if panel.slot == slot), key=lambda panel: (panel.order, panel.name))
