"""Reads for accounts used in more than one place."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import Notification, User


def notifications_for(*, user: User) -> QuerySet[Notification]:
    """A user's notifications, newest first (the list page paginates this)."""
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-pk")


def unread_notification_count(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
