"""API clients: tokens stored hashed, shown once, revocable, scoped, rate-limited; the staff pages."""

from __future__ import annotations

import hashlib

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.roles import Role
from api import services
from api.models import ApiClient, Scope
from tests.api.conftest import bearer
from tests.factories import ApplicationFactory, user_with

pytestmark = pytest.mark.django_db


def test_the_token_is_stored_only_as_its_sha256(sales, admin_user):
    client, token = services.api_client_create(name="Zoho", user=sales, scopes=["read"], actor=admin_user)
    stored = ApiClient.objects.get(pk=client.pk)
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token.startswith("vtd_") and len(token) >= 40
    assert stored.token_prefix == token[:12]
    assert all(token not in str(getattr(stored, f.attname)) for f in ApiClient._meta.fields if f.name != "token_prefix")


def test_a_valid_token_authenticates_and_records_last_use(sales):
    api = bearer(sales, scopes=["read"])
    assert api.api_client.last_used_at is None
    assert api.get("/api/v1/applications/").status_code == 200
    assert ApiClient.objects.get(pk=api.api_client.pk).last_used_at is not None


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer wrong-token", "Token abc", "Bearer vtd_a b"])
def test_missing_or_wrong_tokens_get_a_401(sales, header):
    bearer(sales)
    api = APIClient()
    if header:
        api.credentials(HTTP_AUTHORIZATION=header)
    response = api.get("/api/v1/applications/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"


def test_a_tampered_token_with_the_right_prefix_is_refused(sales):
    api = bearer(sales)
    tampered = api.token[:-1] + ("A" if api.token[-1] != "A" else "B")
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Bearer {tampered}")
    assert other.get("/api/v1/applications/").status_code == 401


def test_a_revoked_client_is_refused_at_once(sales, admin_user):
    api = bearer(sales)
    assert api.get("/api/v1/applications/").status_code == 200
    services.api_client_revoke(client_id=api.api_client.pk, actor=admin_user)
    response = api.get("/api/v1/applications/")
    assert (response.status_code, response.json()) == (401, {"detail": "Invalid or revoked token."})


def test_a_client_of_a_deactivated_user_is_refused(sales):
    api = bearer(sales)
    sales.is_active = False
    sales.save()
    assert api.get("/api/v1/applications/").status_code == 401


@pytest.mark.parametrize(
    ("scopes", "method", "path", "body", "allowed"),
    [
        (["applications:write"], "get", "/api/v1/applications/", None, False),
        (["read"], "post", "/api/v1/applications/", {"legal_name_zh": "甲公司"}, False),
        (["read", "applications:write"], "post", "/api/v1/applications/", {"legal_name_zh": "甲公司"}, True),
        (["read", "applications:write"], "post", "/api/v1/screen/", {"name": "x"}, False),
    ],
)
def test_each_endpoint_needs_its_scope(sales, scopes, method, path, body, allowed):
    api = bearer(sales, scopes=scopes)
    response = getattr(api, method)(path, body, format="json") if body else getattr(api, method)(path)
    if allowed:
        assert response.status_code in (200, 201)
    else:
        assert (response.status_code, response.json()) == (
            403, {"detail": "This API client does not have the scope this request needs."})


def test_a_transition_needs_the_transitions_scope(sales):
    application = ApplicationFactory(created_by=sales)
    api = bearer(sales, scopes=["read", "applications:write"])
    response = api.post(f"/api/v1/applications/{application.pk}/transition/",
                        {"transition": "withdraw", "expected_state": "draft"}, format="json")
    assert response.status_code == 403


def test_requests_are_limited_per_client(sales, settings):
    settings.API_RATE_LIMIT = "3/min"
    first, second = bearer(sales), bearer(sales)
    assert [first.get("/api/v1/applications/").status_code for _ in range(4)] == [200, 200, 200, 429]
    assert second.get("/api/v1/applications/").status_code == 200


def test_an_admin_creates_a_client_on_the_staff_page_and_sees_the_token_once(sales, admin_user):
    web = Client()
    web.force_login(admin_user)
    response = web.post("/api/clients/new/", {"name": "纷享销客", "user": sales.pk, "scopes": ["read", "transitions"]})
    assert response.status_code == 200
    client = ApiClient.objects.get(name="纷享销客")
    token = response.context["token"]
    assert client.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token in response.content.decode()
    assert (client.user, client.scopes, client.created_by) == (sales, ["read", "transitions"], admin_user)
    page = web.get(f"/api/clients/{client.pk}/").content.decode()
    assert token not in page and client.token_prefix in page
    assert "纷享销客" in web.get("/api/clients/").content.decode()
    web.post(f"/api/clients/{client.pk}/revoke/")
    client.refresh_from_db()
    assert client.revoked_at is not None and client.revoked_by == admin_user


@pytest.mark.parametrize("role", [Role.SALES, Role.RISK_MANAGER])
def test_only_admins_reach_the_client_pages(role, sales, admin_user):
    client, _token = services.api_client_create(name="Zoho", user=sales, scopes=["read"], actor=admin_user)
    web = Client()
    web.force_login(user_with(role))
    for url in ("/api/clients/", "/api/clients/new/", f"/api/clients/{client.pk}/"):
        assert web.get(url).status_code == 403
    assert web.post(f"/api/clients/{client.pk}/revoke/").status_code == 403
    assert ApiClient.objects.get(pk=client.pk).revoked_at is None


def test_creating_a_client_needs_an_admin(sales):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.api_client_create(name="x", user=sales, scopes=[Scope.READ], actor=user_with(Role.RISK_MANAGER))


def test_the_navigation_links_api_clients_for_admins_only(rf, db):
    from accounts.context_processors import navigation
    from accounts.roles import Role
    from tests.factories import user_with

    shown = {}
    for role in (Role.ADMIN, Role.RISK_MANAGER, Role.SALES):
        request = rf.get("/")
        request.user = user_with(role)
        shown[str(role)] = dict((str(label), url) for label, url in navigation(request)["nav_items"]).get("API clients")
    assert shown == {"admin": "/api/clients/", "risk_manager": None, "sales": None}
