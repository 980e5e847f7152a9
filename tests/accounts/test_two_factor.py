"""Two-factor sign-in: the second step, enrolment, recovery codes, the role requirement, reset."""

from __future__ import annotations

import time

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import SecurityEvent
from accounts.roles import Role
from accounts.views import PENDING_SIGN_IN, SETUP_SECRET
from tests.accounts.conftest import PASSWORD, code_for, enrol, next_code
from tests.factories import user_with

pytestmark = pytest.mark.django_db

WRONG_CODE = "That code is not right. Enter the 6-digit code your app shows now, or one of your recovery codes."


def password_step(client, username: str):
    return client.post(reverse("login"), {"username": username, "password": PASSWORD})


def code_step(client, code: str):
    return client.post(reverse("two_factor_verify"), {"code": code})


def signed_in_user_id(client) -> str | None:
    return client.session.get("_auth_user_id")


def test_password_alone_does_not_sign_in_a_user_with_an_app(client, approver):
    enrol(approver)
    response = password_step(client, "fiona")
    assert response.status_code == 302
    assert response["Location"] == reverse("two_factor_verify")
    assert signed_in_user_id(client) is None
    # Nothing but the code step is open meanwhile.
    assert client.get(reverse("approvals:queue"))["Location"].startswith(reverse("login"))


def test_password_and_code_sign_in(client, approver):
    enrol(approver)
    password_step(client, "fiona")
    assert "Password accepted for fiona." in client.get(reverse("two_factor_verify")).content.decode()
    response = code_step(client, next_code(approver))
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert signed_in_user_id(client) == str(approver.pk)
    assert client.session[DEVICE_ID_SESSION_KEY] == TOTPDevice.objects.get(user=approver).persistent_id
    assert PENDING_SIGN_IN not in client.session
    assert client.get(reverse("approvals:queue")).status_code == 200


def test_next_page_survives_the_code_step(client, approver):
    enrol(approver)
    client.post(f"{reverse('login')}?next=/approvals/", {"username": "fiona", "password": PASSWORD})
    assert code_step(client, next_code(approver))["Location"] == "/approvals/"


def test_the_enrolment_code_cannot_sign_in_again(client, approver):
    secret = "3132333435363738393031323334353637383930"
    from accounts import services

    services.two_factor_enrol(user=approver, secret=secret, code=code_for(secret))
    password_step(client, "fiona")
    response = code_step(client, code_for(secret))
    assert WRONG_CODE in response.content.decode()
    assert signed_in_user_id(client) is None


def test_wrong_code_is_refused_and_counted_against_the_name_and_address(client, approver):
    enrol(approver)
    password_step(client, "fiona")
    response = code_step(client, "000000" if next_code(approver) != "000000" else "111111")
    assert response.status_code == 200
    assert WRONG_CODE in response.content.decode()
    assert signed_in_user_id(client) is None
    assert AccessAttempt.objects.get(username="fiona").failures_since_start == 1
    assert TOTPDevice.objects.get(user=approver).throttling_failure_count == 1


def test_wrong_code_in_chinese(client, approver):
    approver.language = "zh-hans"
    approver.save()
    enrol(approver)
    client.cookies["django_language"] = "zh-hans"
    password_step(client, "fiona")
    response = code_step(client, "12345x")
    assert "验证码不正确。请输入应用当前显示的 6 位验证码，或您的一个恢复码。" in response.content.decode()


def test_a_right_code_straight_after_a_wrong_one_is_throttled(client, approver):
    enrol(approver)
    password_step(client, "fiona")
    code_step(client, "abcdefgh")  # a wrong recovery code: the recovery codes are throttled
    code_step(client, "000000" if next_code(approver) != "000000" else "111111")
    response = code_step(client, next_code(approver))
    assert "Too many wrong codes. Wait 1 second before trying again." in response.content.decode()
    assert signed_in_user_id(client) is None


def test_five_wrong_codes_lock_out_the_name_at_that_address(client, approver, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # the lockout, not the device's delay, is under test
    enrol(approver)
    password_step(client, "fiona")
    statuses = [code_step(client, f"00000{n}").status_code for n in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    assert PENDING_SIGN_IN not in client.session
    assert password_step(client, "fiona").status_code == 429


def test_recovery_code_signs_in_once(client, approver):
    codes = enrol(approver)
    password_step(client, "fiona")
    response = code_step(client, codes[3].upper())
    assert response.status_code == 302
    assert signed_in_user_id(client) == str(approver.pk)
    assert StaticToken.objects.filter(device__user=approver).count() == 9
    assert SecurityEvent.objects.filter(user=approver, kind=SecurityEvent.Kind.RECOVERY_CODE_USED).count() == 1
    client.post(reverse("logout"))
    time.sleep(1.1)  # the recovery codes' throttle is not what is under test
    password_step(client, "fiona")
    response = code_step(client, codes[3])
    assert WRONG_CODE in response.content.decode()
    assert signed_in_user_id(client) is None


def test_code_step_expires(client, approver):
    enrol(approver)
    password_step(client, "fiona")
    session = client.session
    session[PENDING_SIGN_IN] = {**session[PENDING_SIGN_IN], "at": time.time() - 6 * 60}
    session.save()
    response = code_step(client, next_code(approver))
    assert response["Location"] == reverse("login")
    assert signed_in_user_id(client) is None


def test_code_step_without_a_password_goes_to_sign_in(client):
    assert client.get(reverse("two_factor_verify"))["Location"] == reverse("login")


@pytest.mark.parametrize(
    "url",
    ["/", "/approvals/", "/notifications/", "/preferences/", "/account/two-factor/", "/admin/", "/password/"],
)
def test_required_role_is_sent_to_enrolment_from_every_page(client, approver, mfa_on, url):
    password_step(client, "fiona")
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("two_factor_setup")


def test_required_role_can_still_log_out_and_switch_language(client, approver, mfa_on):
    client.force_login(approver)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.post(reverse("logout"))["Location"] == reverse("login")
    assert signed_in_user_id(client) is None


@pytest.mark.parametrize("role", [Role.APPROVER_LEGAL, Role.APPROVER_BUSINESS, Role.RISK_MANAGER, Role.ADMIN])
def test_every_required_role_is_sent_to_enrolment(client, mfa_on, role):
    client.force_login(user_with(role, username=f"u-{role}"))
    assert client.get("/")["Location"] == reverse("two_factor_setup")


def test_staff_without_a_role_is_sent_to_enrolment(client, mfa_on):
    client.force_login(user_with(username="root", is_staff=True, is_superuser=True))
    assert client.get("/admin/")["Location"] == reverse("two_factor_setup")


def test_required_role_enrols_then_reaches_the_committee(client, approver, mfa_on):
    password_step(client, "fiona")
    page = client.get(reverse("two_factor_setup"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Your role requires two-factor sign-in. Set it up to continue." in html
    assert page.context["nav_items"] == []  # the menu would only lead back here
    assert 'src="data:image/svg+xml;' in html
    assert "'unsafe-inline'" not in page["Content-Security-Policy"]
    secret = client.session[SETUP_SECRET]
    from base64 import b32encode
    from binascii import unhexlify

    shown = b32encode(unhexlify(secret)).decode()
    assert " ".join(shown[i:i + 4] for i in range(0, len(shown), 4)) in html

    wrong = client.post(reverse("two_factor_setup"), {"code": "000000" if code_for(secret) != "000000" else "111111"})
    assert "That code does not match. Enter the 6-digit code your app shows now." in wrong.content.decode()
    assert not TOTPDevice.objects.filter(user=approver).exists()

    response = client.post(reverse("two_factor_setup"), {"code": code_for(secret)})
    assert response["Location"] == reverse("two_factor_recovery_codes")
    codes_page = client.get(reverse("two_factor_recovery_codes")).content.decode()
    tokens = sorted(StaticToken.objects.filter(device__user=approver).values_list("token", flat=True))
    assert len(tokens) == 10
    assert all(f"<li>{token}</li>" in codes_page for token in tokens)
    # Shown once.
    assert client.get(reverse("two_factor_recovery_codes"))["Location"] == reverse("two_factor")
    assert client.get(reverse("approvals:queue")).status_code == 200
    event = SecurityEvent.objects.get(user=approver)
    assert (event.kind, event.actor) == (SecurityEvent.Kind.TWO_FACTOR_ENROLLED, approver)


def test_optional_role_is_not_forced(client, mfa_on):
    client.force_login(user_with(Role.SALES, username="sam"))
    assert client.get(reverse("onboarding:my_applications")).status_code == 200


def test_nobody_is_forced_when_two_factor_is_not_required(client, approver):
    client.force_login(approver)
    assert client.get(reverse("approvals:queue")).status_code == 200


def test_optional_user_can_enrol_and_remove_with_the_password(client, mfa_on):
    sam = user_with(Role.SALES, username="sam")
    client.force_login(sam)
    assert "Off: you sign in with your password alone." in client.get(reverse("two_factor")).content.decode()
    client.get(reverse("two_factor_setup"))
    client.post(reverse("two_factor_setup"), {"code": code_for(client.session[SETUP_SECRET])})
    assert client.get(reverse("two_factor")).status_code == 200  # verified in this session
    refused = client.post(reverse("two_factor_remove"), {"password": "not-it"}, follow=True)
    assert "That is not your password." in refused.content.decode()
    assert TOTPDevice.objects.filter(user=sam).exists()
    response = client.post(reverse("two_factor_remove"), {"password": PASSWORD})
    assert response["Location"] == reverse("two_factor")
    assert not TOTPDevice.objects.filter(user=sam).exists()
    assert not StaticDevice.objects.filter(user=sam).exists()
    assert list(SecurityEvent.objects.filter(user=sam).order_by("pk").values_list("kind", flat=True)) == [
        SecurityEvent.Kind.TWO_FACTOR_ENROLLED, SecurityEvent.Kind.TWO_FACTOR_REMOVED,
    ]
    assert client.get(reverse("onboarding:my_applications")).status_code == 200


def test_required_user_cannot_remove_the_factor(client, approver, mfa_on):
    enrol(approver)
    password_step(client, "fiona")
    code_step(client, next_code(approver))
    assert client.post(reverse("two_factor_remove"), {"password": PASSWORD}).status_code == 403
    assert TOTPDevice.objects.filter(user=approver).exists()


def test_new_recovery_codes_replace_the_old(client, approver):
    old = enrol(approver)
    password_step(client, "fiona")
    code_step(client, next_code(approver))
    response = client.post(reverse("two_factor_recovery_codes_new"))
    assert response["Location"] == reverse("two_factor_recovery_codes")
    new = set(StaticToken.objects.filter(device__user=approver).values_list("token", flat=True))
    assert len(new) == 10 and not new & set(old)
    assert SecurityEvent.objects.filter(user=approver, kind=SecurityEvent.Kind.RECOVERY_CODES_REGENERATED).count() == 1


@pytest.mark.parametrize("name", ["two_factor_recovery_codes_new", "two_factor_remove"])
def test_changes_are_post_only(client, approver, name):
    enrol(approver)
    password_step(client, "fiona")
    code_step(client, next_code(approver))
    assert client.get(reverse(name)).status_code == 405
    assert StaticToken.objects.filter(device__user=approver).count() == 10


@pytest.mark.parametrize("name", ["two_factor_recovery_codes_new", "two_factor_remove", "two_factor_setup"])
def test_changes_need_the_csrf_token(approver, name):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user_with(Role.SALES, username="sam"))
    assert client.post(reverse(name), {"password": PASSWORD, "code": "123456"}).status_code == 403


def test_code_step_needs_the_csrf_token(approver):
    enrol(approver)
    client = Client(enforce_csrf_checks=True)
    login_page = client.get(reverse("login"))
    token = login_page.cookies["csrftoken"].value
    client.post(reverse("login"), {"username": "fiona", "password": PASSWORD, "csrfmiddlewaretoken": token})
    assert client.post(reverse("two_factor_verify"), {"code": next_code(approver)}).status_code == 403
    assert signed_in_user_id(client) is None


def test_a_session_that_did_not_prove_the_factor_is_signed_out(client, approver):
    enrol(approver)
    client.force_login(approver)  # as the admin's own login page would: a password alone
    response = client.get(reverse("approvals:queue"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/approvals/"
    assert signed_in_user_id(client) is None


def test_admin_login_page_goes_through_the_two_steps(client):
    response = client.get("/admin/login/?next=/admin/accounts/user/")
    assert response["Location"] == "/login/?next=%2Fadmin%2Faccounts%2Fuser%2F"


def test_admin_resets_a_factor_from_the_user_list(client, approver, admin_user, risk_manager):
    enrol(approver)
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "reset_two_factor", "_selected_action": [approver.pk]},
        follow=True,
    )
    assert "Two-factor sign-in was reset for 1 user; they set it up again at their next sign-in." in (
        response.content.decode()
    )
    assert not TOTPDevice.objects.filter(user=approver).exists()
    assert not StaticDevice.objects.filter(user=approver).exists()
    event = SecurityEvent.objects.get(user=approver, kind=SecurityEvent.Kind.TWO_FACTOR_RESET)
    assert event.actor == admin_user
    assert event.ip_address == "127.0.0.1"

    client.force_login(risk_manager)
    log = client.get(reverse("security_log")).content.decode()
    assert "Two-factor sign-in reset by an administrator" in log
    assert "adam" in log and "fiona" in log


def test_reset_ends_a_verified_session_of_a_required_user(client, approver, admin_user, mfa_on):
    enrol(approver)
    password_step(client, "fiona")
    code_step(client, next_code(approver))
    from accounts import services

    services.two_factor_reset(user=approver, actor=admin_user)
    assert client.get(reverse("approvals:queue"))["Location"] == reverse("two_factor_setup")


def test_only_a_system_administrator_resets(approver):
    from django.core.exceptions import PermissionDenied

    from accounts import services

    enrol(approver)
    staff_risk = user_with(Role.RISK_MANAGER, username="staffy", is_staff=True)
    with pytest.raises(PermissionDenied):
        services.two_factor_reset(user=approver, actor=staff_risk)
    assert TOTPDevice.objects.filter(user=approver).exists()
    assert not SecurityEvent.objects.filter(kind=SecurityEvent.Kind.TWO_FACTOR_RESET).exists()


@pytest.mark.parametrize("role", [Role.SALES, Role.APPROVER_FINANCE, Role.INVESTIGATOR])
def test_security_log_is_for_administrators_and_risk_managers(client, role):
    client.force_login(user_with(role, username="outsider"))
    assert client.get(reverse("security_log")).status_code == 403


def test_security_log_query_count_does_not_grow(client, risk_manager, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.models import SecurityEvent as Event

    client.force_login(risk_manager)
    Event.objects.create(user=risk_manager, actor=risk_manager, kind=Event.Kind.TWO_FACTOR_ENROLLED)
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("security_log"))
    for n in range(3):
        Event.objects.create(user=user_with(username=f"p{n}"), actor=risk_manager, kind=Event.Kind.TWO_FACTOR_RESET)
    with django_assert_num_queries(len(one.captured_queries)):
        assert client.get(reverse("security_log")).status_code == 200
