"""Reads for accounts used in more than one place."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Notification, SecurityEvent, User


def notifications_for(*, user: User) -> QuerySet[Notification]:
    """A user's notifications, newest first (the list page paginates this)."""
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-pk")


def unread_notification_count(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def lockout_ends_at(*, username: str | None, ip_address: str | None) -> datetime | None:
    """When the sign-in lockout of this user name from this address ends (None: not locked).

    django-axes keeps one row per user name, address and browser with the failures counted and
    the time of the last one; the pair is locked while the rows younger than the cool-off add up
    to the failure limit. Rows age out oldest first, so the lockout ends when the row that makes
    the running total, newest first, reach the limit turns the cool-off old.
    """
    from axes.models import AccessAttempt  # the model is only importable once apps are loaded

    cool_off: timedelta = settings.AXES_COOLOFF_TIME
    limit: int = settings.AXES_FAILURE_LIMIT
    rows = AccessAttempt.objects.filter(
        username=username, ip_address=ip_address, attempt_time__gte=timezone.now() - cool_off
    ).order_by("-attempt_time").values_list("attempt_time", "failures_since_start")
    total = 0
    for attempt_time, failures in rows:
        total += failures
        if total >= limit:
            return attempt_time + cool_off
    return None


# --- Two-factor sign-in ------------------------------------------------------------------

def two_factor_required(user: User) -> bool:
    """Whether ``user`` must sign in with a second factor (MFA_REQUIRED, MFA_REQUIRED_ROLES).

    Staff are included whatever their roles: they reach the Django admin.
    """
    if not settings.MFA_REQUIRED or not user.is_authenticated:
        return False
    return user.is_staff or user.is_superuser or user.has_role(*settings.MFA_REQUIRED_ROLES)


def totp_device(user: User) -> TOTPDevice | None:
    """The user's confirmed authenticator app, if they set one up."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def has_two_factor(user: User) -> bool:
    """Whether signing in as ``user`` asks for a code (a confirmed authenticator app)."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def security_events(*, user: User | None = None) -> QuerySet[SecurityEvent]:
    """The sign-in security log, newest first; one user's when ``user`` is given."""
    events = SecurityEvent.objects.select_related("user", "actor").order_by("-created_at", "-pk")
    return events.filter(user=user) if user is not None else events


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
