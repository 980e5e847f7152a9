"""import_receivables: upsert by invoice number, all or nothing, the row and column of the first error."""

import datetime
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from openpyxl import Workbook

from outcomes.models import CustomerOutcome, Invoice, OutcomeMonth
from outcomes.receivables import HEADER, ReceivablesError, receivables_import
from tests.outcomes.conftest import make_customer

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def day(days_ago: int) -> str:
    return (TODAY - datetime.timedelta(days=days_ago)).isoformat()


def write(tmp_path, lines, name="ar.csv"):
    path = tmp_path / name
    path.write_text(",".join(HEADER) + "\n" + "".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def test_import_creates_invoices_and_outcomes(tmp_path, customer):
    path = write(tmp_path, [
        f"{customer.credit_code},A-1,{day(100)},{day(70)},6000.50,CNY,{day(20)},1000",
        f"{customer.credit_code},A-2,{day(40)},{day(10)},3000,CNY,,",
    ])
    result = receivables_import(path)
    assert (result.rows, result.created, result.updated, result.customers) == (2, 2, 0, 1)
    first = Invoice.objects.get(invoice_no="A-1")
    assert (first.amount, first.paid_amount, first.paid_date) == (Decimal("6000.50"), Decimal("1000"),
                                                                  TODAY - datetime.timedelta(days=20))
    outcome = CustomerOutcome.objects.get(pk=customer.pk)
    assert (outcome.exposure, outcome.overdue_amount, outcome.max_dpd_now, outcome.status) == (
        Decimal("8000.50"), Decimal("8000.50"), 70, "dpd60",
    )
    assert outcome.first_dpd30_on == TODAY - datetime.timedelta(days=40)
    assert outcome.first_dpd60_on == TODAY - datetime.timedelta(days=10)
    assert outcome.first_dpd90_on is None


def test_reimport_updates_without_duplicates(tmp_path, customer):
    receivables_import(write(tmp_path, [
        f"{customer.credit_code},A-1,{day(100)},{day(70)},6000,CNY,,",
        f"{customer.credit_code},A-2,{day(40)},{day(10)},3000,CNY,,",
    ]))
    months_before = OutcomeMonth.objects.filter(customer=customer).count()
    result = receivables_import(write(tmp_path, [
        f"{customer.credit_code},A-1,{day(100)},{day(70)},6000,CNY,{day(1)},6000",
        f"{customer.credit_code},A-3,{day(5)},{day(-25)},1000,CNY,,",
    ]))
    assert (result.created, result.updated) == (1, 1)
    assert sorted(Invoice.objects.values_list("invoice_no", flat=True)) == ["A-1", "A-2", "A-3"]
    assert Invoice.objects.get(invoice_no="A-1").paid_amount == Decimal("6000")
    outcome = CustomerOutcome.objects.get(pk=customer.pk)
    assert (outcome.exposure, outcome.max_dpd_now, outcome.first_dpd60_on) == (
        Decimal("4000"), 10, TODAY - datetime.timedelta(days=10),
    )
    assert OutcomeMonth.objects.filter(customer=customer).count() == months_before  # replaced, not added


@pytest.mark.parametrize(("line", "message"), [
    ("91110000000000000X,B-2,{d30},{d0},10,CNY,,", "Row 3, column credit_code: no customer has the credit code"),
    ("{code},B-2,2026-02-30,{d0},10,CNY,,", "Row 3, column invoice_date: “2026-02-30” is not a date"),
    ("{code},B-2,{d30},{d0},-10,CNY,,", "Row 3, column amount: the amount -10 is negative"),
    ("{code},B-2,{d30},{d0},10,CNY,,\x00", "Row 3, column paid_amount: the value contains a NUL character"),
    ("{code},B-2,{d30},{d0},10,USD,,", "Row 3, column currency: only CNY is accepted"),
    ("{code},B-2,{d30},{d0},10,CNY,{d1},20", "Row 3, column paid_amount: the paid amount 20.00 exceeds"),
    ("{code},B-2,{d30},{d0},10,CNY,{d1},", "Row 3, column paid_amount: a payment date needs the amount paid"),
    ("{code},B-1,{d30},{d0},10,CNY,,", "Row 3, column invoice_no: invoice B-1 appears twice in the file"),
    ("{code},B-2,{d0},{d30},10,CNY,,", "Row 3, column due_date: the due date"),
    ("{code},B-2,{future},{future},10,CNY,,", "Row 3, column invoice_date: {future} is in the future"),
    ("{code},B-2,{d30}", "Row 3: expected 8 values"),
])
def test_a_bad_file_changes_nothing_and_names_row_and_column(tmp_path, customer, line, message):
    receivables_import(write(tmp_path, [f"{customer.credit_code},B-1,{day(60)},{day(30)},100,CNY,,"], "first.csv"))
    values = {"code": customer.credit_code, "d30": day(30), "d0": day(0), "d1": day(1),
              "future": day(-3)}
    path = write(tmp_path, [
        f"{customer.credit_code},B-1,{day(60)},{day(30)},100,CNY,{day(1)},100",  # would pay B-1
        line.format(**values),
    ])
    with pytest.raises(ReceivablesError, match=message.format(**values)):
        receivables_import(path)
    assert list(Invoice.objects.values_list("invoice_no", "paid_amount")) == [("B-1", Decimal("0"))]
    assert CustomerOutcome.objects.get(pk=customer.pk).exposure == Decimal("100")


def test_a_wrong_header_is_row_one(tmp_path, customer):
    path = tmp_path / "ar.csv"
    path.write_text("credit_code,invoice,invoice_date\n", encoding="utf-8")
    with pytest.raises(ReceivablesError, match="Row 1: the header must be exactly") as caught:
        receivables_import(path)
    assert caught.value.row == 1


def test_not_utf8_is_refused(tmp_path, customer):
    path = tmp_path / "ar.csv"
    path.write_bytes((",".join(HEADER) + "\n").encode() + "客户".encode("gbk") + b"\n")
    with pytest.raises(ReceivablesError, match="neither UTF-8 CSV nor XLSX"):
        receivables_import(path)


def test_xlsx_with_date_cells(tmp_path, customer):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append([customer.credit_code, "X-1", TODAY - datetime.timedelta(days=50),
                  TODAY - datetime.timedelta(days=35), 1200.5, "CNY", None, None])
    sheet.append([customer.credit_code, 1002, (TODAY - datetime.timedelta(days=20)).isoformat(),
                  (TODAY + datetime.timedelta(days=10)).isoformat(), 800, "", None, None])
    path = tmp_path / "ar.xlsx"
    book.save(path)
    result = receivables_import(path)
    assert (result.rows, result.created) == (2, 2)
    assert Invoice.objects.get(invoice_no="1002").amount == Decimal("800")
    outcome = CustomerOutcome.objects.get(pk=customer.pk)
    assert (outcome.exposure, outcome.max_dpd_now, outcome.status) == (Decimal("2000.50"), 35, "dpd30")


def test_xlsx_error_names_row_and_column(tmp_path, customer):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append([customer.credit_code, "X-1", "yesterday", TODAY, 10, "CNY", None, None])
    path = tmp_path / "ar.xlsx"
    book.save(path)
    with pytest.raises(ReceivablesError, match="Row 2, column invoice_date: “yesterday” is not a date"):
        receivables_import(path)
    assert not Invoice.objects.exists()


def test_the_command_imports_and_reports(tmp_path, customer, capsys):
    path = write(tmp_path, [f"{customer.credit_code},C-1,{day(10)},{day(5)},10,CNY,,"])
    call_command("import_receivables", str(path))
    assert "1 invoices: 1 new, 0 updated, for 1 customers" in capsys.readouterr().out
    bad = write(tmp_path, [f"{customer.credit_code},C-2,{day(10)},{day(5)},ten,CNY,,"], "bad.csv")
    with pytest.raises(CommandError, match="Row 2, column amount: “ten” is not an amount. Nothing was imported."):
        call_command("import_receivables", str(bad))
    assert list(Invoice.objects.values_list("invoice_no", flat=True)) == ["C-1"]


def test_an_invoice_moved_to_another_customer_recomputes_both(tmp_path, people, customer):
    other = make_customer(owner=people["alice"])
    receivables_import(write(tmp_path, [f"{customer.credit_code},M-1,{day(10)},{day(5)},10,CNY,,"]))
    receivables_import(write(tmp_path, [f"{other.credit_code},M-1,{day(10)},{day(5)},10,CNY,,"]))
    assert CustomerOutcome.objects.get(pk=customer.pk).exposure == 0
    assert CustomerOutcome.objects.get(pk=other.pk).exposure == Decimal("10")
