"""Reads for accounts used in more than one place."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet

from accounts.models import Notification, User


def notifications_for(*, user: User) -> QuerySet[Notification]:
    """A user's notifications, newest first (the list page paginates this)."""
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-pk")


def unread_notification_count(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notifications_to_email() -> QuerySet[Notification]:
    """The notifications that are to go out by e-mail and have not: not yet claimed by a send,
    to an active recipient who opted in and has an address. The send and the reconciliation
    (monitoring) both use this, so that what is re-queued is exactly what a send would send."""
    return (
        Notification.objects.filter(
            emailed_at__isnull=True, recipient__is_active=True, recipient__email_notifications=True,
        )
        .exclude(recipient__email="")
    )


def notifications_awaiting_email(*, created_after: datetime, created_before: datetime) -> list[int]:
    """Ids of the notifications created in that window whose e-mail has not gone out.

    The window's start keeps a user who turns e-mail on today from receiving a year of old
    notifications; its end leaves the send queued a moment ago the time to run.
    """
    return list(
        notifications_to_email().filter(created_at__gt=created_after, created_at__lte=created_before)
        .order_by("pk").values_list("pk", flat=True)
    )
