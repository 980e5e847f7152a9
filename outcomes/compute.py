"""How a customer paid, from its invoices: a pure function (no database, no clock).

Rules (docs/decisions.md, "Outcomes from receivables"):

- An invoice is paid when ``paid_amount >= amount``; its clock stops on ``paid_date``. A
  partial payment does not stop the clock: the rest is still past due.
- Days past due (DPD) of an invoice on day *d*: ``d - due_date`` while it is unpaid on *d*
  (never below 0). A paid invoice's DPD is frozen at ``paid_date - due_date``; paid early
  or on time is 0.
- An invoice reaches 30+ (60+, 90+) on ``due_date + 30`` (60, 90) if its DPD ever got there;
  the customer first reached a bucket on the earliest such date over its invoices.
- A month's outcome is the bucket of the worst DPD reached that month on any invoice open at
  some point of the month (the current month: up to today). From the month of a write-off on,
  the outcome is "written off".
- Exposure is what is unpaid (amount − paid amount of invoices not paid in full).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache

from outcomes.enums import BUCKETS, OutcomeStatus, bucket

WINDOW_DAYS = 365  # "the last 12 months"


class Bill:
    """One invoice. ``paid`` and ``stops`` are worked out once: the month loop asks for them often."""

    __slots__ = ("invoice_no", "invoice_date", "due_date", "amount", "paid_date", "paid_amount", "paid", "stops")

    def __init__(self, invoice_no: str, invoice_date: date, due_date: date, amount: Decimal, paid_date: date | None,
                 paid_amount: Decimal) -> None:
        self.invoice_no = invoice_no
        self.invoice_date = invoice_date
        self.due_date = due_date
        self.amount = amount
        self.paid_date = paid_date
        self.paid_amount = paid_amount
        self.paid = paid_date is not None and paid_amount >= amount
        # The day the clock stops (paid in full), or None while anything is owed.
        self.stops = paid_date if self.paid else None

    def dpd_on(self, day: date) -> int:
        stop = self.stops
        end = day if stop is None or stop > day else stop
        return max(0, (end - self.due_date).days)

    def outstanding_on(self, day: date) -> Decimal:
        if self.invoice_date > day or (self.paid and self.paid_date <= day):
            return Decimal(0)
        paid = self.paid_amount if self.paid_date is not None and self.paid_date <= day else Decimal(0)
        return max(self.amount - paid, Decimal(0))


@dataclass(frozen=True, slots=True)
class Month:
    month: date
    status: str
    worst_dpd: int
    exposure: Decimal


@dataclass(slots=True)
class Outcome:
    as_of: date
    status: str
    exposure: Decimal
    overdue_amount: Decimal
    open_invoices: int
    max_dpd_now: int
    worst_dpd_12m: int
    first_reached: dict[str, date | None]
    written_off_on: date | None
    months: list[Month] = field(default_factory=list)
    dpd: dict[str, int] = field(default_factory=dict)  # per invoice number, on ``as_of``


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


@lru_cache(maxsize=512)
def _month_spans(first: date, today: date) -> tuple[tuple[date, date], ...]:
    """(first day, last day counted) of each month from ``first`` to today's month (the last one ends today)."""
    spans = []
    current = first
    while current <= today:
        spans.append((current, min(next_month(current) - timedelta(days=1), today)))
        current = next_month(current)
    return tuple(spans)


def customer_outcome(bills: list[Bill], *, today: date, written_off_on: date | None = None) -> Outcome:
    """The customer's outcome on ``today`` and per month, from the month of its first invoice."""
    open_bills = [b for b in bills if not b.paid]
    dpd = {b.invoice_no: b.dpd_on(today) for b in bills}
    first_reached: dict[str, date | None] = {}
    for status, days in BUCKETS:
        reached = [b.due_date + timedelta(days=days) for b in bills if dpd[b.invoice_no] >= days]
        first_reached[status] = min(reached) if reached else None
    window_start = today - timedelta(days=WINDOW_DAYS)
    worst_12m = max(
        (dpd[b.invoice_no] for b in bills if b.stops is None or b.stops >= window_start), default=0
    )
    months: list[Month] = []
    if bills:
        first_month = month_start(min(b.invoice_date for b in bills))
        write_off_month = month_start(written_off_on) if written_off_on else None
        # Only the invoices open at some point of a month count for it: walk them in invoice order and
        # drop those paid before the month began (months only move forward), instead of every invoice
        # every month. An invoice owing something at month end is among them, so the exposure is the same.
        ordered = sorted(bills, key=lambda b: b.invoice_date)
        active: list[Bill] = []
        following = 0
        for current, end in _month_spans(first_month, today):
            while following < len(ordered) and ordered[following].invoice_date <= end:
                active.append(ordered[following])
                following += 1
            active = [b for b in active if b.stops is None or b.stops >= current]
            worst = max((b.dpd_on(end) for b in active), default=0)
            status = OutcomeStatus.WRITTEN_OFF if write_off_month and current >= write_off_month else bucket(worst)
            months.append(Month(current, status, worst, sum((b.outstanding_on(end) for b in active), Decimal(0))))
    if written_off_on is not None:
        status = OutcomeStatus.WRITTEN_OFF
    elif months:
        status = months[-1].status
    else:
        status = OutcomeStatus.PERFORMING
    return Outcome(
        as_of=today,
        status=status,
        exposure=sum((b.outstanding_on(today) for b in open_bills), Decimal(0)),
        overdue_amount=sum((b.outstanding_on(today) for b in open_bills if b.due_date < today), Decimal(0)),
        open_invoices=len(open_bills),
        max_dpd_now=max((dpd[b.invoice_no] for b in open_bills), default=0),
        worst_dpd_12m=worst_12m,
        first_reached=first_reached,
        written_off_on=written_off_on,
        months=months,
        dpd=dpd,
    )
