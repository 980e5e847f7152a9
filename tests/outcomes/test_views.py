"""The import page, its progress page, the write-off and the customer page's outcome panel: who may do what."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from outcomes.models import CustomerOutcome, Invoice, ReceivablesImport, WriteOff
from outcomes.receivables import HEADER, receivables_import

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def day(days_ago: int) -> str:
    return (TODAY - datetime.timedelta(days=days_ago)).isoformat()


def csv_upload(lines, name="ar.csv"):
    text = ",".join(HEADER) + "\n" + "\n".join(lines) + "\n"
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


@pytest.mark.parametrize(("who", "status"), [("rosa", 200), ("alice", 403), ("fay", 403), ("nora", 403)])
def test_import_page_is_for_risk_managers(client, people, who, status):
    client.force_login(people[who])
    assert client.get(reverse("outcomes:import")).status_code == status


def test_import_page_needs_sign_in(client, db):
    response = client.get(reverse("outcomes:import"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_upload_imports_in_a_task_and_shows_progress(client, people, customer, django_capture_on_commit_callbacks):
    client.force_login(people["rosa"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("outcomes:import"), {"file": csv_upload([
            f"{customer.credit_code},U-1,{day(50)},{day(35)},500,CNY,,",
        ])})
    job = ReceivablesImport.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("outcomes:import_detail", args=[job.pk])
    assert (job.status, job.rows_checked, job.created, job.updated, job.customers) == ("done", 1, 1, 0, 1)
    assert Invoice.objects.get().invoice_no == "U-1"
    partial = client.get(reverse("outcomes:import_detail", args=[job.pk]), headers={"HX-Request": "true"})
    assert b"hx-trigger" not in partial.content  # finished: polling stops
    assert "1 new, 0 updated, for 1 customers" in partial.content.decode()


def test_a_bad_upload_fails_with_row_and_column_and_changes_nothing(client, people, customer,
                                                                   django_capture_on_commit_callbacks):
    client.force_login(people["rosa"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("outcomes:import"), {"file": csv_upload([
            f"{customer.credit_code},U-1,{day(50)},{day(35)},500,CNY,,",
            f"{customer.credit_code},U-2,{day(50)},soon,500,CNY,,",
        ])})
    job = ReceivablesImport.objects.get()
    assert job.status == "failed"
    assert job.error.startswith("Row 3, column due_date: “soon” is not a date")
    assert job.error.endswith("Nothing was imported.")
    assert not Invoice.objects.exists()
    page = client.get(reverse("outcomes:import_detail", args=[job.pk]))
    assert "Row 3, column due_date" in page.content.decode()


def test_a_pending_import_is_polled(client, people):
    client.force_login(people["rosa"])
    response = client.post(reverse("outcomes:import"), {"file": csv_upload(["x"])})  # no commit: stays pending
    job = ReceivablesImport.objects.get()
    assert response.status_code == 302
    page = client.get(reverse("outcomes:import_detail", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in page


@pytest.mark.parametrize(("name", "content", "message"), [
    ("ar.txt", b"abc", "Upload a .csv or .xlsx file."),
    ("ar.xlsx", b"not a workbook", "is not a PDF, JPEG, PNG, XLSX or DOCX file"),
    ("ar.csv", b"", "The submitted file is empty."),
])
def test_upload_checks(client, people, name, content, message):
    client.force_login(people["rosa"])
    response = client.post(reverse("outcomes:import"), {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ReceivablesImport.objects.exists()


def test_upload_refused_to_others(client, people):
    client.force_login(people["alice"])
    response = client.post(reverse("outcomes:import"), {"file": csv_upload([])})
    assert response.status_code == 403
    assert not ReceivablesImport.objects.exists()


def _receivables(tmp_path, customer):
    path = tmp_path / "ar.csv"
    path.write_text(",".join(HEADER) + f"\n{customer.credit_code},P-1,{day(120)},{day(95)},4000,CNY,,\n")
    receivables_import(path)


def test_risk_manager_writes_off(client, people, customer, tmp_path):
    _receivables(tmp_path, customer)
    client.force_login(people["rosa"])
    response = client.post(reverse("outcomes:write_off", args=[customer.pk]),
                           {"written_off_on": day(2), "reason": "破产清算"})
    assert response.status_code == 302
    write_off = WriteOff.objects.get(customer=customer)
    assert (write_off.reason, write_off.recorded_by) == ("破产清算", people["rosa"])
    outcome = CustomerOutcome.objects.get(pk=customer.pk)
    assert (outcome.status, outcome.written_off_on) == ("written_off", TODAY - datetime.timedelta(days=2))
    again = client.post(reverse("outcomes:write_off", args=[customer.pk]),
                        {"written_off_on": day(1), "reason": "again"}, follow=True)
    assert "already been written off" in again.content.decode()
    assert WriteOff.objects.count() == 1


@pytest.mark.parametrize(("who", "status"), [("alice", 403), ("fay", 403), ("bob", 404), ("nora", 404)])
def test_write_off_refused_to_others(client, people, customer, who, status):
    client.force_login(people[who])
    response = client.post(reverse("outcomes:write_off", args=[customer.pk]), {"written_off_on": day(1), "reason": "x"})
    assert response.status_code == status
    assert not WriteOff.objects.exists()


def test_write_off_needs_a_reason_and_a_past_date(client, people, customer):
    client.force_login(people["rosa"])
    page = client.post(reverse("outcomes:write_off", args=[customer.pk]),
                       {"written_off_on": day(-1), "reason": "x"}, follow=True).content.decode()
    assert "cannot be dated in the future" in page
    page = client.post(reverse("outcomes:write_off", args=[customer.pk]),
                       {"written_off_on": day(1), "reason": ""}, follow=True).content.decode()
    assert "This field is required." in page
    assert not WriteOff.objects.exists()


def test_write_off_is_post_only(client, people, customer):
    client.force_login(people["rosa"])
    assert client.get(reverse("outcomes:write_off", args=[customer.pk])).status_code == 405


def test_customer_page_shows_exposure_against_limit_and_the_chart(client, people, customer, tmp_path):
    _receivables(tmp_path, customer)
    client.force_login(people["rosa"])
    page = client.get(reverse("approvals:customer_detail", args=[customer.pk])).content.decode()
    assert 'id="customer-outcome"' in page
    assert '<dd class="col-5 text-end" id="outcome-exposure">4,000 CNY</dd>' in page
    assert "40% of the credit limit" in page
    assert 'id="outcome-chart" data-chart="' in page
    assert "<script>" not in page  # the chart comes from data attributes and static files only
    assert 'id="write-off-form"' in page


def test_the_sales_owner_sees_the_record_but_cannot_write_off(client, people, customer, tmp_path):
    _receivables(tmp_path, customer)
    client.force_login(people["alice"])
    page = client.get(reverse("approvals:customer_detail", args=[customer.pk])).content.decode()
    assert 'id="outcome-first90"' in page
    assert 'id="write-off-form"' not in page


def test_panel_without_receivables(client, people, customer):
    client.force_login(people["fay"])
    page = client.get(reverse("approvals:customer_detail", args=[customer.pk])).content.decode()
    assert "No receivables have been imported for this customer." in page
    assert Decimal(customer.credit_limit) == Decimal("10000")


def test_the_panel_reads_in_chinese(client, people, customer, tmp_path):
    _receivables(tmp_path, customer)
    client.force_login(people["rosa"])
    page = client.get(reverse("approvals:customer_detail", args=[customer.pk]), headers={"Accept-Language": "zh-hans"})
    text = page.content.decode()
    assert "付款记录" in text and "逾期 90 天以上（违约）" in text and "占授信额度的 40%" in text


def test_import_list_queries_do_not_grow_with_rows(client, people):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(people["rosa"])

    def add():
        job = ReceivablesImport(original_name="ar.csv", uploaded_by=people["rosa"])
        job.file.save("ar.csv", csv_upload([]), save=False)
        job.save()

    add()
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("outcomes:import"))
    add()
    add()
    with CaptureQueriesContext(connection) as three:
        assert client.get(reverse("outcomes:import")).content.decode().count("ar.csv</a>") == 3
    assert len(three) == len(one)
