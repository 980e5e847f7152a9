"""Integration clients, idempotency records and webhooks (the API at the top of the layers)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Scope(models.TextChoices):
    READ = "read", _("Read")
    APPLICATIONS_WRITE = "applications:write", _("Write applications (drafts and documents)")
    TRANSITIONS = "transitions", _("Take actions (transitions, alerts)")
    SCREENING = "screening", _("Watchlist screening")


class ApiClient(models.Model):
    """A system (e.g. the CRM) acting as one user: that user's roles decide what it may do.

    The token is shown once when created; only its SHA-256 and a short prefix (to find the row
    and to tell tokens apart on the page) are kept.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_clients", verbose_name=_("acts as"),
    )
    scopes = models.JSONField(_("scopes"), default=list)
    token_prefix = models.CharField(_("token prefix"), max_length=16, db_index=True)
    token_hash = models.CharField(max_length=64, unique=True)
    # CRM account fields → unified application form fields (see api.mapping and docs/integration.md).
    crm_mapping = models.JSONField(_("CRM mapping"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True,
        verbose_name=_("revoked by"),
    )

    class Meta:
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes


class IdempotencyRecord(models.Model):
    """The first answer to a create or transition sent with an ``Idempotency-Key`` (kept 24 h).

    ``status_code`` is null while the first request is still running: a concurrent duplicate
    waits on the row lock and then sees the stored answer, or gets a 409 if it is unfinished.
    """

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)  # method, path and body: the same key reused for another request is refused
    status_code = models.PositiveSmallIntegerField(null=True)
    body = models.TextField(blank=True)  # the JSON text as sent (jsonb cannot hold a \u0000 a caller may have sent)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client", "key"], name="idempotency_key_unique_per_client")]

    def __str__(self) -> str:
        return self.key


class Event(models.TextChoices):
    APPLICATION_CREATED = "application.created", _("Application created")
    APPLICATION_STATE_CHANGED = "application.state_changed", _("Application state changed")
    APPLICATION_RETURNED = "application.returned", _("Application returned for information")
    CUSTOMER_ADMITTED = "customer.admitted", _("Customer admitted")
    CUSTOMER_STATUS_CHANGED = "customer.status_changed", _("Customer status changed")
    ALERT_OPENED = "alert.opened", _("Alert opened")
    ALERT_ESCALATED = "alert.escalated", _("Alert escalated")
    EVALUATION_TIER_CHANGED = "evaluation.tier_changed", _("Evaluation tier changed")


class WebhookSubscription(models.Model):
    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="subscriptions",
                               verbose_name=_("API client"))
    url = models.URLField(_("URL"), max_length=500)
    events = models.JSONField(_("events"), default=list)
    secret = models.CharField(_("signing secret"), max_length=100)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.url


class WebhookEvent(models.Model):
    """One thing that happened, with the body every subscriber receives (built once, after commit)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    type = models.CharField(max_length=40, choices=Event.choices)
    payload = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.type} {self.id}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("webhook delivery status", "Pending")
    DELIVERING = "delivering", _("Delivering")
    SUCCEEDED = "succeeded", _("Delivered")
    FAILED = "failed", _("Given up")


class WebhookDelivery(models.Model):
    """One event to one subscription; its row is the queue, the claim and the log.

    A worker claims a due row with a conditional UPDATE (``api.webhooks.delivery_claim``), so two
    workers never send one event to one endpoint at once.
    """

    subscription = models.ForeignKey(WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(_("status"), max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True, db_index=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    response_code = models.PositiveSmallIntegerField(_("response code"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["subscription", "event"], name="webhook_one_delivery_per_event")]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due")]
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.event_id} → {self.subscription_id}"
