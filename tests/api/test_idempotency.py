"""Idempotency-Key: a create or transition sent again within 24 h answers the first result and acts once."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import connections
from django.utils import timezone

from api.models import IdempotencyRecord
from onboarding.models import Application, StateChange
from tests.api.conftest import bearer
from tests.factories import ApplicationFactory, upload_required_documents

BODY = {"legal_name_zh": "江南精工有限公司"}


@pytest.mark.django_db
def test_the_same_key_creates_once_and_answers_the_first_result(sales):
    api = bearer(sales)
    first = api.post("/api/v1/applications/", BODY, format="json", HTTP_IDEMPOTENCY_KEY="crm-1")
    second = api.post("/api/v1/applications/", BODY, format="json", HTTP_IDEMPOTENCY_KEY="crm-1")
    assert (first.status_code, second.status_code) == (201, 201)
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true" and not first.has_header("Idempotent-Replayed")
    assert Application.objects.count() == 1


@pytest.mark.django_db
def test_without_a_key_each_request_acts(sales):
    api = bearer(sales)
    api.post("/api/v1/applications/", BODY, format="json")
    api.post("/api/v1/applications/", BODY, format="json")
    assert Application.objects.count() == 2


@pytest.mark.django_db
def test_a_transition_sent_twice_moves_once_and_answers_the_first_success(sales):
    application = ApplicationFactory(created_by=sales)
    upload_required_documents(application)
    api = bearer(sales)
    body = {"transition": "submit", "expected_state": "draft"}
    url = f"/api/v1/applications/{application.pk}/transition/"
    first = api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="submit-77")
    second = api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="submit-77")
    assert (first.status_code, second.status_code) == (200, 200)
    assert second.json() == first.json()
    assert StateChange.objects.filter(application=application).count() == 1
    # without the key the repeat is a lost race, as on the screen
    assert api.post(url, body, format="json").status_code == 409


@pytest.mark.django_db
def test_a_key_reused_for_another_request_is_refused(sales):
    api = bearer(sales)
    api.post("/api/v1/applications/", BODY, format="json", HTTP_IDEMPOTENCY_KEY="crm-1")
    response = api.post("/api/v1/applications/", {"legal_name_zh": "另一家公司"}, format="json",
                        HTTP_IDEMPOTENCY_KEY="crm-1")
    assert (response.status_code, response.json()) == (
        422, {"detail": "This Idempotency-Key was already used for a different request."})
    assert Application.objects.count() == 1


@pytest.mark.django_db
def test_keys_belong_to_their_client(sales):
    bearer(sales).post("/api/v1/applications/", BODY, format="json", HTTP_IDEMPOTENCY_KEY="crm-1")
    bearer(sales).post("/api/v1/applications/", BODY, format="json", HTTP_IDEMPOTENCY_KEY="crm-1")
    assert Application.objects.count() == 2


@pytest.mark.django_db
def test_a_key_older_than_a_day_acts_again(sales):
    api = bearer(sales)
    api.post("/api/v1/applications/", BODY, format="json", HTTP_IDEMPOTENCY_KEY="crm-1")
    IdempotencyRecord.objects.update(created_at=timezone.now() - datetime.timedelta(hours=24, minutes=1))
    response = api.post("/api/v1/applications/", BODY, format="json", HTTP_IDEMPOTENCY_KEY="crm-1")
    assert response.status_code == 201 and not response.has_header("Idempotent-Replayed")
    assert Application.objects.count() == 2


@pytest.mark.django_db
def test_a_refusal_is_remembered_too(sales):
    application = ApplicationFactory(created_by=sales)
    api = bearer(sales)
    url = f"/api/v1/applications/{application.pk}/transition/"
    body = {"transition": "pass_documents", "expected_state": "draft"}
    first = api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="k")
    second = api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert (first.status_code, second.status_code, second.json()) == (400, 400, first.json())


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_duplicates_act_once_and_get_the_same_answer(sales):
    api = bearer(sales)
    token = api.token
    barrier = threading.Barrier(4)
    answers = [None] * 4

    def send(index: int) -> None:
        from rest_framework.test import APIClient

        try:
            http = APIClient()
            http.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
            barrier.wait()
            response = http.post("/api/v1/applications/", BODY, format="json", HTTP_IDEMPOTENCY_KEY="race")
            answers[index] = (response.status_code, response.json())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Application.objects.count() == 1
    assert [status for status, _ in answers] == [201] * 4
    assert len({body["id"] for _, body in answers}) == 1
