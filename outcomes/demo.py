"""Demo receivables for ``manage.py seed_demo``: up to two years of monthly invoices per admitted customer.

Called after the other apps' seeds (``outcomes`` follows ``monitoring`` in INSTALLED_APPS).
Invoices of customers not offboarded start in the month of admission (at most 24 months ago), one on the 5th of each month;
how late each is paid depends on the customer's tier, drawn from a generator seeded with its
credit code, so a second run rewrites the same invoices (the import upserts on the invoice
number) with today's view of which are paid. One deteriorating customer stops paying and is
90+ days past due; its alerts appear once the worker runs the queued receivables check.
"""

from __future__ import annotations

import datetime
import random
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import TextIO

from django.utils import timezone

from onboarding.enums import CustomerStatus
from onboarding.models import Customer
from outcomes.receivables import HEADER, receivables_import

# (share of invoices paid late, (fewest, most) days late) per tier.
BEHAVIOUR = {"A": (0.05, (1, 10)), "B": (0.25, (5, 40)), "C": (0.6, (20, 75)), "D": (0.8, (40, 120))}
# Stops paying six months ago: 90+ days past due and above its limit.
STOPS_PAYING = "佛山南方建材贸易有限公司"
MONTHS = 24


def _month_add(day: datetime.date, months: int) -> datetime.date:
    index = day.month - 1 + months
    return day.replace(year=day.year + index // 12, month=index % 12 + 1)


def invoice_lines(customer: Customer, today: datetime.date) -> list[str]:
    rng = random.Random(customer.credit_code)
    late_share, (fewest, most) = BEHAVIOUR.get(customer.tier or "B", BEHAVIOUR["B"])
    start = max(timezone.localdate(customer.admitted_at), _month_add(today.replace(day=1), -MONTHS + 1)).replace(day=5)
    if start < timezone.localdate(customer.admitted_at):
        start = _month_add(start, 1)
    terms = max(customer.payment_terms_days or 0, 30)
    base = max(customer.credit_limit, Decimal("100000")) * Decimal("0.35")
    lines = []
    invoice_date = start
    stops_from = _month_add(today.replace(day=5), -6)
    while invoice_date <= today:
        amount = (base * Decimal(str(rng.uniform(0.7, 1.3)))).quantize(Decimal("1"))
        due = invoice_date + datetime.timedelta(days=terms)
        late = rng.randint(fewest, most) if rng.random() < late_share else -rng.randint(0, 5)
        paid_on = due + datetime.timedelta(days=late)
        paid = amount
        if customer.name == STOPS_PAYING and invoice_date >= stops_from:
            paid_on, paid = None, Decimal(0)
            if invoice_date == stops_from:  # one small payment, then nothing
                paid_on, paid = due + datetime.timedelta(days=10), (amount * Decimal("0.2")).quantize(Decimal("1"))
        if paid_on is not None and paid_on > today:
            paid_on, paid = None, Decimal(0)
        number = f"DEMO-{customer.credit_code[-8:]}-{invoice_date:%Y%m}"
        lines.append(",".join([
            customer.credit_code, number, invoice_date.isoformat(), due.isoformat(), str(amount), "CNY",
            paid_on.isoformat() if paid_on else "", str(paid) if paid_on else "",
        ]))
        invoice_date = _month_add(invoice_date, 1)
    return lines


def seed_outcomes(stdout: TextIO) -> None:
    today = timezone.localdate()
    # The current book; offboarded customers (analysis' earlier book among them) have their own history.
    customers = list(Customer.objects.exclude(status=CustomerStatus.OFFBOARDED).order_by("pk"))
    lines = [line for customer in customers for line in invoice_lines(customer, today)]
    if not lines:
        stdout.write("  outcomes: no admitted customers, no receivables seeded\n")
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "demo-receivables.csv"
        path.write_text(",".join(HEADER) + "\n" + "\n".join(lines) + "\n", encoding="utf-8")
        result = receivables_import(path, today=today)
    stdout.write(f"  receivables: {result.rows} invoices ({result.created} new, {result.updated} updated) "
                 f"for {result.customers} customers\n")
