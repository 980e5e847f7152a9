"""Writes for accounts: notifications (in-app rows, e-mail after commit) and user preferences."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.text import Truncator

from accounts.models import Notification, User
from accounts.selectors import notifications_to_email

logger = logging.getLogger(__name__)

VERB_MAX_LENGTH = Notification._meta.get_field("verb").max_length
URL_MAX_LENGTH = Notification._meta.get_field("url").max_length
DEFAULT_SITE_URL = "http://127.0.0.1:8000"


def user_language(user: User) -> str:
    """The language a user reads their messages in: their choice, else the site's."""
    return user.language or settings.LANGUAGE_CODE


def site_url() -> str:
    return getattr(settings, "SITE_URL", DEFAULT_SITE_URL).rstrip("/")


def absolute_url(url: str) -> str:
    """Links are stored relative (they survive a change of host); e-mails need them absolute."""
    if not url or url.startswith(("http://", "https://")):
        return url
    return f"{site_url()}{url if url.startswith('/') else '/' + url}"


def notify(*, recipients: Iterable[User], verb: str | Promise, url: str = "") -> list[Notification]:
    """Tell each distinct active recipient something, in the app and (if they want) by e-mail.

    ``verb`` is best a lazy translation (``format_lazy(gettext_lazy(...), ...)``): it is
    rendered once per recipient in that recipient's language, so each person reads the
    stored message in their own language. ``url`` is a site-relative link (``reverse(...)``).

    Side effects: one ``Notification`` row per recipient (bulk insert, inside the caller's
    transaction) and, after commit, the ``accounts.send_notification_emails`` task for the
    new rows; it decides per user whether an e-mail goes out. Returns the rows created.
    """
    distinct: dict[int, User] = {}
    for user in recipients:
        if user is not None and user.is_active and user.pk not in distinct:
            distinct[user.pk] = user
    if not distinct:
        return []
    url = (url or "")[:URL_MAX_LENGTH]
    rows = []
    for user in distinct.values():
        with translation.override(user_language(user)):
            text = Truncator(str(verb)).chars(VERB_MAX_LENGTH)
        rows.append(Notification(recipient=user, verb=text, url=url))
    created = Notification.objects.bulk_create(rows)
    notification_ids = [row.pk for row in created]
    # Imported here: tasks import this module.
    from accounts.tasks import send_notification_emails
    from config.celery import enqueue_on_commit

    enqueue_on_commit(send_notification_emails, notification_ids=notification_ids)
    return created


def notification_emails_send(*, notification_ids: list[int]) -> int:
    """E-mail each notification to its recipient if they opted in and have an address.

    Safe to run twice: each notification is claimed with a conditional update of
    ``emailed_at`` before sending, so a retried or duplicated task skips the ones already
    sent. If sending fails the claim is released and the error re-raised, so a retry sends
    it. Subject and body are rendered in the recipient's language. Returns how many were sent.
    """
    candidates = list(notifications_to_email().filter(pk__in=notification_ids).select_related("recipient").order_by("pk"))
    sent = 0
    if not candidates:
        return sent
    # One connection for the batch; each message still commits its own claim.
    with get_connection() as connection:
        for notification in candidates:
            claimed = Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True).update(
                emailed_at=timezone.now()
            )
            if not claimed:
                continue  # another run got here first
            try:
                connection.send_messages([notification_email(notification)])
            except Exception:
                Notification.objects.filter(pk=notification.pk).update(emailed_at=None)
                logger.exception("Sending notification %s by e-mail failed", notification.pk)
                raise
            sent += 1
    return sent


def notification_email(notification: Notification) -> EmailMessage:
    """The e-mail for one notification, in its recipient's language."""
    user = notification.recipient
    with translation.override(user_language(user)):
        context = {
            "user": user,
            "notification": notification,
            "link": absolute_url(notification.url),
            "preferences_link": absolute_url(reverse("notification_preferences")),
        }
        subject = render_to_string("accounts/email/notification_subject.txt", context)
        body = render_to_string("accounts/email/notification_body.txt", context)
    # A subject must be one line; the verb may carry a user's multi-line reason.
    subject = " ".join(subject.split())
    return EmailMessage(subject=subject, body=body, to=[user.email])


def notification_mark_read(*, notification: Notification, user: User) -> bool:
    """Mark one of ``user``'s own notifications read. Returns whether it was unread.

    The recipient check is here as well as in the view: nobody marks someone else's.
    """
    if notification.recipient_id != user.pk:
        raise PermissionDenied("Only the recipient can mark a notification as read.")
    changed = Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())
    return bool(changed)


def notifications_mark_all_read(*, user: User) -> int:
    """Mark every unread notification of ``user`` read. Returns how many changed."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())


def user_preferences_update(*, user: User, email_notifications: bool, language: str) -> User:
    """Save a user's e-mail opt-in and language (used for the interface and their messages)."""
    if language not in dict(settings.LANGUAGES):
        raise ValueError(f"Unknown language {language!r}")
    user.email_notifications = email_notifications
    user.language = language
    user.save(update_fields=["email_notifications", "language"])
    return user
