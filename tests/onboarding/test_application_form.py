import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from onboarding.enums import State
from onboarding.models import Application, Industry
from tests.factories import ApplicationFactory, advance, upload_required_documents, user_with


def _form_data(**overrides):
    year = timezone.localdate().year - 1
    data = {
        "legal_name_zh": "杭州云帆科技有限公司", "legal_name_en": "Hangzhou Yunfan Technology Co., Ltd.",
        "credit_code": "91350100M000100Y43", "registration_date": "2015-03-02", "registered_capital": "10000000",
        "capital_currency": "CNY", "legal_representative": "陈静", "registered_address": "杭州市西湖区文三路 1 号",
        "operating_address": "杭州市西湖区文三路 1 号", "industry": Industry.objects.get(code="IT").pk,
        "customer_type": "sme", "main_products": "云服务", "market_position": "average", "top_customers": "阿里",
        "top_customer_share": "40", "main_suppliers": "华为", "employees": "120", "bureau_score": "680",
        "overdue_count_24m": "0", "litigation_count": "0", "tax_rating": "B", "requested_credit_limit": "500000",
        "requested_payment_terms": "30",
        "fin-TOTAL_FORMS": "1", "fin-INITIAL_FORMS": "0", "fin-MIN_NUM_FORMS": "1", "fin-MAX_NUM_FORMS": "3",
        "fin-0-fiscal_year": str(year), "fin-0-revenue": "30000000", "fin-0-net_profit": "2000000",
        "fin-0-total_assets": "25000000", "fin-0-total_liabilities": "12000000", "fin-0-current_assets": "15000000",
        "fin-0-current_liabilities": "8000000", "fin-0-operating_cash_flow": "2500000",
        "contact-TOTAL_FORMS": "1", "contact-INITIAL_FORMS": "0", "contact-MIN_NUM_FORMS": "1",
        "contact-MAX_NUM_FORMS": "5", "contact-0-name": "陈静", "contact-0-title": "总经理",
        "contact-0-phone": "13900000000", "contact-0-email": "",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_draft_saves_partial_data(client, sales):
    client.force_login(sales)
    data = {k: v for k, v in _form_data().items() if k.startswith(("fin-", "contact-")) and k.endswith("FORMS")}
    data.update({"legal_name_zh": "半成品有限公司", "save": "1"})
    response = client.post(reverse("onboarding:application_create"), data, follow=True)
    application = Application.objects.get()
    assert (application.legal_name_zh, application.state, application.created_by) == ("半成品有限公司", "draft", sales)
    assert [str(m) for m in response.context["messages"]] == ["Draft saved."]


@pytest.mark.django_db
def test_draft_still_validates_what_is_filled(client, sales):
    client.force_login(sales)
    response = client.post(reverse("onboarding:application_create"),
                           _form_data(credit_code="91350100M000100Y44", top_customer_share="140", save="1"))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["credit_code"] == ["The check digit does not match: please check the code for a typing error."]
    assert form.errors["top_customer_share"] == ["Ensure this value is less than or equal to 100."]
    assert Application.objects.count() == 0


@pytest.mark.django_db
def test_submit_shows_field_errors_for_missing_fields(client, sales):
    client.force_login(sales)
    response = client.post(reverse("onboarding:application_create"),
                           _form_data(tax_rating="", legal_representative="", submit="1", **{"fin-0-revenue": ""}))
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "legal_representative": ["This field is required."], "tax_rating": ["This field is required."]
    }
    assert response.context["financials"].forms[0].errors == {"revenue": ["This field is required."]}
    assert Application.objects.count() == 0


@pytest.mark.django_db
def test_submit_errors_in_chinese(client, sales):
    client.force_login(sales)
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    response = client.post(reverse("onboarding:application_create"), _form_data(tax_rating="", submit="1"))
    assert response.context["form"].errors["tax_rating"] == ["这个字段是必填项。"]


@pytest.mark.django_db
def test_submit_without_documents_saves_and_lists_what_is_missing(client, sales):
    client.force_login(sales)
    response = client.post(reverse("onboarding:application_create"), _form_data(submit="1"), follow=True)
    application = Application.objects.get()
    assert application.state == State.DRAFT
    assert "Required document missing: Business licence." in [str(m) for m in response.context["messages"]]


@pytest.mark.django_db
def test_full_submission_through_the_form(client, sales):
    client.force_login(sales)
    client.post(reverse("onboarding:application_create"), _form_data(save="1"), follow=True)
    application = Application.objects.get()
    upload_required_documents(application)
    data = _form_data(submit="1")
    data.update({"fin-INITIAL_FORMS": "1", "fin-0-id": application.financials.get().pk,
                 "contact-INITIAL_FORMS": "1", "contact-0-id": application.contacts.get().pk})
    response = client.post(reverse("onboarding:application_edit", args=[application.pk]), data, follow=True)
    assert [str(m) for m in response.context["messages"]] == ["Application submitted for document review."]
    application.refresh_from_db()
    assert application.state == State.DOCUMENT_REVIEW
    assert application.submitted_at is not None


@pytest.mark.django_db
def test_credit_code_of_open_application_is_shown_and_blocks_submit(client, sales, other_sales):
    existing = ApplicationFactory(created_by=other_sales, credit_code="91350100M000100Y43")
    client.force_login(sales)
    response = client.post(reverse("onboarding:application_create"), _form_data(save="1"), follow=True)
    page = response.content.decode()
    assert existing.reference in page and "This credit code is already known" in page
    application = Application.objects.exclude(pk=existing.pk).get()
    upload_required_documents(application)
    response = client.post(reverse("onboarding:application_transition", args=[application.pk]),
                           {"transition": "submit", "expected_state": "draft"}, follow=True)
    assert (f"Credit code 91350100M000100Y43 already belongs to open application {existing.reference} "
            f"({other_sales}).") in [str(m) for m in response.context["messages"]]


@pytest.mark.django_db
def test_future_registration_date_and_inconsistent_statements_are_refused(client, sales):
    client.force_login(sales)
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    response = client.post(reverse("onboarding:application_create"),
                           _form_data(registration_date=tomorrow, save="1", **{"fin-0-current_assets": "99000000"}))
    assert response.context["form"].errors["registration_date"] == ["The registration date cannot be in the future."]
    assert response.context["financials"].forms[0].errors["current_assets"] == [
        "Current assets cannot exceed total assets."
    ]


@pytest.mark.django_db
def test_edit_refused_after_submission(client, application):
    advance(application, State.DOCUMENT_REVIEW)
    client.force_login(application.created_by)
    response = client.get(reverse("onboarding:application_edit", args=[application.pk]), follow=True)
    assert [str(m) for m in response.context["messages"]] == ["This application can no longer be edited."]


@pytest.mark.django_db
def test_document_review_screen_accepts_and_passes(client, application, reviewer):
    advance(application, State.DOCUMENT_REVIEW)
    client.force_login(reviewer)
    page = client.get(reverse("onboarding:document_review", args=[application.pk]))
    assert page.status_code == 200 and "Pass to background check" in page.content.decode()
    for document in application.documents.all():
        client.post(reverse("onboarding:document_review_action", args=[document.pk]), {"decision": "accept"})
    response = client.post(reverse("onboarding:application_transition", args=[application.pk]),
                           {"transition": "pass_documents", "expected_state": "document_review"}, follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "Documents passed: the application moves to background check."
    ]
    assert Application.objects.get(pk=application.pk).state == State.BACKGROUND_CHECK


@pytest.mark.django_db
def test_document_reject_needs_reason_via_htmx(client, application, reviewer):
    advance(application, State.DOCUMENT_REVIEW)
    document = application.documents.first()
    client.force_login(reviewer)
    response = client.post(reverse("onboarding:document_review_action", args=[document.pk]),
                           {"decision": "reject", "reason": ""}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "Please say why the document is rejected." in response.content.decode()
    document.refresh_from_db()
    assert document.status == "pending"


@pytest.mark.django_db
def test_queue_filters_overdue(client, reviewer):
    old = advance(ApplicationFactory(), State.DOCUMENT_REVIEW)
    Application.objects.filter(pk=old.pk).update(state_entered_at=timezone.now() - datetime.timedelta(days=4))
    advance(ApplicationFactory(), State.DOCUMENT_REVIEW)
    client.force_login(reviewer)
    response = client.get(reverse("onboarding:queue"), {"overdue": "true"})
    assert [a.pk for a in response.context["page"]] == [old.pk]


@pytest.mark.django_db
def test_queue_excludes_own_applications(client):
    from accounts.roles import Role

    both = user_with(Role.SALES, Role.DOCUMENT_REVIEWER)
    advance(ApplicationFactory(created_by=both), State.DOCUMENT_REVIEW)
    client.force_login(both)
    assert list(client.get(reverse("onboarding:queue")).context["page"]) == []


@pytest.mark.django_db
def test_credit_code_check_as_you_type(client, sales, other_sales):
    existing = ApplicationFactory(created_by=other_sales, credit_code="91350100M000100Y43")
    client.force_login(sales)
    url = reverse("onboarding:credit_code_check")
    bad = client.get(url, {"credit_code": "91350100M000100Y44"}).content.decode()
    assert "The check digit does not match" in bad
    known = client.get(url, {"credit_code": "91350100m000100y43"}).content.decode()
    assert existing.reference in known and str(other_sales) in known
    assert "not yet known" in client.get(url, {"credit_code": "91110000802100433B"}).content.decode()
    assert "not yet known" in client.get(url, {"credit_code": "91350100M000100Y43", "exclude": existing.pk}).content.decode()


@pytest.mark.django_db
def test_credit_code_check_only_for_sales(client, reviewer):
    client.force_login(reviewer)
    assert client.get(reverse("onboarding:credit_code_check"), {"credit_code": "x"}).status_code == 403
