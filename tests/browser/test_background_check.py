"""In the Chinese interface: the investigator sees the score, records the interview and passes to the committee."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import Role
from approvals.models import Round
from onboarding.enums import State
from onboarding.models import Application
from screening.models import Evaluation
from tests.factories import ApplicationFactory, advance, user_with

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_investigator_records_the_interview_and_passes_to_the_committee(new_page):
    owner = user_with(Role.SALES, username="zhangmin", language="zh-hans")
    application = advance(ApplicationFactory(created_by=owner), State.BACKGROUND_CHECK,
                          reviewer=user_with(Role.DOCUMENT_REVIEWER, username="liqiang"))
    user_with(Role.INVESTIGATOR, username="wangfang", language="zh-hans")
    evaluation = Evaluation.objects.get(application=application)  # scored on entering background check

    page = new_page()
    page.goto("/login/")
    page.fill("#id_username", "wangfang")
    page.fill("#id_password", "pw-Vetted-2026")
    page.click("button[type=submit]")
    page.get_by_role("link", name="待办任务").click()
    page.get_by_role("link", name=application.reference).click()
    page.get_by_role("link", name="背景调查").click()

    expect(page.locator("#scorecard")).to_contain_text(f"{float(evaluation.total):g}")
    expect(page.locator("#scorecard")).to_contain_text(f"{evaluation.tier} 级")
    expect(page.locator("#blockers")).to_contain_text("访谈")  # the interview is still missing

    page.get_by_text("登记客户访谈").click()
    form = page.locator("form[action$='/interviews/']")
    form.locator("[name=interview-date]").fill(timezone.localdate().isoformat())
    form.locator("[name=interview-participants]").fill("周星（法定代表人）、王芳（背景调查）")
    form.locator("[name=interview-business_model]").fill("工业机器人整机销售与维保服务")
    form.locator("[name=interview-management]").fill("管理团队稳定，核心成员在职均超过五年")
    form.locator("[name=interview-findings]").fill("经营正常，未发现异常")
    form.get_by_role("button", name="保存访谈").click()
    page.get_by_text("访谈已登记。").wait_for()
    expect(page.locator(".interview-record")).to_have_count(1)
    expect(page.locator("#blockers")).to_have_count(0)

    page.click("button[data-transition=pass_background_check]")
    page.get_by_text("背景调查通过：准入申请提交审批委员会审议。").wait_for()
    assert Application.objects.get(pk=application.pk).state == State.COMMITTEE_REVIEW
    assert Round.objects.filter(application=application).count() == 1
