"""In the Chinese interface: three approvers vote in the browser; the customer appears in the customers list.

(The approvals app's browser test lives here, beside the session-wide Playwright fixtures: a
second copy of them in another conftest would start Playwright twice in one thread.)
"""

import datetime

import pytest
from django.utils import timezone

from accounts.roles import Role
from onboarding.enums import State
from onboarding.models import Application
from tests.factories import ApplicationFactory, advance, user_with

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _login(page, username):
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-Vetted-2026")
    page.click("button[type=submit]")


def _open_from_committee_queue(page, application):
    page.get_by_role("link", name="审批委员会").click()
    page.locator("#awaiting-my-vote").get_by_role("link", name=application.reference).click()


def _cast(page):
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#cast-vote")
    page.get_by_text("您的投票已记录。").wait_for()


def test_three_approvers_vote_and_the_customer_appears_in_the_list(new_page):
    owner = user_with(Role.SALES, username="zhangmin", language="zh-hans")
    application = advance(ApplicationFactory(created_by=owner), State.COMMITTEE_REVIEW,
                          reviewer=user_with(Role.DOCUMENT_REVIEWER), investigator=user_with(Role.INVESTIGATOR))
    for username, role in (("zhoujun", Role.APPROVER_BUSINESS), ("zhaolei", Role.APPROVER_FINANCE),
                           ("sunli", Role.APPROVER_LEGAL)):
        user_with(role, username=username, language="zh-hans")
    first_due = timezone.localdate() + datetime.timedelta(days=120)
    second_due = timezone.localdate() + datetime.timedelta(days=200)

    # Business rejects (tier A: majority, only legal can veto), so the round goes on.
    page = new_page()
    _login(page, "zhoujun")
    _open_from_committee_queue(page, application)
    page.get_by_label("拒绝").check()
    page.fill("#id_reason", "客户集中度偏高")
    _cast(page)
    assert page.locator("#round-1 tr[data-department=business]").inner_text().count("拒绝") == 1

    # Finance approves with a lower limit, shorter terms and two conditions (the second row added in the page).
    page = new_page()
    _login(page, "zhaolei")
    _open_from_committee_queue(page, application)
    page.get_by_label("附条件批准", exact=True).check()
    page.fill("#id_reason", "资产负债率偏高，先降低额度")
    page.fill("#id_credit_limit", "500000")
    page.select_option("#id_payment_terms_days", "30")
    page.fill("#id_conditions-0-text", "提供经审计的上一年度财务报表")
    page.fill("#id_conditions-0-due_date", first_due.isoformat())
    page.get_by_role("button", name="添加条件").click()
    page.fill("#id_conditions-1-text", "法定代表人提供个人担保")
    page.fill("#id_conditions-1-due_date", second_due.isoformat())
    _cast(page)
    assert Application.objects.get(pk=application.pk).state == State.COMMITTEE_REVIEW

    # Legal approves: two of three approve, the committee decides.
    page = new_page()
    _login(page, "sunli")
    _open_from_committee_queue(page, application)
    page.get_by_label("批准", exact=True).check()
    _cast(page)
    page.get_by_text("审批委员会已批准该申请，客户准入完成。").wait_for()
    assert Application.objects.get(pk=application.pk).state == State.APPROVED

    page.get_by_role("link", name="客户", exact=True).click()
    row = page.locator(f"tr[data-customer='{application.credit_code}']")
    assert row.locator("td").all_inner_texts()[:6] == [
        application.legal_name_zh, application.credit_code, "A", "500000", "30 天", "正常",
    ]
    row.get_by_role("link", name=application.legal_name_zh).click()
    conditions = page.locator("#conditions tbody tr")
    assert conditions.count() == 2
    assert conditions.nth(0).locator("td").first.inner_text() == "提供经审计的上一年度财务报表"
