"""The API's hooks into the lower apps: attribution of API writes in the history, and webhook events.

Every receiver only schedules work for after the commit (``transaction.on_commit``): a
change that rolls back sends nothing, and the event describes what was committed.
"""

from __future__ import annotations

from functools import partial

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver
from simple_history.models import HistoricalRecords
from simple_history.signals import post_create_historical_record, pre_create_historical_record

from api import events
from monitoring.enums import AlertStatus
from monitoring.models import Alert
from monitoring.signals import alerts_opened, tiers_changed
from onboarding.enums import State
from onboarding.models import Application, Customer
from onboarding.services import state_changed


def _client_of_current_request():
    request = getattr(HistoricalRecords.context, "request", None)
    return getattr(request, "api_client", None)


@receiver(pre_create_historical_record)
def attribute_to_api_client(sender, history_instance, **kwargs) -> None:
    """A history row written during an API request names the client (the user is the client's user)."""
    client = _client_of_current_request()
    if client is None:
        return
    reason = history_instance.history_change_reason or ""
    # simple-history keeps 100 characters: the client's name goes first so that it is never cut.
    history_instance.history_change_reason = f"[via API client {client.name}] {reason}".strip()[:100]


@receiver(post_save, sender=Application)
def application_created(sender, instance: Application, created: bool, raw: bool = False, **kwargs) -> None:
    if created and not raw:
        transaction.on_commit(partial(events.application_created, application_id=instance.pk))


@receiver(state_changed)
def application_state_changed(sender, application: Application, change, **kwargs) -> None:
    transaction.on_commit(partial(events.application_state_changed, change_id=change.pk))
    if change.to_state == State.RETURNED:
        transaction.on_commit(partial(events.application_returned, change_id=change.pk))
    if change.to_state == State.APPROVED:
        # The committee's decision admits the customer in the same transaction, after this signal.
        transaction.on_commit(partial(events.customer_admitted, application_id=application.pk))


@receiver(post_create_historical_record, sender=Customer.history.model)
def customer_history_written(sender, instance: Customer, history_instance, **kwargs) -> None:
    if history_instance.history_type != "~":
        return
    previous = (
        Customer.history.model.objects.filter(id=instance.pk, history_date__lt=history_instance.history_date)
        .order_by("-history_date").values_list("status", flat=True).first()
    )
    if previous is not None and previous != instance.status:
        transaction.on_commit(partial(events.customer_status_changed, customer_id=instance.pk, previous=previous))


@receiver(alerts_opened)
def alerts_were_opened(sender, alert_ids: list[int], **kwargs) -> None:
    for alert_id in alert_ids:
        events.alert_opened(alert_id=alert_id)


@receiver(post_save, sender=Alert)
def alert_saved(sender, instance: Alert, created: bool, update_fields=None, **kwargs) -> None:
    if instance.status == AlertStatus.ESCALATED and update_fields and "status" in update_fields:
        transaction.on_commit(partial(events.alert_escalated, alert_id=instance.pk))


@receiver(tiers_changed)
def customer_tiers_changed(sender, changes, **kwargs) -> None:
    for customer_id, evaluation_id, previous, tier in changes:
        events.evaluation_tier_changed(customer_id=customer_id, evaluation_id=evaluation_id, previous=previous,
                                       tier=tier)
