"""The daily list pages: no count over the whole table, "next page" pagination, filter forms."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from accounts.roles import Role
from onboarding.models import Application, Customer
from tests.factories import ApplicationFactory, credit_code, user_with

pytestmark = pytest.mark.django_db


def _sql(client, url, **query) -> tuple[object, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, query)
    assert response.status_code == 200
    return response, [q["sql"] for q in captured]


def _customers(owner, n: int) -> None:
    Customer.objects.bulk_create(
        Customer(name=f"客户{i:03d}", credit_code=credit_code(7000 + i), customer_type="sme", tier="B",
                 credit_limit=Decimal("100000"), payment_terms_days=30, sales_owner=owner)
        for i in range(n)
    )


@pytest.mark.parametrize("url_name", ["onboarding:my_applications", "onboarding:application_list", "onboarding:queue"])
def test_application_lists_count_nothing(client, url_name):
    owner = user_with(Role.SALES)
    viewer = owner if url_name == "onboarding:my_applications" else user_with(Role.RISK_MANAGER)
    ApplicationFactory.create_batch(3, created_by=owner)
    client.force_login(viewer)
    _response, sql = _sql(client, reverse(url_name))
    assert [q for q in sql if "COUNT(" in q and '"onboarding_application"' in q and "GROUP BY" not in q] == []


def test_customer_list_counts_neither_customers_nor_all_their_conditions(client):
    risk = user_with(Role.RISK_MANAGER)
    _customers(user_with(Role.SALES), 3)
    client.force_login(risk)
    _response, sql = _sql(client, reverse("approvals:customer_list"))
    assert [q for q in sql if "COUNT(" in q and 'FROM "onboarding_customer"' in q] == []
    # The condition counts are read for the page's customers only.
    conditions = [q for q in sql if 'FROM "onboarding_customercondition"' in q]
    assert len(conditions) == 1 and '"customer_id" IN (' in conditions[0]


def test_next_page_pagination_of_the_customer_list(client):
    _customers(user_with(Role.SALES), 26)
    client.force_login(user_with(Role.RISK_MANAGER))
    first = client.get(reverse("approvals:customer_list"))
    assert len(first.context["page"]) == 25
    html = first.content.decode()
    assert "page=2" in html and "Page 1" in html and "Page 1 of" not in html
    second = client.get(reverse("approvals:customer_list"), {"page": "2"})
    assert [c.name for c in second.context["page"]] == ["客户025"]
    html = second.content.decode()
    assert "page=1" in html and "page=3" not in html


@pytest.mark.parametrize("page", ["0", "-1", "x", "99999999"])
def test_a_page_number_out_of_range_is_the_first_page(client, page):
    owner = user_with(Role.SALES)
    ApplicationFactory(created_by=owner)
    client.force_login(owner)
    response = client.get(reverse("onboarding:my_applications"), {"page": page})
    assert response.context["page"].number == 1
    assert len(response.context["page"]) == 1


def test_a_page_past_the_end_is_empty_with_a_link_back(client):
    owner = user_with(Role.SALES)
    ApplicationFactory(created_by=owner)
    client.force_login(owner)
    response = client.get(reverse("onboarding:my_applications"), {"page": "3"})
    assert list(response.context["page"]) == []
    assert "page=2" in response.content.decode()


def test_the_page_label_is_translated(client):
    owner = user_with(Role.SALES, language="zh-hans")
    ApplicationFactory.create_batch(26, created_by=owner)
    client.force_login(owner)
    html = client.get(reverse("onboarding:my_applications"), {"page": "2"}).content.decode()
    assert "第 2 页" in html


def test_the_remembered_filter_form_shows_each_request_its_own_values_and_language(client):
    risk = user_with(Role.RISK_MANAGER)
    client.force_login(risk)
    url = reverse("onboarding:application_list")
    assert 'value="alpha"' in client.get(url, {"q": "alpha"}).content.decode()
    html = client.get(url, {"q": "beta"}).content.decode()
    assert 'value="beta"' in html and 'value="alpha"' not in html
    assert 'value="alpha"' in client.get(url, {"q": "alpha", "page": "2"}).content.decode()
    risk.language = "zh-hans"
    risk.save(update_fields=["language"])
    with translation.override("zh-hans"):
        label = str(Application._meta.get_field("state").verbose_name)
    assert f">{label}</label>" in client.get(url, {"q": "alpha"}).content.decode()


@pytest.mark.parametrize(("value", "expected"), [("3", 3), ("²", 1), ("0", 1), ("-2", 1), ("9" * 25, 1), ("", 1), (None, 1)])
def test_page_number_takes_only_ascii_digits(value, expected):
    from onboarding.pagination import page_number

    assert page_number(value) == expected
