"""import_credit_data: all or nothing, the line of the first error, changed customers due now."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from monitoring.credit_import import CreditImportError, from_text
from monitoring.models import CustomerCreditProfile, JobRun
from tests.monitoring.factories import admitted_customer

pytestmark = pytest.mark.django_db
HEADER = "credit_code,as_of,bureau_score,overdue_count,litigation_count,tax_rating\n"


@pytest.fixture
def two():
    later = timezone.localdate() + datetime.timedelta(days=90)
    return admitted_customer(due_on=later), admitted_customer(due_on=later)


def _day(days_ago: int = 1) -> str:
    return (timezone.localdate() - datetime.timedelta(days=days_ago)).isoformat()


def test_changed_customers_get_the_data_and_are_due_today(two):
    first, second = two
    result = from_text(HEADER + f"{first.credit_code},{_day()},650,1,1,B\n{second.credit_code},{_day()},720,0,1,A\n")
    assert (result.rows, result.changed, result.unchanged, result.older) == (2, 1, 1, 0)
    profile = CustomerCreditProfile.objects.get(pk=first.pk)
    assert (profile.bureau_score, profile.overdue_count, profile.tax_rating, profile.due_on) == (
        650, 1, "B", timezone.localdate(),
    )
    assert profile.data_version == 2
    assert CustomerCreditProfile.objects.get(pk=second.pk).due_on > timezone.localdate()
    assert JobRun.objects.get(kind="credit_import").evaluated == 2


@pytest.mark.parametrize(("line", "message"), [
    ("{code},{day},abc,0,0,A", "Line 3: bureau_score must be a whole number"),
    ("{code},2026-13-01,700,0,0,A", "Line 3: as_of must be a date"),
    ("{code},{day},700,0,0,Z", "Line 3: tax_rating must be one of"),
    ("{code},{day},700,0", "Line 3: expected 6 values, found 4"),
    ("91110000000000000X,{day},700,0,0,A", "Line 3: no customer has the credit code 91110000000000000X"),
    ("{first},{day},700,0,0,A", "Line 3: credit code {first} appears twice"),
    ("{code},2999-01-01,700,0,0,A", "Line 3: as_of 2999-01-01 is in the future"),
])
def test_a_bad_line_changes_nothing_and_is_named(two, line, message):
    first, second = two
    values = {"code": second.credit_code, "day": _day(), "first": first.credit_code}
    text = HEADER + f"{first.credit_code},{_day()},600,3,3,C\n" + line.format(**values) + "\n"
    with pytest.raises(CreditImportError, match=message.format(**values)):
        from_text(text)
    assert CustomerCreditProfile.objects.get(pk=first.pk).bureau_score == 720
    assert not JobRun.objects.exists()


def test_wrong_header_is_line_one(two):
    with pytest.raises(CreditImportError, match="Line 1: the header must be exactly"):
        from_text("code,date\n")


def test_older_data_than_held_is_skipped(two):
    first, _second = two
    result = from_text(HEADER + f"{first.credit_code},{_day(365)},500,5,5,D\n")
    assert (result.changed, result.older) == (0, 1)
    assert CustomerCreditProfile.objects.get(pk=first.pk).bureau_score == 720


def test_command_reports_and_fails_with_the_line(two, tmp_path):
    first, _second = two
    good = tmp_path / "good.csv"
    good.write_text(HEADER + f"{first.credit_code},{_day()},640,0,1,A\n", encoding="utf-8")
    out = io.StringIO()
    call_command("import_credit_data", str(good), stdout=out)
    assert "1 rows: 1 changed" in out.getvalue()
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + f"{first.credit_code},{_day()},x,0,1,A\n", encoding="utf-8")
    with pytest.raises(CommandError, match="Line 2: bureau_score"):
        call_command("import_credit_data", str(bad), stdout=io.StringIO())
