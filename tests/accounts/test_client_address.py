"""The client's address behind the TLS proxy, and lockouts keyed on it with the user name."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from ipaddress import ip_network
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from accounts.client_ip import client_ip
from accounts.roles import Role
from tests.factories import user_with

PASSWORD = "pw-Vetted-2026"
PROXY = "10.0.0.2"
ADDRESS_A = "198.51.100.7"
ADDRESS_B = "203.0.113.20"
BASE_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture
def behind_one_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.TRUSTED_PROXIES = []
    return settings


def sign_in(client, username: str, password: str, *, remote: str = PROXY, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def five_failures_from_a(client, username: str = "xavier") -> list[int]:
    # Each through the proxy, each with a different forged entry in front of the one the proxy appended.
    return [
        sign_in(client, username, f"wrong-{n}", forwarded=f"192.0.2.{n}, {ADDRESS_A}").status_code for n in range(5)
    ]


@pytest.mark.django_db
def test_failures_from_one_address_do_not_lock_the_user_out_at_another(client, behind_one_proxy):
    user_with(Role.APPROVER_FINANCE, username="xavier")
    assert five_failures_from_a(client) == [200, 200, 200, 200, 429]
    response = sign_in(client, "xavier", PASSWORD, forwarded=ADDRESS_B)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] is not None


@pytest.mark.django_db
def test_five_failures_lock_that_address_and_user_name(client, behind_one_proxy):
    user_with(Role.APPROVER_FINANCE, username="xavier")
    five_failures_from_a(client)
    response = sign_in(client, "xavier", PASSWORD, forwarded=f"192.0.2.99, {ADDRESS_A}")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    attempt = AccessAttempt.objects.get(username="xavier")
    assert attempt.ip_address == ADDRESS_A
    assert attempt.failures_since_start == 5  # the attempt during the lockout did not count (nor extend it)


@pytest.mark.django_db
def test_lockout_page_says_how_many_minutes_remain_and_until_when(client, behind_one_proxy):
    user_with(Role.APPROVER_FINANCE, username="xavier")
    five_failures_from_a(client)
    last_failure = AccessAttempt.objects.get(username="xavier").attempt_time
    # Ten minutes later: five remain, and the end is fifteen minutes after the last failure.
    AccessAttempt.objects.update(attempt_time=last_failure - timedelta(minutes=10))
    ends = timezone.localtime(last_failure + timedelta(minutes=5))
    response = sign_in(client, "xavier", PASSWORD, forwarded=ADDRESS_A)
    assert response.status_code == 429
    text = " ".join(response.content.decode().split())
    assert "After 5 failed attempts, signing in with this user name from your address is blocked." in text
    assert f"Please try again in 5 minutes (after {ends:%H:%M}), or ask an administrator to unlock the account." in text


@pytest.mark.django_db
def test_lockout_page_in_chinese(client, behind_one_proxy):
    user_with(Role.APPROVER_FINANCE, username="xavier")
    client.cookies["django_language"] = "zh-hans"
    five_failures_from_a(client)
    ends = timezone.localtime(AccessAttempt.objects.get(username="xavier").attempt_time + timedelta(minutes=15))
    response = sign_in(client, "xavier", PASSWORD, forwarded=ADDRESS_A)
    text = " ".join(response.content.decode().split())
    assert f"请在 15 分钟后（{ends:%H:%M} 之后）重试，或请管理员解锁该账户。" in text


@pytest.mark.django_db
def test_without_a_proxy_a_forged_header_is_ignored(client, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    user_with(Role.APPROVER_FINANCE, username="xavier")
    # An attacker connecting directly from ADDRESS_A names a new address in every request.
    statuses = [
        sign_in(client, "xavier", f"wrong-{n}", remote=ADDRESS_A, forwarded=f"192.0.2.{n}").status_code
        for n in range(5)
    ]
    assert statuses == [200, 200, 200, 200, 429]
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [ADDRESS_A]
    # ...and cannot lock the user out at the address they named either.
    assert sign_in(client, "xavier", PASSWORD, remote=ADDRESS_B, forwarded=ADDRESS_A).status_code == 302


@pytest.mark.django_db
def test_a_request_not_from_a_trusted_proxy_is_taken_at_its_own_address(client, behind_one_proxy):
    behind_one_proxy.TRUSTED_PROXIES = [ip_network("10.0.0.0/24")]
    user_with(Role.APPROVER_FINANCE, username="xavier")
    for n in range(5):
        sign_in(client, "xavier", f"wrong-{n}", remote=ADDRESS_A, forwarded=ADDRESS_B)
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [ADDRESS_A]
    # The user behind the proxy at ADDRESS_B is not locked out.
    assert sign_in(client, "xavier", PASSWORD, remote=PROXY, forwarded=ADDRESS_B).status_code == 302


def _request(remote: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


@pytest.mark.parametrize(
    ("count", "trusted", "remote", "forwarded", "expected"),
    [
        (0, [], PROXY, ADDRESS_A, PROXY),  # no proxy configured: the header means nothing
        (1, [], PROXY, ADDRESS_A, ADDRESS_A),
        (1, [], PROXY, f"{ADDRESS_B}, {ADDRESS_A}", ADDRESS_A),  # the left entry was written by the client
        (2, [], PROXY, f"{ADDRESS_B}, {ADDRESS_A}, 10.0.0.9", ADDRESS_A),  # CDN, then the proxy
        (2, [], PROXY, ADDRESS_A, PROXY),  # fewer hops than proxies: nothing trustworthy
        (1, [], PROXY, None, PROXY),  # a health check from the proxy host
        (1, [], PROXY, "unknown", PROXY),
        (1, [], PROXY, "2001:db8::1", "2001:db8::1"),
        (1, ["10.0.0.0/24"], PROXY, ADDRESS_A, ADDRESS_A),
        (1, ["10.0.0.0/24"], ADDRESS_B, ADDRESS_A, ADDRESS_B),  # not from the proxy
    ],
)
def test_client_ip(settings, count, trusted, remote, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = count
    settings.TRUSTED_PROXIES = [ip_network(network) for network in trusted]
    assert client_ip(_request(remote, forwarded)) == expected


def _settings_error(**env: str) -> str:
    clean = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "DEBUG": "1", **env}
    result = subprocess.run(
        [sys.executable, "-c", "import config.settings"], cwd=BASE_DIR, env=clean, capture_output=True, text=True,
        timeout=60,
    )
    assert result.returncode == 1
    return result.stderr.strip().splitlines()[-1]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"TRUSTED_PROXY_COUNT": "one"}, "TRUSTED_PROXY_COUNT='one' is not an integer."),
        ({"TRUSTED_PROXY_COUNT": "-1"}, "TRUSTED_PROXY_COUNT=-1 must be at least 0."),
        ({"TRUSTED_PROXY_COUNT": "1", "TRUSTED_PROXIES": "10.0.0.0/33"},
         "TRUSTED_PROXIES: '10.0.0.0/33' is not an IP address or network."),
        ({"TRUSTED_PROXIES": "10.0.0.2"}, "TRUSTED_PROXIES is set but TRUSTED_PROXY_COUNT is 0: say how many proxies forward."),
        ({"MFA_REQUIRED": "maybe"}, "MFA_REQUIRED='maybe' is not a boolean; use 1/0, true/false, yes/no or on/off."),
    ],
)
def test_sign_in_settings_are_parsed_strictly(env, message):
    assert _settings_error(**env).endswith(message)
