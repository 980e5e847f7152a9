"""In the Chinese interface: a new investigator is refused a gated action, takes the course, passes the quiz,
then acts."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import Role
from onboarding.enums import State
from screening.models import Interview
from tests.factories import ApplicationFactory, advance, user_with
from training.models import Attempt, Course

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _fill_interview(page):
    page.get_by_text("登记客户访谈").click()
    form = page.locator("form[action$='/interviews/']")
    form.locator("[name=interview-date]").fill(timezone.localdate().isoformat())
    form.locator("[name=interview-participants]").fill("周星（法定代表人）")
    form.locator("[name=interview-business_model]").fill("工业机器人整机销售")
    form.locator("[name=interview-management]").fill("管理团队稳定")
    form.locator("[name=interview-findings]").fill("经营正常")
    form.get_by_role("button", name="保存访谈").click()


def test_new_investigator_is_refused_takes_the_course_and_then_acts(new_page, settings):
    owner = user_with(Role.SALES, username="zhangmin", language="zh-hans")
    application = advance(ApplicationFactory(created_by=owner), State.BACKGROUND_CHECK,
                          reviewer=user_with(Role.DOCUMENT_REVIEWER, username="liqiang"))
    newcomer = user_with(Role.INVESTIGATOR, username="lixin", language="zh-hans")
    course = Course.objects.get(role=Role.INVESTIGATOR)
    settings.TRAINING_REQUIRED = True  # after the application was brought to background check

    page = new_page()
    page.goto("/login/")
    page.fill("#id_username", "lixin")
    page.fill("#id_password", "pw-Vetted-2026")
    page.click("button[type=submit]")
    page.goto(f"/screening/applications/{application.pk}/")
    _fill_interview(page)
    expect(page.locator("#messages")).to_contain_text(f"进行此操作前，请先通过课程“{course.title_zh}”。")
    assert not Interview.objects.filter(application=application).exists()

    page.locator("#messages").get_by_role("link", name="参加课程").click()
    expect(page.locator("h1")).to_have_text(course.title_zh)
    for question in course.questions.prefetch_related("choices"):
        for choice in question.choices.all():
            if choice.correct:
                page.locator(f"input[name=q{question.pk}][value='{choice.pk}']").check()
    page.get_by_role("button", name="提交答卷").click()
    expect(page.locator("#messages")).to_contain_text(f"你以 100% 通过了“{course.title_zh}”。")
    expect(page.locator("#score")).to_contain_text("100%")
    assert Attempt.objects.get(user=newcomer, course=course).passed

    page.goto(f"/screening/applications/{application.pk}/")
    _fill_interview(page)
    page.get_by_text("访谈已登记。").wait_for()
    assert Interview.objects.filter(application=application, recorded_by=newcomer).count() == 1
