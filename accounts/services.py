"""Writes for accounts: notifications (in-app rows, e-mail after commit), user preferences and
two-factor sign-in (set up, check, recovery codes, remove, reset — each change in the security log)."""

from __future__ import annotations

import datetime
import logging
import math
from binascii import unhexlify
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from django_otp.models import Device
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from accounts.messages import Message
from accounts.models import Notification, SecurityEvent, User
from accounts.roles import Role
from accounts.selectors import notifications_to_email, two_factor_required

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


def notify(*, recipients: Iterable[User], verb: str | Promise | Message, url: str = "") -> list[Notification]:
    """Tell each distinct active recipient something, in the app and (if they want) by e-mail.

    ``verb`` is best a ``Message`` (``accounts.messages.message(code, **params)``): it is
    stored as its code and parameters and rendered whenever it is read, in the reader's
    language of the moment (a language switch changes old notifications too). Plain text or
    a lazy translation still works: it is rendered once per recipient in that recipient's
    language and stays so. ``url`` is a site-relative link (``reverse(...)``).

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
    data = verb.as_data() if isinstance(verb, Message) else None
    rows = []
    for user in distinct.values():
        with translation.override(user_language(user)):
            text = Truncator(str(verb)).chars(VERB_MAX_LENGTH)
        rows.append(Notification(recipient=user, verb=text, message=data, url=url))
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


# --- Two-factor sign-in ------------------------------------------------------------------

TOTP_DIGITS = 6


class TwoFactorError(Exception):
    """A code was not accepted; ``message`` says why in the current language."""

    def __init__(self, message: str | Promise) -> None:
        super().__init__(str(message))
        self.message = message


class TwoFactorThrottled(TwoFactorError):
    """Too many wrong codes for this device lately: no code is checked before ``until``."""

    def __init__(self, until: datetime.datetime) -> None:
        seconds = max(1, math.ceil((until - timezone.now()).total_seconds()))
        super().__init__(
            ngettext_lazy(
                "Too many wrong codes. Wait %(seconds)d second before trying again.",
                "Too many wrong codes. Wait %(seconds)d seconds before trying again.",
                "seconds",
            ) % {"seconds": seconds}
        )
        self.until = until


def two_factor_secret_new() -> str:
    """A new authenticator secret (20 random bytes, hex) for a user to set up."""
    return random_hex(20)


def normalise_code(code: str) -> str:
    """Codes are typed by hand: ignore spaces and dashes and letter case."""
    return "".join(code.split()).replace("-", "").lower()


def _event(*, user: User, kind: str, actor: User | None, ip_address: str | None) -> SecurityEvent:
    return SecurityEvent.objects.create(user=user, kind=kind, actor=actor, ip_address=ip_address)


def _new_recovery_codes(device: StaticDevice) -> list[str]:
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(settings.MFA_RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


@transaction.atomic
def two_factor_enrol(*, user: User, secret: str, code: str, ip_address: str | None = None) -> tuple[TOTPDevice, list[str]]:
    """Set up ``user``'s authenticator app with ``secret`` once ``code`` from the app matches it.

    Side effects: a confirmed ``TOTPDevice`` whose last accepted step is the confirming code's
    (that code cannot sign in again), a recovery-code ``StaticDevice`` with
    ``MFA_RECOVERY_CODE_COUNT`` single-use codes, and a ``two_factor_enrolled`` security event.
    Returns the device and the recovery codes, which are shown once and stored nowhere else
    in clear. Raises ``TwoFactorError`` for a wrong code or a user already set up.
    """
    User.objects.select_for_update().filter(pk=user.pk).first()  # two tabs enrolling at once: one wins
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise TwoFactorError(_("Two-factor sign-in is already set up for this account."))
    code = normalise_code(code)
    totp = TOTP(unhexlify(secret.encode()), digits=TOTP_DIGITS)
    if not (code.isascii() and code.isdigit() and len(code) == TOTP_DIGITS and totp.verify(int(code), tolerance=1)):
        raise TwoFactorError(_("That code does not match. Enter the 6-digit code your app shows now."))
    TOTPDevice.objects.filter(user=user).delete()
    device = TOTPDevice.objects.create(
        user=user, name="Authenticator app", key=secret, digits=TOTP_DIGITS, confirmed=True,
        last_t=totp.t(), drift=totp.drift,
    )
    StaticDevice.objects.filter(user=user).delete()
    recovery = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    codes = _new_recovery_codes(recovery)
    _event(user=user, kind=SecurityEvent.Kind.TWO_FACTOR_ENROLLED, actor=user, ip_address=ip_address)
    return device, codes


def two_factor_check(*, user: User, code: str, ip_address: str | None = None) -> Device:
    """The device that accepts ``code`` for ``user``: a 6-digit app code or a recovery code.

    A recovery code is deleted as it is accepted (single use) and writes a
    ``recovery_code_used`` security event. Each device throttles wrong codes (django-otp:
    1, 2, 4 … seconds after successive failures); a wrong code counts even while the caller
    is told "wrong" rather than "wait". Raises ``TwoFactorThrottled`` while a device refuses
    to check codes and ``TwoFactorError`` for a wrong code.
    """
    code = normalise_code(code)
    is_app_code = code.isascii() and code.isdigit() and len(code) == TOTP_DIGITS
    model = TOTPDevice if is_app_code else StaticDevice
    with transaction.atomic():
        # Locked: two requests with the same code (or recovery code) cannot both be accepted.
        device = model.objects.select_for_update().filter(user=user, confirmed=True).order_by("pk").first()
        if device is None:
            accepted = False
        else:
            allowed, details = device.verify_is_allowed()
            if not allowed:
                until = (details or {}).get("locked_until") or timezone.now()
                raise TwoFactorThrottled(until)
            # The failure count is saved inside this block, so nothing below may raise.
            accepted = device.verify_token(code)
        if accepted and not is_app_code:
            _event(user=user, kind=SecurityEvent.Kind.RECOVERY_CODE_USED, actor=user, ip_address=ip_address)
    if not accepted:
        raise TwoFactorError(
            _("That code is not right. Enter the 6-digit code your app shows now, or one of your recovery codes.")
        )
    return device


@transaction.atomic
def recovery_codes_regenerate(*, user: User, ip_address: str | None = None) -> list[str]:
    """Replace ``user``'s recovery codes with new ones (the old ones stop working).

    Side effects: the tokens of the recovery-code device are replaced and a
    ``recovery_codes_regenerated`` event written. Returns the new codes (shown once).
    Raises ``TwoFactorError`` when the user has not set up two-factor sign-in.
    """
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise TwoFactorError(_("Set up two-factor sign-in first."))
    device = StaticDevice.objects.select_for_update().filter(user=user).order_by("pk").first()
    if device is None:
        device = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    codes = _new_recovery_codes(device)
    _event(user=user, kind=SecurityEvent.Kind.RECOVERY_CODES_REGENERATED, actor=user, ip_address=ip_address)
    return codes


def _delete_factors(user: User) -> int:
    removed = TOTPDevice.objects.filter(user=user).delete()[0]
    StaticDevice.objects.filter(user=user).delete()
    return removed


@transaction.atomic
def two_factor_remove(*, user: User, ip_address: str | None = None) -> None:
    """The user turns their own two-factor sign-in off (only where it is not required).

    Side effects: their app and recovery codes are deleted and a ``two_factor_removed`` event
    written. Raises ``PermissionDenied`` when their role requires two-factor sign-in.
    """
    if two_factor_required(user):
        raise PermissionDenied("Two-factor sign-in is required for this user.")
    if _delete_factors(user):
        _event(user=user, kind=SecurityEvent.Kind.TWO_FACTOR_REMOVED, actor=user, ip_address=ip_address)


def can_reset_two_factor(actor: User) -> bool:
    """System administrators (the admin role, or a superuser) reset other people's factors."""
    return actor.is_active and (actor.is_superuser or (actor.is_staff and actor.has_role(Role.ADMIN)))


@transaction.atomic
def two_factor_reset(*, user: User, actor: User, ip_address: str | None = None) -> None:
    """An administrator removes ``user``'s app and recovery codes (a lost phone).

    The user sets up a new app at their next sign-in if their role requires it. Side effects:
    the devices are deleted, sessions verified with them stop counting as verified, and a
    ``two_factor_reset`` event names the administrator. Raises ``PermissionDenied`` unless
    ``can_reset_two_factor(actor)``.
    """
    if not can_reset_two_factor(actor):
        raise PermissionDenied("Only a system administrator resets two-factor sign-in.")
    _delete_factors(user)
    _event(user=user, kind=SecurityEvent.Kind.TWO_FACTOR_RESET, actor=actor, ip_address=ip_address)
