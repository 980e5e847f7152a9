"""The authorisation matrix: every role × every object endpoint, through the API and through the screens.

For each pair, the API must give the same answer class as the screen: allowed, refused (403,
or a screen's redirect with an error message) or not found (404, no hint the object exists).
The objects belong to alice; bob is another sales person (another owner's application).
"""

from __future__ import annotations

import pytest
from django.contrib.messages import ERROR, get_messages
from django.test import Client

from accounts.roles import Role
from monitoring import runs
from monitoring.enums import Scope as RunScope
from monitoring.models import Alert
from tests.api.conftest import bearer
from tests.factories import ApplicationFactory, advance, pdf_upload, user_with
from tests.monitoring.factories import admitted_customer, set_credit

pytestmark = pytest.mark.django_db

ROLES = {
    "owner": (Role.SALES,),
    "other_sales": (Role.SALES,),
    "reviewer": (Role.DOCUMENT_REVIEWER,),
    "investigator": (Role.INVESTIGATOR,),
    "approver": (Role.APPROVER_FINANCE,),
    "risk_manager": (Role.RISK_MANAGER,),
    "admin": (Role.ADMIN,),
    "no_role": (),
}


def _screen_outcome(response) -> str:
    """A screen refuses with 403/404, or by redirecting with an error message (edit page, transitions)."""
    if response.status_code in (403, 404):
        return str(response.status_code)
    if response.status_code == 302:
        return "403" if any(m.level == ERROR for m in get_messages(response.wsgi_request)) else "ok"
    assert response.status_code == 200, response.status_code
    return "ok"


def _api_outcome(response) -> str:
    if response.status_code in (403, 404):
        return str(response.status_code)
    assert response.status_code < 300, (response.status_code, response.content)
    return "ok"


@pytest.fixture
def people(db):
    return {name: user_with(*roles, username=name) for name, roles in ROLES.items()}


def make_world(people) -> dict:
    """alice's (the owner's) objects: a draft with a document, one in document review, a customer with an alert."""
    owner = people["owner"]
    draft = ApplicationFactory(created_by=owner)
    in_review = advance(ApplicationFactory(created_by=owner), "document_review")
    customer = admitted_customer(owner=owner)
    set_credit(customer, litigation_count=3)
    run = runs.plan_run(scope=RunScope.DUE)
    runs.work(run_id=run.pk, budget=60)
    return {"people": people, "draft": draft, "in_review": in_review, "customer": customer,
            "alert": Alert.objects.get(customer=customer), "document": _upload(draft)}


def _upload(application):
    from onboarding import services
    from tests.factories import document_type

    return services.document_upload(application=application, document_type=document_type("business_licence"),
                                    upload=pdf_upload(), actor=application.created_by)


# (name, API call, screen call); each gets the world and returns a response.
ENDPOINTS = {
    "application_read": (
        lambda api, w: api.get(f"/api/v1/applications/{w['draft'].pk}/"),
        lambda web, w: web.get(f"/applications/{w['draft'].pk}/"),
    ),
    "application_evaluations": (
        lambda api, w: api.get(f"/api/v1/applications/{w['draft'].pk}/evaluations/"),
        lambda web, w: web.get(f"/applications/{w['draft'].pk}/"),
    ),
    "application_hits": (
        lambda api, w: api.get(f"/api/v1/applications/{w['in_review'].pk}/hits/"),
        lambda web, w: web.get(f"/screening/applications/{w['in_review'].pk}/"),
    ),
    "application_update": (
        lambda api, w: api.patch(f"/api/v1/applications/{w['draft'].pk}/", {"main_products": "数控机床与刀具"}, format="json"),
        lambda web, w: web.get(f"/applications/{w['draft'].pk}/edit/"),
    ),
    "document_upload": (
        lambda api, w: api.post(f"/api/v1/applications/{w['draft'].pk}/documents/",
                                {"document_type": "other", "file": pdf_upload("extra.pdf")}, format="multipart"),
        lambda web, w: web.post(f"/applications/{w['draft'].pk}/documents/",
                                {"document_type": _type_pk("other"), "files": pdf_upload("extra.pdf")}),
    ),
    "document_replace": (
        lambda api, w: api.post(f"/api/v1/documents/{w['document'].pk}/replace/", {"file": pdf_upload("v2.pdf")},
                                format="multipart"),
        lambda web, w: web.post(f"/documents/{w['document'].pk}/replace/", {"file": pdf_upload("v2.pdf")}),
    ),
    "application_withdraw": (
        lambda api, w: api.post(f"/api/v1/applications/{w['in_review'].pk}/transition/",
                                {"transition": "withdraw", "expected_state": "document_review"}, format="json"),
        lambda web, w: web.post(f"/applications/{w['in_review'].pk}/transition/",
                                {"transition": "withdraw", "expected_state": "document_review"}),
    ),
    "customer_read": (
        lambda api, w: api.get(f"/api/v1/customers/{w['customer'].pk}/"),
        lambda web, w: web.get(f"/approvals/customers/{w['customer'].pk}/"),
    ),
    "customer_evaluations": (
        lambda api, w: api.get(f"/api/v1/customers/{w['customer'].pk}/evaluations/"),
        lambda web, w: web.get(f"/approvals/customers/{w['customer'].pk}/"),
    ),
    "alert_read": (
        lambda api, w: api.get(f"/api/v1/alerts/{w['alert'].pk}/"),
        lambda web, w: web.get(f"/monitoring/alerts/{w['alert'].pk}/"),
    ),
    "alert_acknowledge": (
        lambda api, w: api.post(f"/api/v1/alerts/{w['alert'].pk}/acknowledge/", {}, format="json"),
        lambda web, w: web.post(f"/monitoring/alerts/{w['alert'].pk}/acknowledge/",
                                {"assignee": w["people"]["risk_manager"].pk}),
    ),
    "alert_resolve": (
        lambda api, w: api.post(f"/api/v1/alerts/{w['alert'].pk}/resolve/", {"note": "Settled."}, format="json"),
        lambda web, w: web.post(f"/monitoring/alerts/{w['alert'].pk}/resolve/", {"note": "Settled."}),
    ),
}

# What the screens answer today, written out so that a change on either side is noticed.
EXPECTED = {
    "application_read": {"owner": "ok", "other_sales": "404", "no_role": "404"},
    "application_evaluations": {"owner": "ok", "other_sales": "404", "no_role": "404"},
    "application_hits": {"owner": "403", "other_sales": "404", "no_role": "404"},
    "application_update": {"owner": "ok", "other_sales": "404", "no_role": "404"},
    "document_upload": {"owner": "ok", "other_sales": "404", "no_role": "404"},
    "document_replace": {"owner": "ok", "other_sales": "404", "no_role": "404"},
    "application_withdraw": {"owner": "ok", "other_sales": "404", "no_role": "404"},
    "customer_read": {"owner": "ok", "other_sales": "404", "reviewer": "403", "investigator": "403", "approver": "ok",
                      "risk_manager": "ok", "admin": "403", "no_role": "403"},
    "customer_evaluations": {"owner": "ok", "other_sales": "404", "reviewer": "403", "investigator": "403",
                             "approver": "ok", "risk_manager": "ok", "admin": "403", "no_role": "403"},
    "alert_read": {"risk_manager": "ok", "admin": "ok"},
    "alert_acknowledge": {"risk_manager": "ok"},
    "alert_resolve": {"risk_manager": "ok"},
}
STAFF_DEFAULT = {"application_read": "ok", "application_evaluations": "ok", "application_hits": "ok",
                 "application_update": "403", "document_upload": "403", "document_replace": "403",
                 "application_withdraw": "400"}


def _type_pk(code):
    from onboarding.models import DocumentType

    return DocumentType.objects.get(code=code).pk


def _expected(endpoint: str, role: str) -> str:
    table = EXPECTED[endpoint]
    if role in table:
        return table[role]
    return STAFF_DEFAULT.get(endpoint, "403")


@pytest.mark.parametrize("role", list(ROLES))
@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_the_api_authorises_each_role_as_the_screen_does(people, endpoint, role):
    user = people[role]
    api_call, screen_call = ENDPOINTS[endpoint]
    web = Client()
    web.force_login(user)
    # Each side acts on its own objects: a write through one must not decide the other's answer.
    api_answer = _api_outcome_or_refusal(api_call(bearer(user), make_world(people)))
    screen_answer = _screen_outcome(screen_call(web, make_world(people)))
    if api_answer == "400":  # a refused transition: the screen shows the refusal as an error message
        screen_answer = "400" if screen_answer == "403" else screen_answer
    assert (api_answer, screen_answer) == (_expected(endpoint, role), _expected(endpoint, role))


def _api_outcome_or_refusal(response) -> str:
    if response.status_code == 400:
        assert response.json()["messages"], response.json()
        return "400"
    return _api_outcome(response)
