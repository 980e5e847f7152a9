"""Webhook events and their deliveries: built after commit, signed, sent, retried with backoff.

A delivery row is the queue and the log. ``delivery_claim`` takes a due row with a
conditional UPDATE (one row changed or none), so two workers never send one event to one
endpoint at once; the claim expires (``CLAIM_SECONDS``) so that a worker killed mid-send does
not hold it for ever. Failures (an error, a timeout, a non-2xx answer) are retried after
``BACKOFF`` (exponential, up to a day after the event), then the delivery is given up.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.request
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from rest_framework.utils.encoders import JSONEncoder

from api.models import DeliveryStatus, WebhookDelivery, WebhookEvent, WebhookSubscription

logger = logging.getLogger("vetted.webhooks")

# Seconds after the previous failure: 30 s, 2 min, 10 min, 30 min, 1 h, 2 h, 4 h, 8 h, then 8 h
# until a day has passed since the event.
BACKOFF = (30, 120, 600, 1800, 3600, 7200, 14400, 28800)
GIVE_UP_AFTER = timedelta(days=1)
CLAIM_SECONDS = 120
USER_AGENT = "Vetted-Webhooks/1"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """``v1=`` + hex HMAC-SHA256 of ``timestamp.body`` with the subscription's secret."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "v1=" + mac.hexdigest()


def event_body(event: WebhookEvent) -> bytes:
    data = {"id": str(event.id), "type": event.type, "created_at": event.created_at.isoformat(), "data": event.payload}
    return json.dumps(data, cls=JSONEncoder, ensure_ascii=False, sort_keys=True).encode()


def event_publish(*, event_type: str, payload) -> WebhookEvent | None:
    """Record an event and one delivery per active subscription to it; queue the sends after commit.

    Called after the change that caused it has committed (``api.receivers``). ``payload`` is a
    dict or a function building it, called only when someone subscribes. Returns ``None`` when
    nobody subscribes (nothing is stored, nothing built).
    """
    subscriptions = [
        s for s in WebhookSubscription.objects.filter(is_active=True, client__revoked_at__isnull=True)
        if event_type in s.events
    ]
    if not subscriptions:
        return None
    if callable(payload):
        payload = payload()
        if payload is None:
            return None
    from api.tasks import deliver
    from config.celery import enqueue_on_commit

    now = timezone.now()
    with transaction.atomic():
        event = WebhookEvent.objects.create(type=event_type, payload=json.loads(json.dumps(payload, cls=JSONEncoder)),
                                            created_at=now)
        deliveries = WebhookDelivery.objects.bulk_create(
            WebhookDelivery(subscription=s, event=event, next_attempt_at=now, created_at=now) for s in subscriptions
        )
        for delivery in deliveries:
            enqueue_on_commit(deliver, delivery_id=delivery.pk)
    return event


def deliver_soon(delivery_id: int) -> None:
    from api.tasks import deliver
    from config.celery import enqueue_on_commit

    enqueue_on_commit(deliver, delivery_id=delivery_id)


def delivery_claim(delivery_id: int) -> bool:
    """Take a due delivery for this worker: True if this call got it (one row changed)."""
    now = timezone.now()
    claimed = WebhookDelivery.objects.filter(
        Q(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
        | Q(status=DeliveryStatus.DELIVERING, claimed_until__lt=now),
        pk=delivery_id,
    ).update(status=DeliveryStatus.DELIVERING, claimed_until=now + timedelta(seconds=CLAIM_SECONDS))
    return claimed == 1


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer (a failed attempt), never followed: it could lead off http(s) or elsewhere."""

    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def _post(url: str, body: bytes, headers: dict[str, str]) -> int:
    """POST and return the status code; raises OSError (URLError, timeout) when there is no answer."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise OSError("not an http(s) URL")
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 (scheme checked)
    try:
        with _opener.open(request, timeout=settings.WEBHOOK_TIMEOUT_SECONDS) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def delivery_attempt(*, delivery_id: int) -> str:
    """Claim and send one delivery; record the outcome and the next attempt. Returns the new status.

    Safe to run twice: a delivery that is not due, or claimed by another worker, is left alone.
    """
    if not delivery_claim(delivery_id):
        return "skipped"
    delivery = WebhookDelivery.objects.select_related("subscription__client", "event").get(pk=delivery_id)
    if not delivery.subscription.is_active or not delivery.subscription.client.is_active:
        # Revoked meanwhile: nothing more is sent to it (a replay after reactivation would be).
        WebhookDelivery.objects.filter(pk=delivery_id).update(
            status=DeliveryStatus.FAILED, next_attempt_at=None, claimed_until=None, error="subscription inactive",
        )
        return DeliveryStatus.FAILED
    body = event_body(delivery.event)
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Vetted-Event": delivery.event.type,
        "Vetted-Event-Id": str(delivery.event.id),
        "Vetted-Delivery": str(delivery.pk),
        "Vetted-Timestamp": timestamp,
        "Vetted-Signature": sign(delivery.subscription.secret, timestamp, body),
    }
    started = time.monotonic()
    code, error = None, ""
    try:
        code = _post(delivery.subscription.url, body, headers)
    except (OSError, ValueError) as problem:
        error = str(problem)[:300] or problem.__class__.__name__
    duration = int((time.monotonic() - started) * 1000)
    now = timezone.now()
    fields = {"attempts": delivery.attempts + 1, "response_code": code, "duration_ms": duration,
              "error": error, "claimed_until": None}
    if code is not None and 200 <= code < 300:
        fields.update(status=DeliveryStatus.SUCCEEDED, delivered_at=now, next_attempt_at=None)
    else:
        if not error:
            fields["error"] = f"HTTP {code}"
        retry_at = now + timedelta(seconds=BACKOFF[min(delivery.attempts, len(BACKOFF) - 1)])
        if retry_at > delivery.event.created_at + GIVE_UP_AFTER:
            fields.update(status=DeliveryStatus.FAILED, next_attempt_at=None)
        else:
            fields.update(status=DeliveryStatus.PENDING, next_attempt_at=retry_at)
    # Only the claimant writes the outcome (a replay meanwhile reset the row: keep the replay).
    WebhookDelivery.objects.filter(pk=delivery_id, status=DeliveryStatus.DELIVERING).update(**fields)
    return fields["status"]


def deliveries_due(*, limit: int = 500) -> list[int]:
    """Due deliveries (and ones whose worker died mid-send), oldest first; the tick sends them."""
    now = timezone.now()
    return list(
        WebhookDelivery.objects.filter(
            Q(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
            | Q(status=DeliveryStatus.DELIVERING, claimed_until__lt=now)
        ).order_by("next_attempt_at").values_list("pk", flat=True)[:limit]
    )
