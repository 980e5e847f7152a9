"""The receivables indicators: invoices past due and exposure above the credit limit raise alerts."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from monitoring.models import Alert, IndicatorSetting
from monitoring.receivables import receivables_check
from outcomes.receivables import HEADER, receivables_import
from tests.outcomes.conftest import make_customer

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def day(days_ago: int) -> str:
    return (TODAY - datetime.timedelta(days=days_ago)).isoformat()


def _import(tmp_path, lines):
    path = tmp_path / "ar.csv"
    path.write_text(",".join(HEADER) + "\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return receivables_import(path)


def test_an_import_raises_alerts_after_commit(tmp_path, people, django_capture_on_commit_callbacks):
    late = make_customer(owner=people["alice"], credit_limit="10000")
    fine = make_customer(owner=people["alice"], credit_limit="10000")
    with django_capture_on_commit_callbacks(execute=True):
        _import(tmp_path, [
            f"{late.credit_code},L-1,{day(70)},{day(40)},7000,CNY,{day(5)},1000",
            f"{late.credit_code},L-2,{day(20)},{day(-10)},6000,CNY,,",
            f"{fine.credit_code},F-1,{day(40)},{day(29)},9000,CNY,,",
        ])
    alerts = {a.indicator: a for a in Alert.objects.filter(customer=late)}
    assert set(alerts) == {"invoice_past_due", "over_limit"}
    assert alerts["invoice_past_due"].severity == "high"
    assert alerts["invoice_past_due"].evidence[-1]["facts"] == {
        "count": 1, "unpaid": "6000.00", "invoices": [{"invoice_no": "L-1", "due_date": day(40), "unpaid": "6000.00"}],
    }
    assert alerts["over_limit"].evidence[-1]["facts"] == {"exposure": "12000.00", "limit": "10000.00"}
    assert not Alert.objects.filter(customer=fine).exists()  # 29 days late, 90 % of the limit


def test_thresholds_are_configurable_and_one_alert_stays_open(tmp_path, people):
    customer = make_customer(owner=people["alice"], credit_limit="10000")
    _import(tmp_path, [f"{customer.credit_code},T-1,{day(40)},{day(15)},8500,CNY,,"])
    assert receivables_check() == 0
    IndicatorSetting.objects.filter(indicator="invoice_past_due").update(threshold=Decimal("15"))
    IndicatorSetting.objects.filter(indicator="over_limit").update(threshold=Decimal("80"))
    assert receivables_check() == 2
    assert receivables_check() == 0  # the open alerts get the evidence, no second alert
    assert Alert.objects.filter(customer=customer).count() == 2
    IndicatorSetting.objects.filter(indicator="over_limit").update(enabled=False)
    Alert.objects.all().delete()
    assert receivables_check() == 1


def test_offboarded_customers_raise_nothing(tmp_path, people):
    customer = make_customer(owner=people["alice"], credit_limit="0", status="offboarded")
    _import(tmp_path, [f"{customer.credit_code},O-1,{day(90)},{day(60)},10,CNY,,"])
    assert receivables_check() == 0


def test_the_alert_reads_in_both_languages(tmp_path, people):
    from django.utils import translation

    from monitoring.indicators import describe

    facts = {"exposure": "12000.00", "limit": "10000.00"}
    assert describe("over_limit", facts) == "Unpaid receivables of 12000.00 CNY exceed the credit limit of 10000.00 CNY."
    with translation.override("zh-hans"):
        assert describe("over_limit", facts) == "未收应收账款 12000.00 元，超过授信额度 10000.00 元。"


def test_each_check_is_a_job_run_with_its_alerts_and_shows_on_the_runs_pages(tmp_path, people, client):
    from django.urls import reverse

    from monitoring.models import JobRun

    late = make_customer(owner=people["alice"], credit_limit="10000")
    _import(tmp_path, [f"{late.credit_code},R-1,{day(70)},{day(40)},12000,CNY,,"])
    assert receivables_check(customer_ids=[late.pk]) == 2
    assert receivables_check() == 0
    runs = list(JobRun.objects.filter(kind="receivables_check").order_by("pk"))
    assert [(r.scope, r.trigger, r.customer_id, r.customers, r.evaluated, r.alerts_raised, r.status, r.errors)
            for r in runs] == [("customer", "import", late.pk, 1, 1, 2, "finished", 0),
                               ("all", "import", None, 0, 1, 0, "finished", 0)]
    assert all(r.finished_at is not None for r in runs)
    assert set(Alert.objects.filter(customer=late).values_list("run_id", flat=True)) == {runs[0].pk}
    client.force_login(people["rosa"])
    listing = client.get(reverse("monitoring:run_list") + "?kind=receivables_check")
    assert listing.status_code == 200 and "Receivables indicators" in listing.content.decode()
    detail = client.get(reverse("monitoring:run_detail", args=[runs[0].pk]))
    assert detail.status_code == 200 and "Receivables indicators" in detail.content.decode()


def test_a_failing_check_is_recorded_as_a_failed_run(monkeypatch, people):
    from monitoring import receivables
    from monitoring.models import JobRun

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(receivables, "past_due_invoices", broken)
    with pytest.raises(RuntimeError):
        receivables_check()
    run = JobRun.objects.get(kind="receivables_check")
    assert (run.status, run.errors, run.error_log) == ("failed", 1, ["database went away"])
