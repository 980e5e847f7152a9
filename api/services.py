"""Writes for the API app: clients and their tokens, webhook subscriptions, replays."""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from api import permissions as perms
from api import tokens
from api.models import ApiClient, DeliveryStatus, Event, Scope, WebhookDelivery, WebhookSubscription


def _require_admin(actor: User) -> None:
    if not perms.can_manage_clients(actor):
        raise PermissionDenied(_("Only administrators manage API clients."))


@transaction.atomic
def api_client_create(*, name: str, user: User, scopes: list[str], actor: User) -> tuple[ApiClient, str]:
    """Create a client acting as ``user``; returns it with its token, which is not stored and shown once."""
    _require_admin(actor)
    unknown = set(scopes) - set(Scope.values)
    if unknown or not scopes:
        raise ValidationError(_("Choose at least one scope."))
    if not user.is_active:
        raise ValidationError(_("The client must act as an active user."))
    token = tokens.token_new()
    client = ApiClient.objects.create(
        name=name.strip(), user=user, scopes=sorted(scopes), token_prefix=token[: tokens.PREFIX_LENGTH],
        token_hash=tokens.token_hash(token), created_by=actor,
    )
    return client, token


@transaction.atomic
def api_client_revoke(*, client_id: int, actor: User) -> ApiClient:
    """Revoke a client: its token stops working at once; its subscriptions stop receiving events."""
    _require_admin(actor)
    client = ApiClient.objects.select_for_update().get(pk=client_id)
    if client.revoked_at is None:
        client.revoked_at = timezone.now()
        client.revoked_by = actor
        client.save(update_fields=["revoked_at", "revoked_by"])
        client.subscriptions.update(is_active=False)
    return client


def check_webhook_url(url: str) -> str:
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError(_("The webhook URL must be an http or https address."))
    return url


def subscription_create(*, client: ApiClient, url: str, events: list[str], actor: User) -> WebhookSubscription:
    """Subscribe ``client`` to ``events`` at ``url``, with a new signing secret (shown on the page)."""
    _require_admin(actor)
    url = check_webhook_url(url)
    unknown = set(events) - set(Event.values)
    if unknown or not events:
        raise ValidationError(_("Choose at least one event."))
    if not client.is_active:
        raise ValidationError(_("This API client has been revoked."))
    return WebhookSubscription.objects.create(
        client=client, url=url, events=sorted(events), secret="whsec_" + secrets.token_urlsafe(32),
    )


def delivery_replay(*, delivery_id: int, actor: User) -> WebhookDelivery:
    """Send a delivery again (the log's replay button): due now, its attempts counted from zero."""
    from api.webhooks import deliver_soon

    _require_admin(actor)
    with transaction.atomic():
        delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery_id)
        if delivery.status == DeliveryStatus.DELIVERING and delivery.claimed_until and delivery.claimed_until > timezone.now():
            raise ValidationError(_("This delivery is being sent right now."))
        delivery.status = DeliveryStatus.PENDING
        delivery.attempts = 0
        delivery.next_attempt_at = timezone.now()
        delivery.claimed_until = None
        delivery.save(update_fields=["status", "attempts", "next_attempt_at", "claimed_until"])
        deliver_soon(delivery.pk)
    return delivery


@transaction.atomic
def api_client_set_mapping(*, client_id: int, mapping: dict, actor: User) -> ApiClient:
    """Store the client's CRM mapping (``api.mapping``) after checking it names only form fields."""
    from api.mapping import problems

    _require_admin(actor)
    found = problems(mapping)
    if found:
        raise ValidationError(found)
    client = ApiClient.objects.select_for_update().get(pk=client_id)
    client.crm_mapping = mapping
    client.save(update_fields=["crm_mapping"])
    return client
