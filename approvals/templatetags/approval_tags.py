"""The committee panel of the application page: ``{% load approval_tags %}{% committee_panel application user %}``
(onboarding imports nothing of ours)."""

from __future__ import annotations

from django import template
from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import gettext as _

from approvals import permissions as perms
from approvals import round_links, selectors
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
    round_links.attach(rounds, user)
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


TIER_BADGES = {"A": "text-bg-success", "B": "text-bg-primary", "C": "text-bg-warning"}
VOTE_BADGES = {"reject": "text-bg-danger", "request_information": "text-bg-warning"}


@register.simple_tag
def round_rows(rounds, empty_text: str) -> SafeString:
    """The committee queue's table rows, one per open round, built in Python.

    The queue lists every open round; through the template language each row cost ~20
    variable lookups, filters and a URL reversal (most of the page's time, docs/performance.md).
    Same markup as before, the same strings (translated with the same msgids).
    """
    if not rounds:
        return format_html('<tr><td colspan="9" class="text-center text-muted py-3">{}</td></tr>', empty_text)
    re_review, warning, veto, waiting = _("Re-review"), _("Warning"), _("Veto"), _("waiting for")
    rows = []
    for round in rounds:
        application = round.application
        votes = format_html_join("", '<span class="badge {}">{}</span> ', (
            (VOTE_BADGES.get(vote.decision, "text-bg-success"), vote.get_department_display())
            for vote in round.votes.all()
        ))
        waiting_for = round.waiting_for
        rows.append(format_html(
            "\n  <tr>\n"
            '    <td><a href="{}">{}</a>{}</td>\n'
            "    <td>{}</td>\n"
            '    <td><span class="badge {}">{}</span>{}</td>\n'
            "    <td>{}{}</td>\n"
            "    <td>{}</td>\n"
            "    <td>{}{}</td>\n"
            "    <td>{}</td>\n"
            "    <td>{}</td>\n"
            "    <td>{}</td>\n"
            "  </tr>",
            reverse("approvals:review", args=[application.pk]), application.reference,
            format_html(' <span class="badge text-bg-info">{}</span>', re_review) if application.kind == "review" else "",
            application.display_name,
            TIER_BADGES.get(round.tier, "text-bg-danger"), round.tier,
            format_html(' <span class="badge text-bg-danger">{}</span>', warning) if round.policy.get("warning") else "",
            round.rule_label,
            format_html(" · {}: {}", veto, ", ".join(str(label) for label in round.veto_labels)) if round.veto_labels else "",
            round.number,
            votes,
            format_html('<span class="small text-muted">{} {}</span>', waiting,
                        ", ".join(str(label) for label in waiting_for)) if waiting_for else "",
            floatformat(application.requested_credit_limit, "0g") or "—",
            application.created_by,
            date_filter(template_localtime(round.opened_at), "Y-m-d H:i"),
        ))
    return mark_safe("".join(rows))  # noqa: S308 — every piece went through format_html
