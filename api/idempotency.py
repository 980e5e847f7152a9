"""``Idempotency-Key``: a create or transition sent twice within 24 h acts once and answers the first result.

The record and the action share one transaction: the record's unique (client, key) insert is
the lock. A concurrent duplicate blocks on that insert until the first request commits, then
finds the stored answer and returns it; if the first request fails, its record rolls back with
its effects and the duplicate acts instead. So a key never acts twice and never loses an answer.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework import status
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from api.models import IdempotencyRecord

TTL = timedelta(hours=24)
MAX_KEY_LENGTH = 255
HEADER = OpenApiParameter(
    "Idempotency-Key", str, OpenApiParameter.HEADER, required=False,
    description="Send the same key again within 24 h to get the first answer instead of acting twice.",
)


def _fingerprint(request) -> str:
    body = json.dumps(request.data, cls=JSONEncoder, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def _replay(record: IdempotencyRecord, fingerprint: str) -> Response:
    if record.fingerprint != fingerprint:
        return Response({"detail": _("This Idempotency-Key was already used for a different request.")},
                        status=status.HTTP_422_UNPROCESSABLE_ENTITY)
    if record.status_code is None:
        return Response({"detail": _("A request with this Idempotency-Key is still being processed.")},
                        status=status.HTTP_409_CONFLICT)
    return Response(json.loads(record.body), status=record.status_code, headers={"Idempotent-Replayed": "true"})


def once(request, action: Callable[[], Response]) -> Response:
    """Run ``action`` at most once per (client, ``Idempotency-Key``); without the header, just run it."""
    key = request.headers.get("Idempotency-Key", "").strip()
    client = getattr(request, "api_client", None)
    if not key or client is None:
        return action()
    if len(key) > MAX_KEY_LENGTH or not key.isprintable() or not key.isascii():
        return Response({"detail": _("The Idempotency-Key header must be at most 255 printable ASCII characters.")},
                        status=status.HTTP_400_BAD_REQUEST)
    fingerprint = _fingerprint(request)
    IdempotencyRecord.objects.filter(client=client, key=key, created_at__lt=timezone.now() - TTL).delete()
    with transaction.atomic():
        try:
            with transaction.atomic():
                # Blocks while a concurrent request with this key is running; fails once it committed.
                record = IdempotencyRecord.objects.create(client=client, key=key, fingerprint=fingerprint)
        except IntegrityError:
            return _replay(IdempotencyRecord.objects.get(client=client, key=key), fingerprint)
        response = action()
        if response.status_code >= 500:
            transaction.set_rollback(True)
            return response
        record.status_code = response.status_code
        record.body = json.dumps(response.data, cls=JSONEncoder, ensure_ascii=False)
        record.save(update_fields=["status_code", "body"])
        return response


def records_prune() -> int:
    """Forget keys older than 24 h (called by the webhook tick)."""
    deleted, _detail = IdempotencyRecord.objects.filter(created_at__lt=timezone.now() - TTL).delete()
    return deleted
