"""The comments panel of the application page: ``{% load comment_tags %}{% comments_panel application user %}``."""

from __future__ import annotations

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from onboarding import comments
from onboarding import permissions as perms
from onboarding.models import Application, Comment

register = template.Library()


def panel_context(application: Application, user, *, body: str = "", error: str = "", with_script: bool) -> dict:
    """What ``onboarding/partials/comments.html`` needs; shared by the tag and the HTMX view."""
    return {
        "application": application,
        "user": user,
        "comments": list(comments.application_comments(application)),
        "can_comment": perms.can_view(user, application),
        "body": body,
        "error": error,
        "body_max_length": comments.BODY_MAX_LENGTH,
        # The script is loaded with the page, not again with each HTMX refresh of the panel.
        "with_script": with_script,
    }


@register.inclusion_tag("onboarding/partials/comments.html", takes_context=True)
def comments_panel(context, application: Application, user) -> dict:
    panel = panel_context(application, user, with_script=True)
    panel["csrf_token"] = context.get("csrf_token")
    return panel


@register.filter
def comment_body(comment: Comment) -> SafeString:
    """The comment text, escaped, with line breaks kept and recorded mentions shown as badges.

    Built from escaped pieces (``format_html``), never by marking user text safe. Only
    recorded mentions (people who can see the application) become badges.
    """
    mentioned = {user.username for user in comment.mentions.all()}
    pieces: list[str | SafeString] = []
    text = comment.body.replace("\r\n", "\n")
    position = 0
    for match in comments.MENTION_RE.finditer(text):
        _add_text(pieces, text[position:match.start()])
        username = match.group(1)
        if username in mentioned:
            pieces.append(format_html('<span class="badge rounded-pill text-bg-info mention">@{}</span>', username))
        else:
            pieces.append(match.group(0))
        position = match.end()
    _add_text(pieces, text[position:])
    return format_html_join("", "{}", ((piece,) for piece in pieces))


def _add_text(pieces: list, text: str) -> None:
    lines = text.split("\n")
    for index, line in enumerate(lines):
        if index:
            pieces.append(mark_safe("<br>"))  # noqa: S308 — a constant
        if line:
            pieces.append(line)
