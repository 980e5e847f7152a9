"""In the Chinese interface: an approver who must use two-factor sign-in sets it up at first
sign-in (reading the key off the page, as someone without a camera would), saves the recovery
codes, and signs in again with password and code."""

import re
from base64 import b32decode

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from playwright.sync_api import expect

from accounts.roles import Role
from tests.factories import user_with

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _password(page, username):
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-Vetted-2026")
    page.click("button[type=submit]")


def _code(key: bytes, steps_ahead: int = 0) -> str:
    return f"{TOTP(key, drift=steps_ahead).token():06d}"


def test_approver_sets_up_two_factor_and_signs_in_with_a_code(new_page, settings):
    settings.MFA_REQUIRED = True
    approver = user_with(Role.APPROVER_FINANCE, username="zhaolei", language="zh-hans")

    page = new_page()
    _password(page, "zhaolei")
    # Held at enrolment, whatever page is asked for.
    expect(page.locator("#two-factor-required")).to_have_text("您的角色要求使用双因素登录。请先完成设置再继续。")
    page.goto("/approvals/")
    expect(page).to_have_url(re.compile(r"/account/two-factor/setup/$"))
    expect(page.locator("#two-factor-qr")).to_be_visible()
    key = b32decode(page.locator("#totp-secret").inner_text().replace(" ", ""))

    page.fill("#id_code", "000000" if _code(key) != "000000" else "111111")
    page.click("#two-factor-setup-form button[type=submit]")
    expect(page.locator(".invalid-feedback").first).to_contain_text("验证码不匹配。请输入应用当前显示的 6 位验证码。")

    page.fill("#id_code", _code(key))
    page.click("#two-factor-setup-form button[type=submit]")
    codes = page.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) == 10
    assert sorted(codes) == sorted(StaticToken.objects.filter(device__user=approver).values_list("token", flat=True))
    page.click("#recovery-codes-done")
    page.get_by_role("link", name="审批委员会").click()
    expect(page.locator("h1")).to_have_text("审批委员会")

    page.locator("nav .dropdown-toggle").click()
    page.get_by_role("button", name="退出登录").click()

    _password(page, "zhaolei")
    expect(page.locator("h1")).to_have_text("双因素登录")
    # The code the enrolment used cannot be used again: the app's next one can.
    page.fill("#id_code", _code(key, steps_ahead=1))
    page.click("#two-factor-form button[type=submit]")
    page.get_by_role("link", name="审批委员会").click()
    expect(page.locator("h1")).to_have_text("审批委员会")
