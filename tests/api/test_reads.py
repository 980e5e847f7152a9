"""Customers, alerts, evaluations, hits and screening through the API: the same data the screens show."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from monitoring import runs
from monitoring.enums import AlertStatus
from monitoring.enums import Scope as RunScope
from monitoring.models import Alert
from tests.api.conftest import bearer
from tests.monitoring.factories import admitted_customer, set_credit
from tests.watchlists.conftest import import_list

pytestmark = pytest.mark.django_db


def _alert_for(customer) -> Alert:
    set_credit(customer, litigation_count=3)
    runs.work(run_id=runs.plan_run(scope=RunScope.DUE).pk, budget=60)
    return Alert.objects.get(customer=customer)


def test_a_customer_reads_with_its_terms_and_latest_evaluation(sales, risk_manager):
    customer = admitted_customer(owner=sales, tier="B")
    body = bearer(risk_manager).get(f"/api/v1/customers/{customer.pk}/").json()
    assert (body["tier"], body["credit_limit"], body["payment_terms_days"], body["status"]) == ("B", "1000000.00", 60,
                                                                                                 "active")
    assert body["next_review_date"] == customer.next_review_date.isoformat()
    assert body["conditions"] == []
    assert body["latest_evaluation"]["tier"] == "A" and body["latest_evaluation"]["customer"] == customer.pk


def test_the_customer_list_is_the_callers_customers(sales, other_sales, risk_manager):
    mine = admitted_customer(owner=sales)
    theirs = admitted_customer(owner=other_sales)
    assert [c["id"] for c in bearer(sales).get("/api/v1/customers/").json()["results"]] == [mine.pk]
    assert {c["id"] for c in bearer(risk_manager).get("/api/v1/customers/").json()["results"]} == {mine.pk, theirs.pk}
    assert bearer(risk_manager).get("/api/v1/customers/?tier=Z").status_code == 400


def test_alerts_list_read_acknowledge_and_resolve(risk_manager):
    alert = _alert_for(admitted_customer())
    api = bearer(risk_manager)
    assert [a["id"] for a in api.get("/api/v1/alerts/?status=open").json()["results"]] == [alert.pk]
    response = api.post(f"/api/v1/alerts/{alert.pk}/acknowledge/", {}, format="json")
    assert (response.status_code, response.json()["status"], response.json()["assignee"]) == (
        200, "acknowledged", str(risk_manager))
    response = api.post(f"/api/v1/alerts/{alert.pk}/resolve/", {"note": "Lawsuit settled."}, format="json")
    assert (response.status_code, response.json()["status"], response.json()["note"]) == (200, "resolved",
                                                                                           "Lawsuit settled.")
    again = api.post(f"/api/v1/alerts/{alert.pk}/resolve/", {"note": "Again."}, format="json")
    assert (again.status_code, again.json()["messages"]) == (
        409, ["This alert is already “Resolved”. Nothing was changed."])
    assert Alert.objects.get(pk=alert.pk).status == AlertStatus.RESOLVED


def test_resolving_needs_a_note(risk_manager):
    alert = _alert_for(admitted_customer())
    response = bearer(risk_manager).post(f"/api/v1/alerts/{alert.pk}/resolve/", {"note": ""}, format="json")
    assert response.status_code == 400 and list(response.json()) == ["note"]


def test_customer_evaluations_and_hits(sales, risk_manager):
    customer = admitted_customer(owner=sales)
    rows = bearer(sales).get(f"/api/v1/customers/{customer.pk}/evaluations/").json()
    assert [(r["customer"], r["tier"]) for r in rows] == [(customer.pk, "A")]
    assert bearer(risk_manager).get(f"/api/v1/customers/{customer.pk}/hits/").json() == []
    # a sales owner sees the customer but not its watchlist hits, as for applications
    assert bearer(sales).get(f"/api/v1/customers/{customer.pk}/hits/").status_code == 403


def test_application_hits_for_staff(listed_application, investigator):
    rows = bearer(investigator).get(f"/api/v1/applications/{listed_application.pk}/hits/").json()
    assert {(r["entry_external_id"], r["disposition"]) for r in rows} == {("P-9", "pending"), ("C-9", "pending")}


@pytest.mark.parametrize(("name", "country"), [("张伟", None), ("East China Precision Machinery", "CN"),
                                                ("Acme Trading", "GB"), ("nobody at all", None)])
def test_screen_gives_the_same_hits_as_the_command(investigator, name, country):
    import_list(
        "P-1,张伟,Zhang Wei;ZHANG Wei,CN,TEST,person",
        "C-1,华东精密机械有限公司,East China Precision Machinery Co. Ltd.,CN,TEST,company",
        "C-2,Acme Trading LLC,,US,OFAC-SDN,company",
    )
    out = io.StringIO()
    call_command("screen", name, *(["--country", country] if country else []), "--json", stdout=out)
    response = bearer(investigator).post("/api/v1/screen/", {"name": name, "country": country}, format="json")
    assert response.status_code == 200
    assert response.json() == {"matches": json.loads(out.getvalue())}


def test_screen_is_for_the_roles_that_search_the_lists(sales):
    response = bearer(sales).post("/api/v1/screen/", {"name": "张伟"}, format="json")
    assert response.status_code == 403


@pytest.mark.parametrize("query", ["status=bogus", "severity=\x00", "customer=99999999999999999999", "customer=-1"])
def test_bad_alert_filters_are_a_400(risk_manager, query):
    assert bearer(risk_manager).get(f"/api/v1/alerts/?{query}").status_code == 400
