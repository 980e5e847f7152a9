"""A signed-in page writes nothing to the session table unless the idle expiry is due a renewal."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import Role
from tests.factories import user_with

pytestmark = pytest.mark.django_db


def _session_writes(client, url) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in captured if q["sql"].startswith(("UPDATE", "INSERT")) and "django_session" in q["sql"]]


def test_pages_within_the_refresh_interval_write_no_session(client):
    client.force_login(user_with(Role.RISK_MANAGER))
    url = reverse("onboarding:application_list")
    assert [_session_writes(client, url) for _ in range(3)] == [[], [], []]


def test_the_expiry_is_renewed_once_the_interval_passed_and_then_not_again(client):
    client.force_login(user_with(Role.RISK_MANAGER))
    session = client.session
    session["_refreshed"] -= 60
    session.save()
    url = reverse("onboarding:application_list")
    assert len(_session_writes(client, url)) == 1
    assert _session_writes(client, url) == []


def test_a_session_with_a_clock_in_the_future_is_renewed(client):
    client.force_login(user_with(Role.RISK_MANAGER))
    session = client.session
    session["_refreshed"] += 3600
    session.save()
    assert len(_session_writes(client, reverse("onboarding:application_list"))) == 1


def test_signing_out_leaves_no_session_behind(client):
    client.force_login(user_with(Role.RISK_MANAGER))
    assert client.post(reverse("logout")).status_code == 302
    assert Session.objects.count() == 0
