"""The CRM mapping: a Zoho CRM account and a 纷享销客 客户 record, posted as they are, become drafts."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from api import mapping, services
from api.models import ApiClient
from onboarding.models import Application
from tests.api.conftest import bearer

pytestmark = pytest.mark.django_db


def _record(name: str) -> dict:
    return json.loads((mapping.EXAMPLES_DIR / f"{name}.record.json").read_text(encoding="utf-8"))


def _client_with(sales, admin_user, example: str):
    api = bearer(sales)
    services.api_client_set_mapping(client_id=api.api_client.pk, mapping=mapping.example_mapping(example), actor=admin_user)
    return api


def test_a_zoho_account_becomes_a_draft(sales, admin_user):
    api = _client_with(sales, admin_user, "zoho_accounts")
    response = api.post("/api/v1/crm/applications/", _record("zoho_accounts"), format="json")
    assert response.status_code == 201, response.json()
    app = Application.objects.get(pk=response.json()["id"])
    assert (app.created_by, app.legal_name_zh, app.legal_name_en, app.credit_code) == (
        sales, "杭州云帆智能装备有限公司", "Hangzhou Yunfan Intelligent Equipment Co., Ltd.", "91330108MA2CF1234H")
    assert (app.industry.code, app.customer_type, app.employees, app.registered_capital, app.capital_currency) == (
        "MFG-EQP", "sme", 320, Decimal("30000000"), "CNY")
    assert (app.registration_date, app.legal_representative, app.requested_credit_limit, app.requested_payment_terms) == (
        datetime.date(2014, 3, 20), "陈立", Decimal("600000"), 60)
    assert list(app.financials.values_list("fiscal_year", "revenue", "net_profit")) == [
        (2025, Decimal("86000000"), Decimal("5200000"))]
    assert list(app.contacts.values_list("name", "phone", "email")) == [("王芳", "0571-88886666", "wangfang@example.com")]


def test_a_fxiaoke_account_becomes_a_draft(sales, admin_user):
    api = _client_with(sales, admin_user, "fxiaoke_account")
    response = api.post("/api/v1/crm/applications/", _record("fxiaoke_account"), format="json")
    assert response.status_code == 201, response.json()
    app = Application.objects.get(pk=response.json()["id"])
    assert (app.legal_name_zh, app.credit_code, app.legal_representative, app.industry.code, app.customer_type) == (
        "苏州恒信新材料股份有限公司", "91320594MA1N56789Y", "周建华", "MFG-CHEM", "sme")
    # 万元 → yuan, and milliseconds since 1970 → a date in Shanghai
    assert (app.registered_capital, app.registration_date) == (Decimal("50000000"), datetime.date(2009, 11, 2))
    assert (app.tax_rating, app.requested_credit_limit, app.requested_payment_terms, app.employees) == (
        "A", Decimal("1500000"), 90, 860)
    assert list(app.financials.values_list("fiscal_year", "revenue")) == [(2025, Decimal("520000000"))]
    assert list(app.contacts.values_list("name", "title", "phone")) == [("刘洋", "采购总监", "13700002222")]


def test_a_mapped_value_the_form_refuses_comes_back_with_the_forms_message(sales, admin_user):
    api = _client_with(sales, admin_user, "zoho_accounts")
    record = _record("zoho_accounts")
    record["data"][0]["Unified_Social_Credit_Code"] = "91330108MA2CF1234X"
    response = api.post("/api/v1/crm/applications/", record, format="json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["credit_code"]
    assert not Application.objects.exists()


def test_without_a_mapping_the_crm_endpoint_refuses(sales):
    response = bearer(sales).post("/api/v1/crm/applications/", {"name": "x"}, format="json")
    assert (response.status_code, response.json()) == (400, {"detail": "This API client has no CRM mapping."})


@pytest.mark.parametrize(("bad", "message"), [
    ({"fields": {"colour": "Colour"}}, "“colour” is not a field of the application form."),
    ({"fields": {"employees": {"path": "Employees", "round": 2}}}, "“employees”: give a CRM field path"),
    ({"extras": {}}, "Unknown mapping sections: extras."),
    ([], "The mapping must be a JSON object."),
])
def test_a_mapping_naming_unknown_form_fields_is_refused(sales, admin_user, bad, message):
    api = bearer(sales)
    with pytest.raises(ValidationError) as refused:
        services.api_client_set_mapping(client_id=api.api_client.pk, mapping=bad, actor=admin_user)
    assert refused.value.messages[0].startswith(message)


def test_the_admin_loads_an_example_mapping_on_the_client_page(sales, admin_user):
    api = bearer(sales)
    web = Client()
    web.force_login(admin_user)
    response = web.post(f"/api/clients/{api.api_client.pk}/mapping/", {"example": "fxiaoke_account", "mapping": ""})
    assert response.status_code == 302
    assert ApiClient.objects.get(pk=api.api_client.pk).crm_mapping == mapping.example_mapping("fxiaoke_account")
    response = web.post(f"/api/clients/{api.api_client.pk}/mapping/", {"mapping": "{not json"})
    assert response.status_code == 400
