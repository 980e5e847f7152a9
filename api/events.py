"""The body of each webhook event, built from committed data (called after commit by ``api.receivers``).

Each builder is handed to ``event_publish`` as a function: it runs only if someone subscribes.
"""

from __future__ import annotations

from api import serializers as s
from api.models import Event
from api.webhooks import event_publish
from monitoring.models import Alert
from onboarding.models import Application, Customer, StateChange
from screening.models import Evaluation
from screening.selectors import latest_evaluation


def _application(application: Application) -> dict:
    return dict(s.ApplicationSummarySerializer(application).data)


def _customer(customer_id: int) -> dict | None:
    customer = (Customer.objects.select_related("sales_owner", "industry").prefetch_related("conditions")
                .filter(pk=customer_id).first())
    if customer is None:
        return None
    return dict(s.CustomerSerializer(customer, context={"latest_evaluation": latest_evaluation(customer=customer)}).data)


def _change(change_id: int) -> StateChange:
    return StateChange.objects.select_related("application__created_by", "actor").get(pk=change_id)


def application_created(*, application_id: int) -> None:
    def build():
        application = Application.objects.select_related("created_by").filter(pk=application_id).first()
        return {"application": _application(application)} if application is not None else None

    event_publish(event_type=Event.APPLICATION_CREATED, payload=build)


def application_state_changed(*, change_id: int) -> None:
    def build():
        change = _change(change_id)
        return {"application": _application(change.application), "change": dict(s.StateChangeSerializer(change).data)}

    event_publish(event_type=Event.APPLICATION_STATE_CHANGED, payload=build)


def application_returned(*, change_id: int) -> None:
    """Returned for information: the questions are the reason the reviewer gave."""
    def build():
        change = _change(change_id)
        return {"application": _application(change.application), "questions": change.reason,
                "change": dict(s.StateChangeSerializer(change).data)}

    event_publish(event_type=Event.APPLICATION_RETURNED, payload=build)


def customer_admitted(*, application_id: int) -> None:
    def build():
        application = Application.objects.select_related("created_by").get(pk=application_id)
        customer = _customer(application.customer_id) if application.customer_id else None
        return {"customer": customer, "application": _application(application)} if customer else None

    event_publish(event_type=Event.CUSTOMER_ADMITTED, payload=build)


def customer_status_changed(*, customer_id: int, previous: str) -> None:
    def build():
        customer = _customer(customer_id)
        return {"customer": customer, "previous_status": previous} if customer else None

    event_publish(event_type=Event.CUSTOMER_STATUS_CHANGED, payload=build)


def _alert(alert_id: int) -> dict | None:
    alert = Alert.objects.select_related("customer", "assignee").filter(pk=alert_id).first()
    return {"alert": dict(s.AlertSerializer(alert).data)} if alert is not None else None


def alert_opened(*, alert_id: int) -> None:
    event_publish(event_type=Event.ALERT_OPENED, payload=lambda: _alert(alert_id))


def alert_escalated(*, alert_id: int) -> None:
    event_publish(event_type=Event.ALERT_ESCALATED, payload=lambda: _alert(alert_id))


def evaluation_tier_changed(*, customer_id: int, evaluation_id: int | None, previous: str, tier: str) -> None:
    def build():
        evaluation = Evaluation.objects.filter(pk=evaluation_id).first() if evaluation_id else None
        return {"customer": customer_id, "previous_tier": previous, "tier": tier,
                "evaluation": dict(s.EvaluationSerializer(evaluation).data) if evaluation is not None else None}

    event_publish(event_type=Event.EVALUATION_TIER_CHANGED, payload=build)
