"""The training gate registered in ``accounts.gates``: required training and briefing acknowledgements.

A person acting in a role must hold a valid pass (or a waiver) of every course the role requires
— when ``settings.TRAINING_REQUIRED`` is on — and must have acknowledged every briefing sent to
them that asks for it (always: the author chose so for that change). Each refusal names the
course or briefing with a link.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from accounts.models import User
from training import selectors


def _course_message(status: selectors.CourseStatus) -> str:
    url = reverse("training:course_detail", args=[status.course.pk])
    if status.status == selectors.Status.EXPIRED:
        text = _("Your pass of the course “%(course)s” has expired: please take it again before this action.")
    else:
        text = _("Before this action, please pass the course “%(course)s”.")
    return format_html('{} <a href="{}">{}</a>', text % {"course": status.course.title}, url, _("Take the course"))


def training_gate(user: User, action: str, role: str) -> list[str]:
    messages: list[str] = []
    if selectors.training_required():
        messages.extend(_course_message(s) for s in selectors.statuses_for(user, [role]) if not s.ok)
    for receipt in selectors.unacknowledged(user)[:3]:
        url = reverse("training:briefing_detail", args=[receipt.briefing_id])
        messages.append(format_html(
            '{} <a href="{}">{}</a>',
            _("Please read and acknowledge the briefing “%(briefing)s” first.") % {"briefing": receipt.briefing},
            url, _("Open the briefing"),
        ))
    return messages
