"""In the Chinese interface: a risk manager imports receivables, sees a customer go 90+ days past due,
writes a failure case about it, and compares a draft scorecard with the published one.

(Lives here, beside the session-wide Playwright fixtures; the outcomes and analysis apps' other
tests are in tests/outcomes and tests/analysis.)
"""

import datetime

import pytest
from django.utils import timezone

from accounts.roles import Role
from analysis.models import Case
from outcomes.receivables import HEADER
from screening.selectors import published_version
from screening.services import scorecard_copy
from tests.factories import user_with
from tests.monitoring.factories import admitted_customer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _login(page, username):
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-Vetted-2026")
    page.click("button[type=submit]")


def test_import_see_90_plus_write_a_case_and_compare_versions(new_page, tmp_path):
    rosa = user_with(Role.RISK_MANAGER, username="rosa", language="zh-hans")
    customer = admitted_customer(name="华南违约测试有限公司")
    draft = scorecard_copy(version=published_version(), actor=rosa)
    today = timezone.localdate()
    day = lambda n: (today - datetime.timedelta(days=n)).isoformat()  # noqa: E731
    receivables = tmp_path / "ar.csv"
    receivables.write_text(",".join(HEADER) + "\n"
                           f"{customer.credit_code},INV-1,{day(130)},{day(100)},1200000,CNY,{day(60)},200000\n",
                           encoding="utf-8")

    page = new_page()
    _login(page, "rosa")
    page.get_by_role("link", name="应收账款").click()
    page.set_input_files("#id_file", str(receivables))
    page.get_by_role("button", name="导入").click()
    page.locator("#import-status").get_by_text("已完成").wait_for()
    assert "新增 1 张，更新 0 张，涉及 1 个客户" in page.locator("#import-counts").inner_text()

    page.goto(f"/approvals/customers/{customer.pk}/")
    assert page.locator("#outcome-status").inner_text() == "逾期 90 天以上（违约）"
    assert page.locator("#outcome-dpd").inner_text() == "100"
    assert "占授信额度的 100%" in page.locator("#outcome-share").inner_text()
    page.locator("#outcome-chart").wait_for()  # drawn by Chart.js from its data attribute

    page.locator("#customer-cases").get_by_role("link", name="撰写案例").click()
    page.get_by_label("失败案例").check()
    page.fill("#id_title", "集中度过高导致违约")
    page.fill("#id_analysis", "准入时前五大客户占比 **70%**，未设额度上限。")
    page.fill("#id_caught_by", "客户集中度")
    page.get_by_label("客户经理").check()
    page.get_by_role("button", name="保存").click()
    page.locator("#case-facts").wait_for()
    assert "70%" in page.locator("#case-analysis strong").inner_text()
    assert "逾期 90 天以上（违约）" in page.locator("#fact-outcome").inner_text()
    assert Case.objects.get().published_to == ["sales"]

    page.goto(f"/analysis/validation/?version={draft.pk}")
    headline = page.locator("#validation-headline")
    assert headline.locator(f"th[data-version='{published_version().number}']").count() == 1
    assert headline.locator(f"th[data-version='{draft.number}']").count() == 1
    assert "两类各至少需要 30 个" in page.locator("#too-few").inner_text()
