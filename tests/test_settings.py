"""Settings: production checks, strict parsing of the environment, headers, login throttling, sessions."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from tests.factories import user_with

BASE_DIR = Path(__file__).resolve().parent.parent
PASSWORD = "pw-Vetted-2026"  # tests.factories.UserFactory


def manage(*args: str, env: dict[str, str], var_dir: Path) -> subprocess.CompletedProcess:
    """Run manage.py in a fresh process with only ``env`` (nothing inherited from the test run)."""
    clean = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "VETTED_VAR_DIR": str(var_dir), **env}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=clean, capture_output=True, text=True, timeout=120
    )


def production_env(**overrides: str) -> dict[str, str]:
    env = {"DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "vetted.example.com"}
    env.update(overrides)
    return {name: value for name, value in env.items() if value is not None}


def test_check_deploy_passes_with_production_settings(tmp_path):
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env(), var_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_collectstatic_succeeds_with_the_production_storage(tmp_path):
    # The manifest storage rewrites references between static files; a vendored file that
    # points at a missing source map stops the Docker build (and every deployment).
    result = manage("collectstatic", "--noinput", env=production_env(), var_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "staticfiles" / "staticfiles.json").is_file()


def test_check_deploy_fails_with_debug_on(tmp_path):
    # The check above is only worth something if it can fail.
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env(DEBUG="1"), var_dir=tmp_path)
    assert result.returncode == 1
    assert "security.W018" in result.stderr


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEBUG": "maybe"}, "DEBUG='maybe' is not a boolean; use 1/0, true/false, yes/no or on/off."),
        ({"SECRET_KEY": None}, "SECRET_KEY is required when DEBUG is off: set the SECRET_KEY environment variable"),
        ({"ALLOWED_HOSTS": None}, "ALLOWED_HOSTS is required when DEBUG is off."),
        ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS is required when DEBUG is off."),
        ({"ALLOWED_HOSTS": "a.example.com,,b.example.com"},
         "ALLOWED_HOSTS='a.example.com,,b.example.com' has an empty item"),
        ({"DATABASE_URL": "postgres://postgres@127.0.0.1:port/vetted"},
         "DATABASE_URL is not a valid database URL: Port could not be cast to integer value as 'port'"),
        ({"DATABASE_URL": "mysql://root@127.0.0.1/vetted"}, "DATABASE_URL must be a postgres:// or sqlite:// URL."),
        ({"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/"},
         "DATABASE_URL must name the database: postgres://user@host:5432/name."),
        ({"REDIS_URL": "127.0.0.1:6379"}, "REDIS_URL must be a redis:// or rediss:// URL with a host."),
        ({"LOGIN_FAILURE_LIMIT": "five"}, "LOGIN_FAILURE_LIMIT='five' is not an integer."),
        ({"LOGIN_FAILURE_LIMIT": "0"}, "LOGIN_FAILURE_LIMIT=0 must be at least 1."),
        ({"SESSION_IDLE_MINUTES": "30m"}, "SESSION_IDLE_MINUTES='30m' is not an integer."),
        ({"SECURE_SSL_REDIRECT": "sometimes"}, "SECURE_SSL_REDIRECT='sometimes' is not a boolean"),
        ({"LANGUAGE_CODE": "fr"}, "LANGUAGE_CODE must be one of zh-hans, en."),
        ({"EMAIL_URL": "pigeon://loft"}, "EMAIL_URL is not a valid e-mail URL"),
    ],
    ids=lambda value: "=".join(str(v) for v in next(iter(value.items()))) if isinstance(value, dict) else "",
)
def test_bad_setting_stops_the_process_naming_the_variable(tmp_path, env, message):
    result = manage("check", env=production_env(**env), var_dir=tmp_path)
    assert result.returncode == 1
    assert f"django.core.exceptions.ImproperlyConfigured: {message}" in result.stderr


def test_missing_secret_key_says_what_to_set_and_that_debug_is_the_development_mode(tmp_path):
    result = manage("check", env=production_env(SECRET_KEY=None), var_dir=tmp_path)
    assert result.returncode == 1
    assert (
        "ImproperlyConfigured: SECRET_KEY is required when DEBUG is off: set the SECRET_KEY environment variable to "
        "a long random value (e.g. the output of python -c 'import secrets; print(secrets.token_urlsafe(50))'), "
        "or set DEBUG=1 for development mode (never in production)."
    ) in result.stderr


def test_management_commands_print_only_their_own_output(tmp_path):
    # django-axes announced itself ("AXES: BEGIN ...") before every command's output.
    result = manage("shell", "--no-imports", "-c", "print('only this')", env=production_env(), var_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "only this\n"
    assert "AXES" not in result.stderr


def test_starting_without_make_dirs_creates_the_folders_the_settings_name(tmp_path):
    # A web server or worker started by hand (no `make dirs`) must find the file-system broker's
    # folders, or the first queued task fails (web) or the worker stops with a traceback.
    var = tmp_path / "fresh"
    result = manage("check", env={"DEBUG": "1"}, var_dir=var)
    assert result.returncode == 0, result.stderr
    created = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_dir())
    assert created == [
        "fresh", "fresh/broker", "fresh/broker/control", "fresh/broker/out", "fresh/broker/processed", "fresh/media",
    ]


def test_session_idle_minutes_sets_the_session_lifetime(tmp_path):
    code = (
        "from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_AGE, s.SESSION_SAVE_EVERY_REQUEST, s.SESSION_REFRESH_SECONDS)"
    )
    env = production_env(SESSION_IDLE_MINUTES="10")
    result = manage("shell", "--no-imports", "-c", code, env=env, var_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "600 False 20"


@pytest.mark.django_db
def test_login_page_has_strict_security_headers(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "'unsafe-inline'" not in csp
    assert "'unsafe-eval'" not in csp
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";") if part.strip())
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.django_db
def test_signed_in_page_has_the_same_csp(client):
    user = user_with(Role.RISK_MANAGER, username="csp-rosa")
    client.force_login(user)
    response = client.get(reverse("onboarding:application_list"))
    assert response.status_code == 200
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "script-src 'self'" in response["Content-Security-Policy"]


def _sign_in(client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password})


@pytest.mark.django_db
def test_login_locked_after_five_failures_even_with_the_right_password(client):
    user_with(Role.SALES, username="carol")
    statuses = [_sign_in(client, "carol", f"wrong-{n}").status_code for n in range(5)]
    response = _sign_in(client, "carol", PASSWORD)
    # The fifth failure reaches the limit: from then on every attempt gets the lockout page.
    assert statuses == [200, 200, 200, 200, 429]
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    content = response.content.decode()
    assert "Sign-in blocked" in content
    assert "After 5 failed attempts, signing in with this user name from your address is blocked." in content
    assert "Please try again in 15 minutes" in content


@pytest.mark.django_db
def test_login_lockout_is_per_user_name(client):
    user_with(Role.SALES, username="carol")
    user_with(Role.SALES, username="dave")
    for n in range(5):
        _sign_in(client, "carol", f"wrong-{n}")
    response = _sign_in(client, "dave", PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(User.objects.get(username="dave").pk)


@pytest.mark.django_db
def test_login_success_before_the_limit_resets_the_count(client):
    user_with(Role.SALES, username="carol")
    for n in range(4):
        _sign_in(client, "carol", f"wrong-{n}")
    assert _sign_in(client, "carol", PASSWORD).status_code == 302
    client.logout()
    statuses = [_sign_in(client, "carol", f"again-{n}").status_code for n in range(4)]
    assert statuses == [200, 200, 200, 200]
    assert _sign_in(client, "carol", PASSWORD).status_code == 302


def test_session_idle_timeout_defaults_to_thirty_minutes():
    assert django_settings.SESSION_COOKIE_AGE == 30 * 60
    # Renewed when a thirtieth of it has passed, not on every request (issue 16).
    assert django_settings.SESSION_SAVE_EVERY_REQUEST is False
    assert django_settings.SESSION_REFRESH_SECONDS == 60


@pytest.mark.django_db
def test_session_cookie_is_renewed_once_a_minute_has_passed(client):
    client.force_login(user_with(Role.RISK_MANAGER, username="rosa"))
    assert "sessionid" not in client.get(reverse("onboarding:application_list")).cookies  # just signed in
    session = client.session
    session["_refreshed"] -= 61
    session.save()
    response = client.get(reverse("onboarding:application_list"))
    assert response.status_code == 200
    assert response.cookies["sessionid"]["max-age"] == 1800
    expiry = Session.objects.get(session_key=client.session.session_key).expire_date
    assert timedelta(seconds=1790) < expiry - timezone.now() <= timedelta(seconds=1800)


@pytest.mark.django_db
def test_idle_session_is_signed_out(client):
    client.force_login(user_with(Role.RISK_MANAGER, username="rosa"))
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(reverse("onboarding:application_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
