"""The customers list and page, and fulfilling a condition."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from onboarding.models import Application, Customer, CustomerCondition
from tests.approvals.conftest import cast, in_committee
from tests.factories import ApplicationFactory, credit_code

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _customer(owner, n: int, *, application=None, conditions: int = 0, **fields) -> Customer:
    """A customer row for list tests (the admission itself is tested through the committee)."""
    values = {"name": f"客户{n:03d}", "credit_code": credit_code(5000 + n), "customer_type": "sme", "tier": "B",
              "credit_limit": Decimal("100000"), "payment_terms_days": 30, "sales_owner": owner,
              "next_review_date": TODAY + datetime.timedelta(days=30), **fields}
    customer = Customer.objects.create(**values)
    for i in range(conditions):
        CustomerCondition.objects.create(customer=customer, application=application, text=f"Condition {i}",
                                         due_date=TODAY + datetime.timedelta(days=i - 1))
    return customer


def _admitted(people) -> Customer:
    application = in_committee(people)
    cast(application, people["fay"], "finance", "approve_with_conditions", reason="Guarantee",
         credit_limit=Decimal("600000"), payment_terms_days=45,
         conditions=[("Bank guarantee", TODAY + datetime.timedelta(days=60))])
    cast(application, people["leo"], "legal", "approve")
    return Application.objects.get(pk=application.pk).customer


def _names(response) -> list[str]:
    return [customer.name for customer in response.context["page"]]


# --- List ---

@pytest.mark.parametrize(("who", "status"), [("rosa", 200), ("fay", 200), ("alice", 200), ("rita", 403),
                                             ("ivan", 403), ("nora", 403)])
def test_customer_list_access(client, people, who, status):
    client.force_login(people[who])
    assert client.get(reverse("approvals:customer_list")).status_code == status


def test_sales_sees_only_their_own_customers(client, people):
    _customer(people["alice"], 1)
    _customer(people["bob"], 2)
    client.force_login(people["alice"])
    assert _names(client.get(reverse("approvals:customer_list"))) == ["客户001"]
    client.force_login(people["fay"])
    assert _names(client.get(reverse("approvals:customer_list"))) == ["客户001", "客户002"]


def test_customer_list_shows_open_and_overdue_conditions(client, people):
    application = ApplicationFactory(created_by=people["alice"])
    customer = _customer(people["alice"], 1, application=application, conditions=3)
    CustomerCondition.objects.filter(customer=customer, text="Condition 2").update(fulfilled_at=timezone.now())
    client.force_login(people["rosa"])
    row = client.get(reverse("approvals:customer_list")).context["page"][0]
    # Condition 0 was due yesterday (overdue), condition 1 is due today, condition 2 is fulfilled.
    assert (row.open_conditions, row.overdue_conditions) == (2, 1)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "suspended"}, ["客户002"]),
        ({"tier": "A"}, ["客户003"]),
        ({"review_overdue": "on"}, ["客户003"]),
        ({"q": "客户001"}, ["客户001"]),
        ({"q": credit_code(5002)}, ["客户002"]),
        ({}, ["客户001", "客户002", "客户003"]),
    ],
)
def test_customer_list_filters(client, people, query, expected):
    _customer(people["alice"], 1)
    _customer(people["alice"], 2, status="suspended")
    _customer(people["alice"], 3, tier="A", next_review_date=TODAY - datetime.timedelta(days=1))
    client.force_login(people["rosa"])
    assert _names(client.get(reverse("approvals:customer_list"), query)) == expected


def test_customer_list_query_count_constant_for_1_and_30_rows(client, people, django_assert_num_queries):
    application = ApplicationFactory(created_by=people["alice"])
    _customer(people["alice"], 0, application=application, conditions=2)
    client.force_login(people["rosa"])
    client.get(reverse("approvals:customer_list"))
    with CaptureQueriesContext(connection) as one:
        response = client.get(reverse("approvals:customer_list"))
    assert len(response.context["page"]) == 1
    for n in range(1, 30):
        _customer(people["alice"], n, application=application, conditions=2)
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(reverse("approvals:customer_list"))
    assert len(response.context["page"]) == 25


# --- Page ---

@pytest.mark.parametrize(("who", "status"), [("alice", 200), ("rosa", 200), ("fay", 200), ("bob", 404),
                                             ("rita", 403), ("nora", 403)])
def test_customer_page_access(client, people, who, status):
    customer = _admitted(people)
    client.force_login(people[who])
    assert client.get(reverse("approvals:customer_detail", args=[customer.pk])).status_code == status


def test_customer_page_shows_terms_applications_evaluations_conditions_history(client, people):
    customer = _admitted(people)
    client.force_login(people["rosa"])
    response = client.get(reverse("approvals:customer_detail", args=[customer.pk]))
    page = response.content.decode()
    assert '<dd class="col-sm-8" id="customer-limit">600,000 CNY</dd>' in page
    assert '<dd class="col-sm-8" id="customer-terms">45 days</dd>' in page
    assert [a.pk for a in response.context["applications"]] == [customer.applications.get().pk]
    assert [e.tier for e in response.context["evaluations"]] == ["A"]
    assert [c.text for c in response.context["conditions"]] == ["Bank guarantee"]
    assert "Mark fulfilled" in page
    assert [(entry.created, entry.changes) for entry in response.context["history"]] == [(True, [])]


def test_customer_page_history_lists_changes(client, people):
    from onboarding.services import customer_set_status

    customer = _admitted(people)
    customer_set_status(customer=customer, status="suspended", reason="Overdue invoices")
    client.force_login(people["rosa"])
    history = client.get(reverse("approvals:customer_detail", args=[customer.pk])).context["history"]
    assert [(h.created, h.reason, h.changes) for h in history][0] == (
        False, "Overdue invoices", [("status", "Active", "Suspended")]
    )


def test_customer_page_has_no_fulfil_button_for_approvers(client, people):
    customer = _admitted(people)
    client.force_login(people["fay"])
    assert "Mark fulfilled" not in client.get(reverse("approvals:customer_detail", args=[customer.pk])).content.decode()


# --- Fulfilling a condition ---

def test_risk_manager_marks_a_condition_fulfilled(client, people):
    customer = _admitted(people)
    condition = customer.conditions.get()
    client.force_login(people["rosa"])
    response = client.post(reverse("approvals:condition_fulfil", args=[condition.pk]), follow=True)
    assert response.redirect_chain == [(reverse("approvals:customer_detail", args=[customer.pk]), 302)]
    assert [str(m) for m in response.context["messages"]] == ["Condition marked fulfilled."]
    condition.refresh_from_db()
    assert condition.fulfilled_at is not None
    assert condition.history.first().history_user == people["rosa"]

    again = client.post(reverse("approvals:condition_fulfil", args=[condition.pk]))
    assert [str(m) for m in again.wsgi_request._messages] == ["This condition was already marked fulfilled."]


@pytest.mark.parametrize(("who", "status"), [("fay", 403), ("alice", 403), ("bob", 404), ("rita", 403)])
def test_condition_fulfil_refused_to_others(client, people, who, status):
    customer = _admitted(people)
    condition = customer.conditions.get()
    client.force_login(people[who])
    assert client.post(reverse("approvals:condition_fulfil", args=[condition.pk])).status_code == status
    condition.refresh_from_db()
    assert condition.fulfilled_at is None


def test_condition_fulfil_requires_post(client, people):
    customer = _admitted(people)
    client.force_login(people["rosa"])
    response = client.get(reverse("approvals:condition_fulfil", args=[customer.conditions.get().pk]))
    assert response.status_code == 405


def test_customer_page_shows_its_monitoring_alerts_to_risk_and_its_owner(client, people):
    from monitoring.indicators import Firing
    from monitoring.models import Alert
    from monitoring.services import alerts_raise

    customer = _admitted(people)
    alerts_raise([Firing(customer.pk, "review_overdue", "medium", {"days": 3})], now=timezone.now())
    alert = Alert.objects.get(customer=customer)
    url = reverse("approvals:customer_detail", args=[customer.pk])
    for who, panel, link in (("rosa", True, True), ("alice", True, False), ("fay", False, False)):
        client.force_login(people[who])
        page = client.get(url).content.decode()
        assert ('id="customer-alerts"' in page, f'data-alert="{alert.pk}"' in page) == (panel, panel), who
        assert (reverse("monitoring:alert_detail", args=[alert.pk]) in page) is link, who
