"""Applications through the API: drafts validated by the screen's forms, documents, transitions, attribution."""

from __future__ import annotations

import pytest
from django.utils import translation

from accounts.roles import Role
from onboarding.enums import State
from onboarding.forms import ApplicationForm
from onboarding.models import Application, StateChange
from tests.api.conftest import bearer
from tests.factories import ApplicationFactory, advance, credit_code, pdf_upload, upload_required_documents, user_with

pytestmark = pytest.mark.django_db

DRAFT = {
    "legal_name_zh": "江南精工有限公司", "credit_code": credit_code(777), "industry": "MFG-EQP", "customer_type": "sme",
    "registered_capital": "30000000", "requested_credit_limit": 500000, "requested_payment_terms": 60,
    "financials": [{"fiscal_year": 2025, "revenue": "90000000", "total_assets": "100000000"}],
    "contacts": [{"name": "李娜", "phone": "13800000000"}],
}


def test_a_sales_client_creates_a_draft_with_statements_and_contacts(sales):
    response = bearer(sales).post("/api/v1/applications/", DRAFT, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    application = Application.objects.get(pk=body["id"])
    assert (application.state, application.created_by, application.legal_name_zh, application.industry.code) == (
        State.DRAFT, sales, "江南精工有限公司", "MFG-EQP")
    assert [(f.fiscal_year, str(f.revenue)) for f in application.financials.all()] == [(2025, "90000000.00")]
    assert [(c.name, c.phone) for c in application.contacts.all()] == [("李娜", "13800000000")]
    assert body["state"] == "draft" and body["transitions"] == ["submit", "withdraw"]
    assert body["industry"] == "MFG-EQP" and body["contacts"] == [
        {"name": "李娜", "title": "", "phone": "13800000000", "email": ""}]


def test_unknown_fields_are_refused_at_every_level(sales):
    response = bearer(sales).post(
        "/api/v1/applications/", {**DRAFT, "colour": "red", "contacts": [{"name": "李娜", "fax": "1"}]}, format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"colour": ["Unknown field."], "contacts": {"0": {"fax": ["Unknown field."]}}}
    assert not Application.objects.exists()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_validation_errors_are_the_forms_messages_in_the_requested_language(sales, language):
    bad = {"credit_code": "91350100M000100Y44", "registration_date": "2999-01-01", "top_customer_share": "140"}
    response = bearer(sales).post("/api/v1/applications/", bad, format="json", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 400
    with translation.override(language):
        form = ApplicationForm(bad)
        form.is_valid()
        expected = {name: list(messages) for name, messages in form.errors.items()}
    assert response.json()["errors"] == expected
    assert set(expected) == {"credit_code", "registration_date", "top_customer_share"}
    if language == "zh-hans":
        assert all(any("\u4e00" <= ch <= "\u9fff" for ch in m[0]) for m in expected.values())


def test_a_statement_error_is_reported_at_the_index_the_caller_sent(sales):
    rows = [{"fiscal_year": 2024, "revenue": "1"}, {"fiscal_year": 2025, "current_assets": "9", "total_assets": "5"}]
    response = bearer(sales).post("/api/v1/applications/", {"financials": rows}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"financials": {"1": {"current_assets": ["Current assets cannot exceed total assets."]}}}


def test_update_changes_only_what_the_body_names(sales):
    application = ApplicationFactory(created_by=sales)
    response = bearer(sales).patch(f"/api/v1/applications/{application.pk}/", {"main_products": "数控机床与刀具"},
                                   format="json")
    assert response.status_code == 200, response.json()
    application.refresh_from_db()
    assert (application.main_products, application.legal_representative, application.employees) == (
        "数控机床与刀具", "王建国", 420)
    assert application.financials.count() == 1 and application.contacts.count() == 1


def test_update_replaces_the_statements_by_fiscal_year(sales):
    application = ApplicationFactory(created_by=sales)
    year = application.financials.get().fiscal_year
    rows = [{"fiscal_year": year, "revenue": "130000000"}, {"fiscal_year": year - 1, "revenue": "110000000"}]
    response = bearer(sales).patch(f"/api/v1/applications/{application.pk}/", {"financials": rows}, format="json")
    assert response.status_code == 200, response.json()
    assert list(application.financials.order_by("-fiscal_year").values_list("fiscal_year", "revenue")) == [
        (year, 130000000), (year - 1, 110000000)]
    # the row kept its other figures
    assert application.financials.get(fiscal_year=year).total_assets == 150000000


def test_a_submitted_application_can_no_longer_be_updated(sales):
    application = advance(ApplicationFactory(created_by=sales), State.DOCUMENT_REVIEW)
    response = bearer(sales).patch(f"/api/v1/applications/{application.pk}/", {"main_products": "x"}, format="json")
    assert (response.status_code, response.json()) == (403, {"detail": "This application can no longer be edited."})


def test_upload_and_replace_a_document_with_the_screens_checks(sales):
    application = ApplicationFactory(created_by=sales)
    api = bearer(sales)
    response = api.post(f"/api/v1/applications/{application.pk}/documents/",
                        {"document_type": "business_licence", "file": pdf_upload()}, format="multipart")
    assert response.status_code == 201, response.json()
    first = response.json()
    assert (first["document_type"], first["version"], first["original_name"]) == ("business_licence", 1, "licence.pdf")
    response = api.post(f"/api/v1/documents/{first['id']}/replace/", {"file": pdf_upload("licence-2026.pdf")},
                        format="multipart")
    assert response.status_code == 201, response.json()
    assert (response.json()["version"], response.json()["replaces"]) == (2, first["id"])
    fake = pdf_upload("evil.pdf", b"MZ\x90\x00 not a pdf")
    response = api.post(f"/api/v1/applications/{application.pk}/documents/",
                        {"document_type": "business_licence", "file": fake}, format="multipart")
    assert response.status_code == 400
    assert response.json()["errors"]["file"]


def test_an_unknown_document_type_is_the_forms_choice_error(sales):
    application = ApplicationFactory(created_by=sales)
    response = bearer(sales).post(f"/api/v1/applications/{application.pk}/documents/",
                                  {"document_type": "passport", "file": pdf_upload()}, format="multipart")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["document_type"]


def test_submit_through_the_api_records_the_clients_user_and_names_the_client_in_the_history(sales):
    application = ApplicationFactory(created_by=sales)
    upload_required_documents(application)
    api = bearer(sales, name="Zoho CRM")
    response = api.post(f"/api/v1/applications/{application.pk}/transition/",
                        {"transition": "submit", "expected_state": "draft"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["message"] == "Application submitted for document review."
    assert response.json()["application"]["state"] == "document_review"
    change = StateChange.objects.get(application=application)
    assert (change.transition, change.actor) == ("submit", sales)
    record = application.history.order_by("-history_date").first()
    assert (record.history_user, record.history_change_reason) == (sales, "[via API client Zoho CRM] submit")


def test_a_lost_race_is_a_409_with_the_message_not_a_500(sales):
    application = advance(ApplicationFactory(created_by=sales), State.DOCUMENT_REVIEW)
    response = bearer(sales).post(f"/api/v1/applications/{application.pk}/transition/",
                                  {"transition": "withdraw", "expected_state": "draft"}, format="json")
    assert response.status_code == 409
    assert response.json() == {
        "detail": "Someone else has just acted on this application: it is now “Document review”. Nothing was changed.",
        "messages": ["Someone else has just acted on this application: it is now “Document review”. Nothing was changed."],
        "state": "document_review",
    }
    assert Application.objects.get(pk=application.pk).state == State.DOCUMENT_REVIEW


def test_an_illegal_move_is_a_400_with_the_message(sales):
    application = ApplicationFactory(created_by=sales)
    response = bearer(sales).post(f"/api/v1/applications/{application.pk}/transition/",
                                  {"transition": "pass_documents", "expected_state": "draft"}, format="json")
    assert response.status_code == 400
    assert response.json()["messages"] == ["This action is not possible while the application is “Draft”."]


def test_a_blocked_submit_lists_the_guards_messages(sales):
    application = ApplicationFactory(created_by=sales)
    response = bearer(sales).post(f"/api/v1/applications/{application.pk}/transition/",
                                  {"transition": "submit", "expected_state": "draft"}, format="json")
    assert response.status_code == 400
    assert len(response.json()["messages"]) >= 1
    assert all("document" in m.lower() or "upload" in m.lower() for m in response.json()["messages"])


def test_expected_state_is_required_and_unknown_fields_refused(sales):
    application = ApplicationFactory(created_by=sales)
    response = bearer(sales).post(f"/api/v1/applications/{application.pk}/transition/",
                                  {"transition": "submit", "force": True}, format="json")
    assert response.status_code == 400
    assert response.json() == {"force": ["Unknown field."]}
    response = bearer(sales).post(f"/api/v1/applications/{application.pk}/transition/", {"transition": "submit"},
                                  format="json")
    assert (response.status_code, response.json()) == (400, {"expected_state": ["This field is required."]})


def test_the_list_shows_a_sales_person_only_their_own_newest_first_without_a_count(sales, other_sales):
    mine = [ApplicationFactory(created_by=sales) for _ in range(3)]
    ApplicationFactory(created_by=other_sales)
    response = bearer(sales).get("/api/v1/applications/?page_size=2")
    body = response.json()
    assert set(body) == {"next", "previous", "results"}
    assert [row["id"] for row in body["results"]] == [mine[2].pk, mine[1].pk]
    second = bearer(sales).get(body["next"]).json()
    assert [row["id"] for row in second["results"]] == [mine[0].pk]


def test_the_list_filters_by_state(sales, reviewer):
    draft = ApplicationFactory(created_by=sales)
    submitted = advance(ApplicationFactory(created_by=sales), State.DOCUMENT_REVIEW)
    rows = bearer(reviewer).get("/api/v1/applications/?state=document_review").json()["results"]
    assert [row["id"] for row in rows] == [submitted.pk]
    rows = bearer(reviewer).get("/api/v1/applications/?state=draft").json()["results"]
    assert [row["id"] for row in rows] == [draft.pk]
    assert bearer(reviewer).get("/api/v1/applications/?state=nonsense").status_code == 400


def test_the_list_query_count_does_not_grow_with_rows(sales, django_assert_max_num_queries):
    api = bearer(sales)
    ApplicationFactory(created_by=sales)
    with django_assert_max_num_queries(8) as one:
        api.get("/api/v1/applications/")
    for _ in range(3):
        ApplicationFactory(created_by=sales)
    with django_assert_max_num_queries(len(one.captured_queries)):
        api.get("/api/v1/applications/")


def test_a_reviewer_passes_documents_through_the_api(sales, reviewer):
    from tests.factories import accept_all_documents

    application = advance(ApplicationFactory(created_by=sales), State.DOCUMENT_REVIEW)
    accept_all_documents(application, reviewer)
    response = bearer(reviewer).post(f"/api/v1/applications/{application.pk}/transition/",
                                     {"transition": "pass_documents", "expected_state": "document_review"}, format="json")
    assert response.status_code == 200, response.json()
    assert Application.objects.get(pk=application.pk).state == State.BACKGROUND_CHECK


def test_a_client_acting_as_a_reviewer_cannot_create(reviewer):
    response = bearer(reviewer).post("/api/v1/applications/", DRAFT, format="json")
    assert (response.status_code, response.json()) == (403, {"detail": "Only sales staff can create applications."})


def test_errors_come_in_chinese_when_asked(sales):
    user_with(Role.SALES)
    response = bearer(sales).get("/api/v1/applications/999999/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 404
    with translation.override("zh-hans"):
        from rest_framework.exceptions import NotFound

        assert response.json() == {"detail": str(NotFound.default_detail)}
    assert response.json()["detail"] != "Not found."


def test_a_nul_character_anywhere_is_a_400_not_a_500(sales):
    api = bearer(sales)
    for body in ({"legal_name_zh": "甲\x00公司"}, {"\x00": None}, {"contacts": [{"name": "李\x00娜"}]}):
        response = api.post("/api/v1/applications/", body, format="json", HTTP_IDEMPOTENCY_KEY=f"k{len(str(body))}")
        assert (response.status_code, response.json()["errors"]) == (400, {"__all__": ["Null characters are not allowed."]})
    assert not Application.objects.exists()


def test_an_unprintable_idempotency_key_is_a_400(sales):
    response = bearer(sales).post("/api/v1/applications/", {"legal_name_zh": "甲公司"}, format="json",
                                  HTTP_IDEMPOTENCY_KEY="a\tb")
    assert response.status_code == 400


def test_the_apis_own_messages_are_translated(sales):
    response = bearer(sales).post("/api/v1/applications/", {"colour": "red"}, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.json() == {"detail": "请更正以下错误。", "errors": {"colour": ["未知字段。"]}}
