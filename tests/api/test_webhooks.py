"""Webhooks against a real local HTTP server: events after commit, signatures, retries with backoff, claims."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ValidationError
from django.db import connections
from django.test import Client
from django.utils import timezone

from api import services, webhooks
from api.models import DeliveryStatus, Event, WebhookDelivery, WebhookEvent
from api.tasks import webhooks_tick
from approvals.models import Round
from onboarding.enums import State
from tests.api.conftest import bearer
from tests.factories import ApplicationFactory, advance, upload_required_documents


class Receiver:
    """A local webhook endpoint answering a scripted list of status codes (then 200), recording each request."""

    def __init__(self, statuses=(), delay: float = 0.0):
        self.statuses = list(statuses)
        self.delay = delay
        self.requests: list[tuple[dict, bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append(({k: v for k, v in self.headers.items()}, body))
                if receiver.delay:
                    time.sleep(receiver.delay)
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                if 300 <= status < 400:
                    self.send_header("Location", getattr(self, "location", "/"))
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_GET(self):  # noqa: N802  (a followed redirect would arrive as a GET)
                receiver.requests.append(({k: v for k, v in self.headers.items()}, b""))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/vetted"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def verify(secret: str, headers: dict, body: bytes, *, tolerance: int = 300) -> dict:
    """The receiver's check, written independently of api.webhooks (as in docs/integration.md)."""
    timestamp = headers["Vetted-Timestamp"]
    expected = "v1=" + hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, headers["Vetted-Signature"]):
        raise ValueError("bad signature")
    if abs(time.time() - int(timestamp)) > tolerance:
        raise ValueError("stale")
    return json.loads(body)


def _subscribe(user, url, events, admin):
    api = bearer(user)
    subscription = services.subscription_create(client=api.api_client, url=url, events=events, actor=admin)
    return api, subscription


def _due_now():
    WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING).update(next_attempt_at=timezone.now())


@pytest.mark.django_db
def test_a_submit_through_the_api_is_delivered_signed_after_commit(sales, admin_user, django_capture_on_commit_callbacks):
    application = ApplicationFactory(created_by=sales)
    upload_required_documents(application)
    with Receiver() as receiver:
        api, subscription = _subscribe(sales, receiver.url, [Event.APPLICATION_STATE_CHANGED], admin_user)
        with django_capture_on_commit_callbacks(execute=True):
            response = api.post(f"/api/v1/applications/{application.pk}/transition/",
                                {"transition": "submit", "expected_state": "draft"}, format="json")
        assert response.status_code == 200
    assert len(receiver.requests) == 1
    headers, body = receiver.requests[0]
    event = verify(subscription.secret, headers, body)
    assert (event["type"], headers["Vetted-Event"]) == ("application.state_changed", "application.state_changed")
    assert event["id"] == headers["Vetted-Event-Id"] == str(WebhookEvent.objects.get().id)
    assert event["data"]["application"]["id"] == application.pk
    assert event["data"]["application"]["state"] == "document_review"
    assert (event["data"]["change"]["from_state"], event["data"]["change"]["to_state"]) == ("draft", "document_review")
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.response_code, delivery.attempts) == (DeliveryStatus.SUCCEEDED, 200, 1)
    assert delivery.duration_ms is not None


@pytest.mark.django_db
def test_a_tampered_body_fails_the_independent_check(sales, admin_user, django_capture_on_commit_callbacks):
    with Receiver() as receiver:
        api, subscription = _subscribe(sales, receiver.url, [Event.APPLICATION_CREATED], admin_user)
        with django_capture_on_commit_callbacks(execute=True):
            api.post("/api/v1/applications/", {"legal_name_zh": "甲公司"}, format="json")
    headers, body = receiver.requests[0]
    assert verify(subscription.secret, headers, body)["data"]["application"]["name"] == "甲公司"
    with pytest.raises(ValueError, match="bad signature"):
        verify(subscription.secret, headers, body.replace("甲公司".encode(), "乙公司".encode()))
    with pytest.raises(ValueError, match="bad signature"):
        verify("whsec_another", headers, body)


@pytest.mark.django_db
def test_a_rollback_sends_nothing(sales, admin_user, django_capture_on_commit_callbacks):
    from django.db import transaction

    with Receiver() as receiver:
        _subscribe(sales, receiver.url, [Event.APPLICATION_CREATED], admin_user)
        with django_capture_on_commit_callbacks(execute=True):
            with transaction.atomic():
                ApplicationFactory(created_by=sales)
                transaction.set_rollback(True)
    assert receiver.requests == [] and not WebhookEvent.objects.exists()


@pytest.mark.django_db
def test_failures_are_retried_with_growing_backoff_until_it_succeeds(sales, admin_user,
                                                                     django_capture_on_commit_callbacks):
    with Receiver(statuses=[500, 503]) as receiver:
        api, _subscription = _subscribe(sales, receiver.url, [Event.APPLICATION_CREATED], admin_user)
        with django_capture_on_commit_callbacks(execute=True):
            api.post("/api/v1/applications/", {"legal_name_zh": "甲公司"}, format="json")
        delivery = WebhookDelivery.objects.get()
        first_wait = (delivery.next_attempt_at - timezone.now()).total_seconds()
        assert (delivery.status, delivery.attempts, delivery.response_code, delivery.error) == (
            DeliveryStatus.PENDING, 1, 500, "HTTP 500")
        assert webhooks_tick()["attempted"] == 0  # not due yet
        _due_now()
        webhooks_tick()
        delivery.refresh_from_db()
        second_wait = (delivery.next_attempt_at - timezone.now()).total_seconds()
        assert (delivery.status, delivery.attempts, delivery.response_code) == (DeliveryStatus.PENDING, 2, 503)
        _due_now()
        webhooks_tick()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code, delivery.next_attempt_at) == (
        DeliveryStatus.SUCCEEDED, 3, 200, None)
    # exponential: the second wait is several times the first (30 s, then 2 min)
    assert 20 < first_wait <= 30 and second_wait / first_wait > 3
    assert len({headers["Vetted-Event-Id"] for headers, _body in receiver.requests}) == 1
    assert len(receiver.requests) == 3


@pytest.mark.django_db
def test_a_timeout_counts_as_a_failure(sales, admin_user, settings, django_capture_on_commit_callbacks):
    settings.WEBHOOK_TIMEOUT_SECONDS = 1
    with Receiver(delay=1.5) as receiver:
        api, _subscription = _subscribe(sales, receiver.url, [Event.APPLICATION_CREATED], admin_user)
        with django_capture_on_commit_callbacks(execute=True):
            api.post("/api/v1/applications/", {"legal_name_zh": "甲公司"}, format="json")
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.response_code) == (DeliveryStatus.PENDING, None)
    assert "timed out" in delivery.error


@pytest.mark.django_db
def test_a_delivery_is_given_up_a_day_after_its_event(sales, admin_user, django_capture_on_commit_callbacks):
    with Receiver(statuses=[500] * 5) as receiver:
        api, _subscription = _subscribe(sales, receiver.url, [Event.APPLICATION_CREATED], admin_user)
        with django_capture_on_commit_callbacks(execute=True):
            api.post("/api/v1/applications/", {"legal_name_zh": "甲公司"}, format="json")
        WebhookEvent.objects.update(created_at=timezone.now() - datetime.timedelta(hours=23, minutes=59, seconds=50))
        _due_now()
        webhooks_tick()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == (DeliveryStatus.FAILED, 2, None)


@pytest.mark.django_db
def test_a_claimed_delivery_cannot_be_claimed_again_until_its_claim_expires(sales, admin_user,
                                                                           django_capture_on_commit_callbacks):
    with Receiver(statuses=[500]) as receiver:
        api, _subscription = _subscribe(sales, receiver.url, [Event.APPLICATION_CREATED], admin_user)
        with django_capture_on_commit_callbacks(execute=True):
            api.post("/api/v1/applications/", {"legal_name_zh": "甲公司"}, format="json")
    delivery = WebhookDelivery.objects.get()
    _due_now()
    assert webhooks.delivery_claim(delivery.pk) is True
    assert webhooks.delivery_claim(delivery.pk) is False
    WebhookDelivery.objects.filter(pk=delivery.pk).update(claimed_until=timezone.now() - datetime.timedelta(seconds=1))
    assert webhooks.delivery_claim(delivery.pk) is True


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_picking_the_same_retry_deliver_it_once(sales, admin_user):
    with Receiver(statuses=[500], delay=0.3) as receiver:
        api, _subscription = _subscribe(sales, receiver.url, [Event.APPLICATION_CREATED], admin_user)
        api.post("/api/v1/applications/", {"legal_name_zh": "甲公司"}, format="json")  # autocommit: sent at once
        delivery = WebhookDelivery.objects.get()
        assert (delivery.attempts, len(receiver.requests)) == (1, 1)
        _due_now()
        barrier = threading.Barrier(4)
        outcomes = []

        def worker() -> None:
            try:
                barrier.wait()
                outcomes.append(webhooks.delivery_attempt(delivery_id=delivery.pk))
            finally:
                connections.close_all()

        threads = [threading.Thread(target=worker) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert sorted(outcomes) == ["skipped", "skipped", "skipped", DeliveryStatus.SUCCEEDED]
    assert len(receiver.requests) == 2
    assert WebhookDelivery.objects.get().attempts == 2


@pytest.mark.django_db
def test_the_log_page_shows_deliveries_and_replays_one(sales, admin_user, django_capture_on_commit_callbacks):
    with Receiver() as receiver:
        api, subscription = _subscribe(sales, receiver.url, [Event.APPLICATION_CREATED], admin_user)
        with django_capture_on_commit_callbacks(execute=True):
            api.post("/api/v1/applications/", {"legal_name_zh": "甲公司"}, format="json")
        web = Client()
        web.force_login(admin_user)
        delivery = WebhookDelivery.objects.get()
        page = web.get(f"/api/subscriptions/{subscription.pk}/").content.decode()
        assert f'data-delivery="{delivery.pk}"' in page and "application.created" in page
        with django_capture_on_commit_callbacks(execute=True):
            response = web.post(f"/api/deliveries/{delivery.pk}/replay/")
        assert response.status_code == 302
    assert len(receiver.requests) == 2
    assert receiver.requests[0][0]["Vetted-Event-Id"] == receiver.requests[1][0]["Vetted-Event-Id"]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SUCCEEDED, 1)


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["ftp://example.com/hook", "file:///etc/passwd", "javascript:alert(1)", "example.com"])
def test_only_http_urls_can_be_subscribed(sales, admin_user, url):
    api = bearer(sales)
    with pytest.raises(ValidationError):
        services.subscription_create(client=api.api_client, url=url, events=[Event.APPLICATION_CREATED], actor=admin_user)


@pytest.mark.django_db
def test_a_returned_application_sends_the_questions(sales, reviewer, admin_user, django_capture_on_commit_callbacks):
    application = advance(ApplicationFactory(created_by=sales), State.DOCUMENT_REVIEW)
    with Receiver() as receiver:
        _subscribe(sales, receiver.url, [Event.APPLICATION_RETURNED], admin_user)
        with django_capture_on_commit_callbacks(execute=True):
            bearer(reviewer).post(f"/api/v1/applications/{application.pk}/transition/", {
                "transition": "return_for_information", "expected_state": "document_review",
                "reason": "请补充2025年审计报告。"}, format="json")
    event = json.loads(receiver.requests[0][1])
    assert (event["type"], event["data"]["questions"], event["data"]["application"]["state"]) == (
        "application.returned", "请补充2025年审计报告。", "returned")


@pytest.mark.django_db
def test_an_approval_sends_the_admission_with_its_terms(admin_user, django_capture_on_commit_callbacks):
    from tests.approvals.conftest import cast, in_committee
    from tests.factories import user_with

    people = {name: user_with(role, username=name) for name, role in (
        ("alice", "sales"), ("rita", "document_reviewer"), ("ivan", "investigator"), ("fay", "approver_finance"),
        ("leo", "approver_legal"), ("bea", "approver_business"))}
    application = in_committee(people)
    with Receiver() as receiver:
        _subscribe(people["alice"], receiver.url, [Event.CUSTOMER_ADMITTED, Event.CUSTOMER_STATUS_CHANGED], admin_user)
        with django_capture_on_commit_callbacks(execute=True):
            cast(application, people["fay"], "finance", "approve")
            cast(application, people["leo"], "legal", "approve_with_conditions",
                 conditions=[("Quarterly statements", timezone.localdate() + datetime.timedelta(days=90))])
            if Round.objects.filter(application=application, closed_at__isnull=True).exists():
                cast(application, people["bea"], "business", "approve")
    application.refresh_from_db()
    assert application.state == State.APPROVED
    types = [json.loads(body)["type"] for _headers, body in receiver.requests]
    assert types == ["customer.admitted"]
    customer = json.loads(receiver.requests[0][1])["data"]["customer"]
    assert customer["id"] == application.customer_id
    assert (customer["tier"], customer["status"]) == (application.customer.tier, "active")
    assert customer["credit_limit"] == f"{application.customer.credit_limit:.2f}"
    assert customer["payment_terms_days"] == application.customer.payment_terms_days
    assert [c["text"] for c in customer["conditions"]] == list(application.customer.conditions.values_list("text", flat=True))


@pytest.mark.django_db
def test_monitoring_sends_alert_opened_tier_changed_escalated_and_status_changed(
    admin_user, risk_manager, django_capture_on_commit_callbacks,
):
    from monitoring import runs
    from monitoring import services as monitoring_services
    from monitoring.enums import Scope as RunScope
    from monitoring.models import Alert
    from tests.monitoring.factories import admitted_customer, set_credit

    customer = admitted_customer()
    wanted = [Event.ALERT_OPENED, Event.ALERT_ESCALATED, Event.EVALUATION_TIER_CHANGED, Event.CUSTOMER_STATUS_CHANGED]
    with Receiver() as receiver:
        _subscribe(risk_manager, receiver.url, wanted, admin_user)
        with django_capture_on_commit_callbacks(execute=True):
            set_credit(customer, bureau_score=380, overdue_count=6, litigation_count=4)
            runs.work(run_id=runs.plan_run(scope=RunScope.DUE).pk, budget=60)
        opened = {json.loads(body)["data"]["alert"]["id"] for _h, body in receiver.requests
                  if json.loads(body)["type"] == "alert.opened"}
        assert opened == set(Alert.objects.filter(customer=customer).values_list("pk", flat=True)) and opened
        changes = [json.loads(body)["data"] for _h, body in receiver.requests
                   if json.loads(body)["type"] == "evaluation.tier_changed"]
        assert [(c["customer"], c["previous_tier"]) for c in changes] == [(customer.pk, "A")]
        assert changes[0]["tier"] != "A" and changes[0]["evaluation"]["tier"] == changes[0]["tier"]
        receiver.requests.clear()
        with django_capture_on_commit_callbacks(execute=True):
            monitoring_services.alert_escalate(alert_id=min(opened), actor=risk_manager, note="Bureau score collapsed.")
    types = sorted(json.loads(body)["type"] for _h, body in receiver.requests)
    assert types == ["alert.escalated", "customer.status_changed"]
    status = next(json.loads(b)["data"] for _h, b in receiver.requests if json.loads(b)["type"] == "customer.status_changed")
    assert (status["previous_status"], status["customer"]["status"]) == ("active", "under_review")


@pytest.mark.django_db
def test_a_redirect_is_a_failed_attempt_not_followed(sales, admin_user, django_capture_on_commit_callbacks):
    with Receiver() as target, Receiver(statuses=[302]) as redirecting:
        redirecting.server.RequestHandlerClass.location = target.url
        api, _subscription = _subscribe(sales, redirecting.url, [Event.APPLICATION_CREATED], admin_user)
        with django_capture_on_commit_callbacks(execute=True):
            api.post("/api/v1/applications/", {"legal_name_zh": "甲公司"}, format="json")
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.response_code) == (DeliveryStatus.PENDING, 302)
    assert target.requests == []


@pytest.mark.django_db
def test_a_revoked_clients_pending_retries_are_not_sent(sales, admin_user, django_capture_on_commit_callbacks):
    with Receiver(statuses=[500]) as receiver:
        api, _subscription = _subscribe(sales, receiver.url, [Event.APPLICATION_CREATED], admin_user)
        with django_capture_on_commit_callbacks(execute=True):
            api.post("/api/v1/applications/", {"legal_name_zh": "甲公司"}, format="json")
        services.api_client_revoke(client_id=api.api_client.pk, actor=admin_user)
        _due_now()
        webhooks_tick()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.error, len(receiver.requests)) == (DeliveryStatus.FAILED, "subscription inactive", 1)
