"""Every form saved with every field filled, reopened as a browser shows it and saved again: nothing lost.

The second save sends exactly what the browser would send back untouched (tests.browser_form):
a date the browser's date field cannot show, or a number a number field refuses, arrives empty.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils import timezone, translation

from onboarding.models import Application, Industry
from tests.browser_form import as_post, controls

LANGUAGES = ["en", "zh-hans"]
YEAR = timezone.localdate().year - 1


def _typed(industry_id: int) -> dict[str, str]:
    """Every field of the application form, written the way people write it."""
    return {
        "legal_name_zh": "杭州云帆科技有限公司", "legal_name_en": "Hangzhou Yunfan Technology Co., Ltd.",
        "credit_code": "91350100M000100Y43", "registration_date": "2015-03-02", "registered_capital": "５０００万",
        "capital_currency": "USD", "legal_representative": "陈静", "registered_address": "杭州市西湖区文三路 1 号",
        "operating_address": "杭州市滨江区江南大道 8 号", "industry": str(industry_id),
        "customer_type": "sme", "main_products": "云服务\n数据中心", "market_position": "average",
        "top_customers": "阿里\n网易", "top_customer_share": "４２．５", "main_suppliers": "华为",
        "employees": "1,200", "bureau_score": "６８０", "overdue_count_24m": "2", "litigation_count": "1",
        "tax_rating": "B", "requested_credit_limit": "0.5亿", "requested_payment_terms": "60",
        "fin-TOTAL_FORMS": "2", "fin-INITIAL_FORMS": "0", "fin-MIN_NUM_FORMS": "1", "fin-MAX_NUM_FORMS": "3",
        "fin-0-fiscal_year": str(YEAR), "fin-0-revenue": "3亿", "fin-0-net_profit": "-150万",
        "fin-0-total_assets": "25,000,000.50", "fin-0-total_liabilities": "1200万", "fin-0-current_assets": "15000000",
        "fin-0-current_liabilities": "８００万", "fin-0-operating_cash_flow": "2500000。75",
        "fin-1-fiscal_year": str(YEAR - 1), "fin-1-revenue": "2.8亿", "fin-1-net_profit": "100万",
        "fin-1-total_assets": "2400万", "fin-1-total_liabilities": "1100万", "fin-1-current_assets": "1400万",
        "fin-1-current_liabilities": "700万", "fin-1-operating_cash_flow": "200万",
        "contact-TOTAL_FORMS": "1", "contact-INITIAL_FORMS": "0", "contact-MIN_NUM_FORMS": "1",
        "contact-MAX_NUM_FORMS": "5", "contact-0-name": "陈静", "contact-0-title": "总经理",
        "contact-0-phone": "13900000000", "contact-0-email": "chen@example.com",
    }


EXPECTED_APPLICATION = {
    "legal_name_zh": "杭州云帆科技有限公司", "legal_name_en": "Hangzhou Yunfan Technology Co., Ltd.",
    "credit_code": "91350100M000100Y43", "registration_date": datetime.date(2015, 3, 2),
    "registered_capital": Decimal("50000000.00"), "capital_currency": "USD", "legal_representative": "陈静",
    "registered_address": "杭州市西湖区文三路 1 号", "operating_address": "杭州市滨江区江南大道 8 号",
    "customer_type": "sme", "main_products": "云服务\n数据中心", "market_position": "average",
    "top_customers": "阿里\n网易", "top_customer_share": Decimal("42.50"), "main_suppliers": "华为",
    "employees": 1200, "bureau_score": 680, "overdue_count_24m": 2, "litigation_count": 1, "tax_rating": "B",
    "requested_credit_limit": Decimal("50000000.00"), "requested_payment_terms": 60,
}
EXPECTED_FINANCIALS = [
    {"fiscal_year": YEAR, "revenue": Decimal("300000000.00"), "net_profit": Decimal("-1500000.00"),
     "total_assets": Decimal("25000000.50"), "total_liabilities": Decimal("12000000.00"),
     "current_assets": Decimal("15000000.00"), "current_liabilities": Decimal("8000000.00"),
     "operating_cash_flow": Decimal("2500000.75")},
    {"fiscal_year": YEAR - 1, "revenue": Decimal("280000000.00"), "net_profit": Decimal("1000000.00"),
     "total_assets": Decimal("24000000.00"), "total_liabilities": Decimal("11000000.00"),
     "current_assets": Decimal("14000000.00"), "current_liabilities": Decimal("7000000.00"),
     "operating_cash_flow": Decimal("2000000.00")},
]
EXPECTED_CONTACTS = [{"name": "陈静", "title": "总经理", "phone": "13900000000", "email": "chen@example.com"}]


def _stored(application: Application) -> tuple[dict, list[dict], list[dict]]:
    application.refresh_from_db()
    fields = {name: getattr(application, name) for name in EXPECTED_APPLICATION}
    fields["industry"] = application.industry.code
    financials = [model_to_dict(f, fields=list(EXPECTED_FINANCIALS[0])) for f in application.financials.all()]
    contacts = [model_to_dict(c, fields=list(EXPECTED_CONTACTS[0])) for c in application.contacts.order_by("pk")]
    return fields, financials, contacts


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_application_draft_round_trips_every_field_in_both_languages(client, sales, language):
    client.force_login(sales)
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    industry = Industry.objects.get(code="IT")
    response = client.post(reverse("onboarding:application_create"), {**_typed(industry.pk), "save": "1"})
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    application = Application.objects.get()
    expected = ({**EXPECTED_APPLICATION, "industry": "IT"}, EXPECTED_FINANCIALS, EXPECTED_CONTACTS)
    assert _stored(application) == expected

    for _reopen in range(2):
        page = client.get(reverse("onboarding:application_edit", args=[application.pk]))
        assert page.status_code == 200
        sent = as_post(controls(page.content.decode(), containing="legal_name_zh"))
        assert sent["registration_date"] == "2015-03-02"
        response = client.post(reverse("onboarding:application_edit", args=[application.pk]), {**sent, "save": "1"})
        assert response.status_code == 302, response.context["form"].errors if response.context else response
        assert _stored(application) == expected
    assert translation.get_language() == language


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_a_typed_amount_is_shown_back_as_understood_when_the_form_comes_back(client, sales, language):
    client.force_login(sales)
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    industry = Industry.objects.get(code="IT")
    # An error elsewhere brings the form back: the amount stays as typed, with its reading beside it.
    response = client.post(
        reverse("onboarding:application_create"), {**_typed(industry.pk), "top_customer_share": "140", "save": "1"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    reading = {"en": "Read as 50,000,000.00 CNY", "zh-hans": "识别为 50,000,000.00 元（5000万）"}[language]
    assert reading in html
    assert 'value="0.5亿"' in html


def _form_cases():
    """Every other form with dates or numbers: (name, make(data=None, **reopen), typed values)."""
    from analysis.forms import FunnelFilterForm
    from approvals.forms import ConditionForm
    from monitoring.forms import CadenceForm, IndicatorForm
    from onboarding.forms import ContactForm, DocumentReviewForm, FinancialStatementForm
    from outcomes.forms import WriteOffForm
    from screening.forms import CriterionForm, InterviewForm, ScorecardVersionForm, SiteVisitForm
    from watchlists.forms import RefreshForm

    return [
        ("InterviewForm", InterviewForm, {
            "date": "2024-03-01", "participants": "王芳、周星", "business_model": "整机销售\n维保服务",
            "management": "稳定", "plans": "扩产", "findings": "正常"}),
        ("SiteVisitForm", SiteVisitForm, {
            "date": "2024-02-29", "address": "上海市浦东新区张江路 100 号", "operations": "开工率 80%",
            "premises": "自有厂房", "staff": "约 120 人"}),
        ("ScorecardVersionForm", ScorecardVersionForm, {
            "admission_threshold": "６０", "tier_a_min": "85。5", "tier_b_min": "70", "tier_c_min": "60",
            "notes": "2025 版"}),
        ("CriterionForm", CriterionForm, {"label": "资产负债率", "weight": "１２．５", "ordering": "３"}),
        ("FinancialStatementForm", FinancialStatementForm, {
            "fiscal_year": "２０２４", "revenue": "3亿", "net_profit": "-150万", "total_assets": "2,500万",
            "total_liabilities": "1200万", "current_assets": "1500万", "current_liabilities": "800万",
            "operating_cash_flow": "２５０万"}),
        ("ContactForm", ContactForm, {"name": "陈静", "title": "总经理", "phone": "13900000000",
                                      "email": "chen@example.com"}),
        ("CadenceForm", lambda data=None, **kw: CadenceForm(data, **kw), {
            "months_A": "２４", "months_B": "12", "months_C": "６", "months_D": "3"}),
        ("IndicatorForm", IndicatorForm, {"indicator": "bureau_drop", "enabled": "on", "threshold": "５０",
                                          "severity": "high"}),
        ("RefreshForm", RefreshForm, {"refresh_location": "https://example.com/list.csv", "refresh_format": "csv",
                                      "refresh_hours": "２４"}),
        ("ConditionForm", ConditionForm, {"text": "提供担保", "due_date": "2025-12-31"}),
        ("WriteOffForm", WriteOffForm, {"written_off_on": "2025-01-15", "reason": "破产清算"}),
        ("FunnelFilterForm", FunnelFilterForm, {"start": "2024-01-01", "end": "2024-12-31", "kind": "new",
                                                "customer_type": "sme", "tier": "B"}),
        ("DocumentReviewForm", DocumentReviewForm, {"decision": "accept", "reason": "清晰", "expires_on": "2031-06-30"}),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("case", [name for name, _make, _typed in _form_cases()])
def test_every_form_round_trips_every_field_in_both_languages(language, case):
    name, make, typed = next(c for c in _form_cases() if c[0] == case)
    with translation.override(language):
        first = make(data=typed)
        assert first.is_valid(), first.errors
        assert all(first.cleaned_data[field] not in (None, "", []) for field in typed), first.cleaned_data
        if hasattr(first, "save") and hasattr(first, "instance"):
            reopened = make(instance=first.save(commit=False))  # what the edit page shows
        else:
            reopened = make(initial=first.cleaned_data)
        sent = as_post(controls(str(reopened)))
        second = make(data=sent)
        assert second.is_valid(), (second.errors, sent)
        assert second.cleaned_data == first.cleaned_data
