"""Reads of the outcomes app, used by its pages and by monitoring and analysis."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from onboarding.models import Customer
from outcomes.models import CustomerOutcome, Invoice, OutcomeMonth, ReceivablesImport, WriteOff

OPEN = Q(paid_amount__lt=F("amount"))  # not paid in full (a payment needs its date: see receivables)
CHART_MONTHS = 24
_JSON_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026", ord("'"): "\\u0027"}


def open_invoices(customer_id: int) -> QuerySet[Invoice]:
    return Invoice.objects.filter(OPEN, customer_id=customer_id).order_by("due_date", "invoice_no")


def past_due_invoices(*, days: int, today: date | None = None,
                      customer_ids: list[int] | None = None) -> dict[int, list[tuple[str, date, Decimal]]]:
    """(invoice number, due date, outstanding) of invoices unpaid ``days`` or more after their due date, per customer.

    One query over the (customer, due date) index.
    """
    today = today or timezone.localdate()
    found = Invoice.objects.filter(OPEN, due_date__lte=today - timedelta(days=days))
    if customer_ids is not None:
        found = found.filter(customer_id__in=customer_ids)
    result: dict[int, list[tuple[str, date, Decimal]]] = {}
    rows = found.order_by("customer_id", "due_date", "invoice_no").values_list(
        "customer_id", "invoice_no", "due_date", "amount", "paid_amount")
    for customer_id, number, due, amount, paid in rows.iterator(chunk_size=5000):
        result.setdefault(customer_id, []).append((number, due, amount - paid))
    return result


def exposures_over_limit(*, percent: float, customer_ids: list[int] | None = None) -> list[tuple[int, Decimal, Decimal]]:
    """(customer id, exposure, credit limit) where exposure exceeds ``percent`` % of the approved limit."""
    found = CustomerOutcome.objects.filter(exposure__gt=0).filter(
        exposure__gt=F("customer__credit_limit") * Decimal(str(percent)) / 100
    )
    if customer_ids is not None:
        found = found.filter(customer_id__in=customer_ids)
    return list(found.order_by("customer_id").values_list("customer_id", "exposure", "customer__credit_limit"))


def outcome_for(customer_id: int) -> CustomerOutcome | None:
    return CustomerOutcome.objects.filter(pk=customer_id).first()


@dataclass
class Panel:
    outcome: CustomerOutcome | None
    invoices: list[dict]
    write_off: WriteOff | None
    limit_share: int | None  # exposure as a percentage of the limit, for the bar
    chart: str


def chart_json(config: dict) -> str:
    """A Chart.js config for ``<canvas data-chart>``, safe in an HTML attribute."""
    return json.dumps(config, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_JSON_ESCAPES)


def customer_panel(customer: Customer, *, today: date | None = None) -> Panel:
    """What the customer page shows: exposure against the limit, open invoices, the payment history chart."""
    today = today or timezone.localdate()
    outcome = outcome_for(customer.pk)
    invoices = [
        {"invoice": inv, "outstanding": inv.amount - inv.paid_amount, "dpd": max(0, (today - inv.due_date).days)}
        for inv in open_invoices(customer.pk)[:20]
    ]
    months = list(OutcomeMonth.objects.filter(customer=customer).order_by("-month")[:CHART_MONTHS])[::-1]
    chart = chart_json({
        "type": "bar",
        "data": {
            "labels": [m.month.strftime("%Y-%m") for m in months],
            "datasets": [
                {"type": "bar", "label": _("Exposure at month end"), "data": [float(m.exposure) for m in months],
                 "yAxisID": "y"},
                {"type": "line", "label": _("Worst days past due"), "data": [m.worst_dpd for m in months],
                 "yAxisID": "dpd"},
            ],
        },
        "options": {"scales": {
            "y": {"beginAtZero": True, "position": "left"},
            "dpd": {"beginAtZero": True, "position": "right", "grid": {"drawOnChartArea": False}},
        }},
    })
    share = None
    if outcome is not None and customer.credit_limit > 0:
        share = int(outcome.exposure * 100 / customer.credit_limit)
    return Panel(outcome=outcome, invoices=invoices, write_off=WriteOff.objects.filter(customer=customer).first(),
                 limit_share=share, chart=chart if months else "")


def recent_imports(limit: int = 20) -> list[ReceivablesImport]:
    return list(ReceivablesImport.objects.select_related("uploaded_by")[:limit])


def add_months(start: date, months: int) -> date:
    import calendar

    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return start.replace(year=year, month=month, day=min(start.day, calendar.monthrange(year, month)[1]))


def known_outcomes(*, window_months: int = 12, today: date | None = None) -> dict[int, bool]:
    """Customer id → went bad (True) for admitted customers whose outcome over the window is known.

    Bad: 90+ days past due, or written off, within ``window_months`` of admission. Good: not bad
    and admitted at least ``window_months`` ago (the whole window observed). Customers still
    inside their window and not bad yet are left out, as are customers without receivables.
    """
    today = today or timezone.localdate()
    found: dict[int, bool] = {}
    rows = CustomerOutcome.objects.values_list("customer_id", "customer__admitted_at", "first_dpd90_on",
                                               "written_off_on")
    for pk, admitted_at, first90, written in rows.iterator(chunk_size=5000):
        admitted = timezone.localdate(admitted_at)
        window_end = add_months(admitted, window_months)
        bad_on = min((d for d in (first90, written) if d is not None), default=None)
        if bad_on is not None and bad_on <= window_end:
            found[pk] = True
        elif window_end <= today:
            found[pk] = False
    return found
