"""In the Chinese interface: sales fills the form, uploads documents and submits; a reviewer accepts and passes."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import Role
from onboarding.models import Application, Document, DocumentRequirement, Industry
from tests.factories import PDF_BYTES, user_with

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _login(page, username):
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-Vetted-2026")
    page.click("button[type=submit]")


def test_sales_submits_and_reviewer_passes_in_chinese(new_page, tmp_path):
    user_with(Role.SALES, username="zhangmin", first_name="敏", last_name="张", language="zh-hans")
    user_with(Role.DOCUMENT_REVIEWER, username="liqiang", first_name="强", last_name="李", language="zh-hans")
    industry = Industry.objects.get(code="IT")

    page = new_page()
    _login(page, "zhangmin")
    page.click("a[href='/applications/new/']")
    page.get_by_label("企业名称（中文）").fill("苏州星河智能装备有限公司")
    page.fill("#id_credit_code", "91350100M000100Y43")
    page.fill("#id_registration_date", "2016-08-01")
    page.fill("#id_registered_capital", "20000000")
    page.fill("#id_legal_representative", "周星")
    page.fill("#id_registered_address", "苏州工业园区星湖街 8 号")
    page.fill("#id_operating_address", "苏州工业园区星湖街 8 号")
    page.select_option("#id_industry", str(industry.pk))
    page.select_option("#id_customer_type", "sme")
    page.fill("#id_main_products", "工业机器人")
    page.select_option("#id_market_position", "strong")
    page.fill("#id_top_customers", "比亚迪")
    page.fill("#id_top_customer_share", "30")
    page.fill("#id_main_suppliers", "汇川技术")
    page.fill("#id_employees", "260")
    page.fill("#id_bureau_score", "710")
    page.fill("#id_overdue_count_24m", "0")
    page.fill("#id_litigation_count", "0")
    page.select_option("#id_tax_rating", "A")
    page.fill("#id_requested_credit_limit", "600000")
    page.select_option("#id_requested_payment_terms", "60")
    page.fill("#id_fin-0-fiscal_year", str(timezone.localdate().year - 1))
    for field, value in [("revenue", "80000000"), ("net_profit", "6000000"), ("total_assets", "90000000"),
                         ("total_liabilities", "40000000"), ("current_assets", "50000000"),
                         ("current_liabilities", "25000000"), ("operating_cash_flow", "7000000")]:
        page.fill(f"#id_fin-0-{field}", value)
    page.fill("#id_contact-0-name", "周星")
    page.fill("#id_contact-0-phone", "13912345678")
    page.get_by_role("button", name="保存草稿").click()
    page.get_by_text("草稿已保存。").wait_for()

    application = Application.objects.get()
    page.goto(f"/applications/{application.pk}/")
    for requirement in DocumentRequirement.objects.filter(customer_type="sme", required=True).select_related(
        "document_type"
    ):
        path = tmp_path / f"{requirement.document_type.code}.pdf"
        path.write_bytes(PDF_BYTES)
        page.select_option("#upload-form select[name=document_type]", str(requirement.document_type.pk))
        page.set_input_files("#id_files", str(path))
        page.click("#upload-form button[type=submit]")
        page.get_by_text(f"{path.name} 已上传。").wait_for()

    uploaded = Document.objects.filter(application=application).count()
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("button[data-transition=submit]")
    page.get_by_text("申请已提交资料审核。").wait_for()
    assert Application.objects.get().state == "document_review"

    reviewer_page = new_page()
    _login(reviewer_page, "liqiang")
    reviewer_page.get_by_role("link", name="待办任务").click()
    reviewer_page.get_by_role("link", name=application.reference).click()
    reviewer_page.get_by_role("link", name="审核资料").click()
    # Each document's line is swapped in place by htmx; the accept button stays (a decision can be changed).
    lines = reviewer_page.locator("#review-lines > .card").filter(
        has=reviewer_page.locator("button[name=decision][value=accept]"))
    expect(lines).to_have_count(uploaded)
    for index in range(uploaded):
        line = lines.nth(index)
        line.locator("button[name=decision][value=accept]").click()
        expect(line.locator(".card-header")).to_contain_text("已通过")
    reviewer_page.click("button[data-transition=pass_documents]")
    reviewer_page.get_by_text("资料审核通过：准入申请进入背景调查。").wait_for()
    assert Application.objects.get().state == "background_check"
