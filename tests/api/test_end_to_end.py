"""The "done when" of issue 15: docs/crm_example.py opens an application with documents and submits it
over HTTP; its receiver gets every state change and the admission by signed webhook."""

from __future__ import annotations

import importlib.util
import threading
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from accounts.roles import Role
from api import services
from api.models import Event, WebhookSubscription
from approvals.models import Round
from onboarding import services as onboarding_services
from onboarding.models import Application, DocumentRequirement
from tests.api.conftest import bearer
from tests.approvals.conftest import cast
from tests.factories import PDF_BYTES, accept_all_documents, credit_code, prepare_background_check, user_with

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("crm_example", ROOT / "docs" / "crm_example.py")
crm = importlib.util.module_from_spec(spec)
spec.loader.exec_module(crm)

FORM = {
    "legal_name_zh": "华东精密机械9有限公司", "legal_name_en": "East China Precision Machinery 9 Co., Ltd.",
    "credit_code": credit_code(9009), "registration_date": "2012-05-17", "registered_capital": "50000000",
    "capital_currency": "CNY", "legal_representative": "王建国", "registered_address": "上海市浦东新区张江路 100 号",
    "operating_address": "上海市浦东新区张江路 100 号", "industry": "MFG-EQP", "customer_type": "sme",
    "main_products": "数控机床", "market_position": "strong", "top_customers": "上汽集团", "top_customer_share": "35",
    "main_suppliers": "宝钢", "employees": 420, "bureau_score": 720, "overdue_count_24m": 0, "litigation_count": 1,
    "tax_rating": "A", "requested_credit_limit": "800000", "requested_payment_terms": 60,
    "contacts": [{"name": "李娜", "title": "财务总监", "phone": "13800000000"}],
}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_crm_script_applies_and_receives_every_change_and_the_admission(live_server, tmp_path):
    people = {name: user_with(role, username=name) for name, role in (
        ("alice", Role.SALES), ("rita", Role.DOCUMENT_REVIEWER), ("ivan", Role.INVESTIGATOR),
        ("fay", Role.APPROVER_FINANCE), ("leo", Role.APPROVER_LEGAL), ("bea", Role.APPROVER_BUSINESS))}
    admin = user_with(Role.ADMIN, username="adam")
    api = bearer(people["alice"])
    events, arrived = [], threading.Event()

    def on_event(event):
        events.append(event)
        if event["type"] == "customer.admitted":
            arrived.set()

    subscription = services.subscription_create(
        client=api.api_client, url="http://127.0.0.1/placeholder", actor=admin,
        events=[Event.APPLICATION_CREATED, Event.APPLICATION_STATE_CHANGED, Event.CUSTOMER_ADMITTED],
    )
    server = crm.receiver(subscription.secret, 0, on_event)
    WebhookSubscription.objects.filter(pk=subscription.pk).update(url=f"http://127.0.0.1:{server.server_port}/vetted")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        form = {**FORM, "financials": [{
            "fiscal_year": timezone.localdate().year - 1, "revenue": "120000000", "net_profit": "9000000",
            "total_assets": "150000000", "total_liabilities": "80000000", "current_assets": "70000000",
            "current_liabilities": "40000000", "operating_cash_flow": "11000000"}]}
        documents = []
        for requirement in DocumentRequirement.objects.filter(customer_type="sme", required=True).select_related(
                "document_type"):
            path = tmp_path / f"{requirement.document_type.code}.pdf"
            path.write_bytes(PDF_BYTES)
            documents.append((requirement.document_type.code, path))
        submitted = crm.apply(crm.Api(live_server.url, api.token), form=form, documents=documents)
        assert submitted["state"] == "document_review"

        # Vetted's staff do their part on the screens' services.
        application = Application.objects.get(pk=submitted["id"])
        accept_all_documents(application, people["rita"])
        onboarding_services.application_transition(application_id=application.pk, transition="pass_documents",
                                                   actor=people["rita"])
        prepare_background_check(Application.objects.get(pk=application.pk), people["ivan"])
        onboarding_services.application_transition(application_id=application.pk, transition="pass_background_check",
                                                   actor=people["ivan"])
        for voter, department in ((people["fay"], "finance"), (people["leo"], "legal"), (people["bea"], "business")):
            if Round.objects.filter(application=application, closed_at__isnull=True).exists():
                cast(application, voter, department, "approve")
        assert arrived.wait(10), [e["type"] for e in events]
    finally:
        server.shutdown()
        server.server_close()

    changes = [(e["data"]["change"]["from_state"], e["data"]["change"]["to_state"]) for e in events
               if e["type"] == "application.state_changed"]
    assert [e["type"] for e in events][0] == "application.created"
    assert changes == [("draft", "document_review"), ("document_review", "background_check"),
                       ("background_check", "committee_review"), ("committee_review", "approved")]
    admitted = next(e["data"] for e in events if e["type"] == "customer.admitted")
    customer = Application.objects.get(pk=submitted["id"]).customer
    assert (admitted["customer"]["id"], admitted["customer"]["tier"], Decimal(admitted["customer"]["credit_limit"]),
            admitted["customer"]["payment_terms_days"]) == (customer.pk, customer.tier, customer.credit_limit,
                                                            customer.payment_terms_days)
