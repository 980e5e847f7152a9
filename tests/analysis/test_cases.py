"""The case library: facts pulled from the record, safe Markdown, publishing to roles, search, panels."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from analysis.cases import case_create, render_markdown
from analysis.models import Case
from onboarding.enums import State
from outcomes.models import CustomerOutcome
from tests.factories import ApplicationFactory, advance
from tests.monitoring.factories import admitted_customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(people):
    customer = admitted_customer(owner=people["alice"], name="失败案例客户有限公司")
    CustomerOutcome.objects.create(customer=customer, as_of=timezone.localdate(), status="dpd90",
                                   exposure=Decimal("1200000"), worst_dpd_12m=120,
                                   first_dpd90_on=datetime.date(2026, 5, 1))
    return customer


def _post(**extra):
    return {"kind": "failure", "title": "Concentration risk missed", "analysis": "Top customer **70%**.",
            "caught_by": "customer concentration", "lessons": "- cap at 50%", "tags": "Concentration, 制造业",
            **extra}


def test_risk_manager_writes_a_case_with_facts_from_the_record(client, people, customer):
    client.force_login(people["rosa"])
    form = client.get(reverse("analysis:case_create") + f"?customer={customer.pk}")
    assert form.status_code == 200
    response = client.post(reverse("analysis:case_create"), {"customer": customer.pk, **_post(
        published_to=["sales", "approver_finance"])})
    case = Case.objects.get()
    assert response["Location"] == reverse("analysis:case_detail", args=[case.pk])
    assert case.facts["admission"]["tier"] == "A" and case.facts["admission"]["total"] == 86.3
    assert case.facts["outcome"] == {"status": "dpd90", "exposure": "1200000.00", "worst_dpd_12m": 120,
                                     "first_dpd30_on": None, "first_dpd90_on": "2026-05-01", "written_off_on": None}
    assert case.tags == ",concentration,制造业," and case.published_at is not None
    page = client.get(reverse("analysis:case_detail", args=[case.pk])).content.decode()
    assert "<strong>70%</strong>" in page and "90+ days past due (default)" in page
    assert 'id="fact-admission">Admission score 86.3, tier A' in page


def test_markdown_is_rendered_safely():
    html = render_markdown("**ok** <script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>")
    assert "<strong>ok</strong>" in html
    assert "<script" not in html and "<img" not in html and "href" not in html  # raw HTML and the bad link: text
    assert "&lt;script&gt;" in html
    assert 'href="https://example.com"' in render_markdown("[x](https://example.com)")
    assert "<a" not in str(render_markdown('<a href="https://example.com" onclick="x()">x</a>'))


def test_publishing_decides_who_reads(client, people, customer):
    draft = case_create(actor=people["rosa"], customer=customer, **_post(published_to=[]))
    for_sales = case_create(actor=people["rosa"], customer=customer, **_post(title="For sales", published_to=["sales"]))
    client.force_login(people["alice"])
    assert client.get(reverse("analysis:case_detail", args=[draft.pk])).status_code == 404
    assert client.get(reverse("analysis:case_detail", args=[for_sales.pk])).status_code == 200
    listing = client.get(reverse("analysis:case_list")).content.decode()
    assert "For sales" in listing and f'data-case="{draft.pk}"' not in listing
    assert client.get(reverse("analysis:case_edit", args=[for_sales.pk])).status_code == 403
    client.force_login(people["fay"])
    assert client.get(reverse("analysis:case_detail", args=[for_sales.pk])).status_code == 404
    client.force_login(people["nora"])
    assert client.get(reverse("analysis:case_list")).status_code == 403


def test_only_risk_managers_write(client, people, customer):
    client.force_login(people["alice"])
    assert client.post(reverse("analysis:case_create"), {"customer": customer.pk, **_post()}).status_code == 403
    assert not Case.objects.exists()


def test_search_by_text_kind_and_tag(client, people, customer):
    case_create(actor=people["rosa"], customer=customer, **_post())
    case_create(actor=people["rosa"], customer=customer, **_post(kind="success", title="Good payer", tags="steady",
                                                                 analysis="Paid early."))
    client.force_login(people["rosa"])
    url = reverse("analysis:case_list")
    assert "Good payer" not in client.get(url + "?q=concentration").content.decode()
    assert "Good payer" in client.get(url + "?kind=success").content.decode()
    assert "Concentration risk missed" in client.get(url + "?tag=制造业").content.decode()
    assert "Concentration risk missed" not in client.get(url + "?tag=steady").content.decode()


def test_the_customer_page_links_its_cases(client, people, customer):
    case = case_create(actor=people["rosa"], customer=customer, **_post(published_to=["sales"]))
    client.force_login(people["alice"])
    page = client.get(reverse("approvals:customer_detail", args=[customer.pk])).content.decode()
    assert reverse("analysis:case_detail", args=[case.pk]) in page and "Write a case" not in page
    client.force_login(people["rosa"])
    page = client.get(reverse("approvals:customer_detail", args=[customer.pk])).content.decode()
    assert "Write a case" in page


def test_a_rejected_application_becomes_a_case(client, people):
    application = advance(ApplicationFactory(created_by=people["alice"]), State.REJECTED, reviewer=people["rita"])
    client.force_login(people["rosa"])
    page = client.get(reverse("onboarding:application_detail", args=[application.pk])).content.decode()
    assert f"?application={application.pk}" in page
    client.post(reverse("analysis:case_create"), {"application": application.pk, **_post(kind="success",
                                                                                        title="Right to reject")})
    case = Case.objects.get()
    assert case.facts["rejection"]["from_state"] == "document_review" and case.facts["rejection"]["reason"] == "test"
    open_one = ApplicationFactory(created_by=people["alice"])
    response = client.post(reverse("analysis:case_create"), {"application": open_one.pk, **_post()})
    assert "Only a rejected application becomes a case" in response.content.decode()


def test_the_case_reads_in_chinese(client, people, customer):
    case = case_create(actor=people["rosa"], customer=customer, **_post(published_to=["sales"]))
    client.force_login(people["rosa"])
    page = client.get(reverse("analysis:case_detail", args=[case.pk]), headers={"Accept-Language": "zh-hans"})
    text = page.content.decode()
    assert "记录中的事实" in text and "准入评分 86.3，等级 A" in text and "失败案例" in text


def test_case_list_queries_do_not_grow_with_rows(client, people, customer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(people["alice"])
    case_create(actor=people["rosa"], customer=customer, **_post(published_to=["sales"]))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("analysis:case_list"))
    for n in range(2):
        case_create(actor=people["rosa"], customer=customer, **_post(title=f"More {n}", published_to=["sales"]))
    with CaptureQueriesContext(connection) as three:
        assert "More 1" in client.get(reverse("analysis:case_list")).content.decode()
    assert len(three) == len(one)
