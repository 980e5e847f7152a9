"""Comments on an application, with @mentions that notify the person mentioned.

Writes (``comment_create``) and the reads both the page and the views need.
"""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Concat
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.messages import message, register
from accounts.models import User
from accounts.services import notify
from onboarding import permissions as perms
from onboarding.messages import application_name
from onboarding.models import Application, Comment

register("onboarding.comment_mention", gettext_lazy("{author} mentioned you on {reference} {name}"))
register("onboarding.comment", gettext_lazy("{author} commented on {reference} {name}"))

BODY_MAX_LENGTH = Comment._meta.get_field("body").max_length
SUGGESTIONS_LIMIT = 10

# "@" + a username (letters, digits and . + - _ as Django allows; "@" itself is left out so
# that an e-mail address is not read as a mention). Not preceded by a word character, and
# a trailing full stop is punctuation, not part of the name ("ask @sales1.").
MENTION_RE = re.compile(r"(?<![\w@.])@([\w.+-]*[\w+-])")


def mentioned_usernames(body: str) -> list[str]:
    """The usernames written as @name in ``body``, in order, without repeats."""
    seen: dict[str, None] = {}
    for match in MENTION_RE.finditer(body):
        seen.setdefault(match.group(1), None)
    return list(seen)


def comment_create(*, application: Application, author: User, body: str) -> Comment:
    """Add a comment to ``application`` as ``author``.

    Only people who can view the application may comment (``PermissionDenied`` otherwise);
    an empty or over-long body is a ``ValidationError``. Every ``@username`` of an active
    user who can view the application is recorded as a mention; others are left as text
    (an outsider is neither told of nor shown the application).

    Side effects, in one transaction: the ``Comment`` row and its mentions; a notification
    ("X mentioned you on APP-…") to each mentioned user except the author; a notification
    ("X commented on APP-…") to the sales owner if someone else wrote it and did not
    already mention them. E-mails follow after commit (``accounts.services.notify``).
    """
    if not perms.can_view(author, application):
        raise PermissionDenied(_("You cannot comment on this application."))
    body = (body or "").strip()
    if not body:
        raise ValidationError(_("Please write a comment."))
    if len(body) > BODY_MAX_LENGTH:
        raise ValidationError(
            _("A comment can have at most %(limit)d characters.") % {"limit": BODY_MAX_LENGTH}
        )
    mentioned = _mentionable(application, mentioned_usernames(body))
    with transaction.atomic():
        comment = Comment.objects.create(application=application, author=author, body=body)
        if mentioned:
            comment.mentions.set(mentioned)
        url = reverse("onboarding:application_detail", args=[application.pk]) + f"#comment-{comment.pk}"
        params = {"author": str(author), "reference": application.reference, "name": application_name(application)}
        notify(
            recipients=[user for user in mentioned if user.pk != author.pk],
            verb=message("onboarding.comment_mention", **params),
            url=url,
        )
        owner = application.created_by
        if owner.pk != author.pk and owner not in mentioned:
            notify(recipients=[owner], verb=message("onboarding.comment", **params), url=url)
    return comment


def _mentionable(application: Application, usernames: list[str]) -> list[User]:
    if not usernames:
        return []
    candidates = User.objects.filter(username__in=usernames, is_active=True)
    return [user for user in candidates if perms.can_view(user, application)]


def application_comments(application: Application) -> QuerySet[Comment]:
    """The comments shown on the application page, oldest first, with what the list needs."""
    return (
        Comment.objects.filter(application=application)
        .select_related("author")
        .prefetch_related("mentions")
        .order_by("created_at", "pk")
    )


def application_viewers(application: Application) -> QuerySet[User]:
    """Active users who can view ``application``, as a query.

    Mirrors ``onboarding.permissions.can_view`` (its sales owner, or anyone with a staff
    role); tests check the two agree user by user.
    """
    return (
        User.objects.filter(is_active=True)
        .filter(Q(pk=application.created_by_id) | Q(groups__name__in=[str(role) for role in perms.STAFF_ROLES]))
        .distinct()
    )


def mention_suggestions(*, application: Application, prefix: str, limit: int = SUGGESTIONS_LIMIT) -> list[User]:
    """Up to ``limit`` people who can view ``application`` whose username or name starts with ``prefix``."""
    prefix = prefix.strip().lstrip("@")
    users = application_viewers(application)
    if prefix:
        users = users.annotate(
            western_name=Concat("first_name", Value(" "), "last_name"),
            chinese_name=Concat("last_name", "first_name"),
        ).filter(
            Q(username__istartswith=prefix) | Q(first_name__istartswith=prefix) | Q(last_name__istartswith=prefix)
            | Q(western_name__istartswith=prefix) | Q(chinese_name__istartswith=prefix)
        )
    return list(users.order_by("username")[:limit])
