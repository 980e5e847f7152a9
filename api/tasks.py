"""Celery tasks: thin wrappers that call a service, keyword-only ids, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from api import webhooks
from api.idempotency import records_prune


@shared_task(name="api.deliver_webhook", ignore_result=True)
def deliver(*, delivery_id: int) -> str:
    """Send one webhook delivery if it is due and nobody else is sending it."""
    return webhooks.delivery_attempt(delivery_id=delivery_id)


@shared_task(name="api.webhooks_tick", ignore_result=True)
def tick() -> dict:
    """Every minute (beat): send the due retries (and lost sends), forget idempotency keys older than 24 h."""
    return webhooks_tick()


def webhooks_tick() -> dict:
    sent = [webhooks.delivery_attempt(delivery_id=pk) for pk in webhooks.deliveries_due()]
    return {"attempted": len([s for s in sent if s != "skipped"]), "idempotency_pruned": records_prune()}
