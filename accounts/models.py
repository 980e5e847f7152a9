from __future__ import annotations

from functools import cached_property

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role


class User(AbstractUser):
    language = models.CharField(_("language"), max_length=10, blank=True, choices=settings.LANGUAGES)
    email_notifications = models.BooleanField(_("e-mail notifications"), default=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @cached_property
    def role_names(self) -> frozenset[str]:
        if not self.is_authenticated:
            return frozenset()
        return frozenset(self.groups.values_list("name", flat=True))

    def has_role(self, *roles: Role | str) -> bool:
        return any(str(role) in self.role_names for role in roles)


class Notification(models.Model):
    """An in-app message to one user; e-mail delivery is decided per user."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("recipient")
    )
    verb = models.CharField(_("message"), max_length=300)
    # The message as a code with parameters (accounts.messages), rendered in the reader's
    # language when read; ``verb`` keeps plain text from callers that pass text, and the
    # text as first written for the admin.
    message = models.JSONField(_("message code"), null=True, blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # Claimed before the e-mail goes out, so that a retried task never sends it twice.
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["recipient", "read_at"])]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        """What the reader reads, in the active language."""
        from accounts.messages import render

        return render(self.message, default=self.verb) if isinstance(self.message, dict) else self.verb


class SecurityEvent(models.Model):
    """A change to how a user signs in: the sign-in security log (append-only).

    Stored as a kind and the people concerned, rendered in the reader's language.
    """

    class Kind(models.TextChoices):
        TWO_FACTOR_ENROLLED = "two_factor_enrolled", _("Two-factor sign-in set up")
        TWO_FACTOR_REMOVED = "two_factor_removed", _("Two-factor sign-in removed by the user")
        TWO_FACTOR_RESET = "two_factor_reset", _("Two-factor sign-in reset by an administrator")
        RECOVERY_CODES_REGENERATED = "recovery_codes_regenerated", _("New recovery codes made")
        RECOVERY_CODE_USED = "recovery_code_used", _("Signed in with a recovery code")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="security_events", verbose_name=_("user")
    )
    kind = models.CharField(_("event"), max_length=40, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("done by"),
    )
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("sign-in security event")
        verbose_name_plural = _("sign-in security events")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.user}"
