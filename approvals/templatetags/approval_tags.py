"""The committee panel of the application page: ``{% load approval_tags %}{% committee_panel application user %}``
(onboarding imports nothing of ours)."""

from __future__ import annotations

from django import template

from approvals import permissions as perms
from approvals import selectors
from onboarding import permissions as onboarding_perms
from onboarding.models import Application

register = template.Library()


@register.inclusion_tag("approvals/partials/committee_panel.html")
def committee_panel(application: Application, user) -> dict:
    """The rounds and votes, for whoever can see the application; voter names for staff only."""
    if user is None or not onboarding_perms.can_view(user, application):
        return {"visible": False}
    rounds = selectors.rounds_for(application)
    if not rounds:
        return {"visible": False}
    for round in rounds:
        round.application = application
    current = next((r for r in rounds if r.is_open), None)
    return {
        "visible": True,
        "application": application,
        "rounds": rounds,
        "can_review": perms.can_review(user, application),
        "can_vote": current is not None and bool(perms.departments_open_to(current, user, current.votes.all())),
        # The sales owner reads the decisions and questions; who voted how stays with the staff.
        "show_voters": onboarding_perms.can_list_all(user),
    }
