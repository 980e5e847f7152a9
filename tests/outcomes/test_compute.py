"""Days past due and outcomes from hand-written invoice histories (outcomes.compute, no database)."""

from datetime import date
from decimal import Decimal

from outcomes.compute import Bill, customer_outcome

TODAY = date(2026, 6, 15)


def bill(no, invoiced, due, amount, paid_on=None, paid="0"):
    return Bill(no, invoiced, due, Decimal(amount), paid_on, Decimal(paid))


def _months(outcome):
    return [(m.month.isoformat()[:7], m.status, m.worst_dpd, m.exposure) for m in outcome.months]


def test_early_payment_partial_payment_and_late_payment():
    bills = [
        bill("INV-1", date(2026, 1, 1), date(2026, 1, 31), "1000", date(2026, 1, 20), "1000"),  # paid early
        bill("INV-2", date(2026, 2, 1), date(2026, 3, 3), "2000", date(2026, 5, 1), "500"),  # partial: clock runs
        bill("INV-3", date(2026, 3, 1), date(2026, 3, 31), "3000", date(2026, 5, 10), "3000"),  # 40 days late
        bill("INV-4", date(2026, 6, 1), date(2026, 7, 1), "4000"),  # not yet due
    ]
    outcome = customer_outcome(bills, today=TODAY)
    assert outcome.dpd == {"INV-1": 0, "INV-2": 104, "INV-3": 40, "INV-4": 0}
    assert outcome.first_reached == {"dpd90": date(2026, 6, 1), "dpd60": date(2026, 5, 2), "dpd30": date(2026, 4, 2)}
    assert (outcome.exposure, outcome.overdue_amount, outcome.open_invoices) == (Decimal("5500"), Decimal("1500"), 2)
    assert (outcome.max_dpd_now, outcome.worst_dpd_12m, outcome.status) == (104, 104, "dpd90")
    assert _months(outcome) == [
        ("2026-01", "performing", 0, Decimal("0")),
        ("2026-02", "performing", 0, Decimal("2000")),
        ("2026-03", "performing", 28, Decimal("5000")),
        ("2026-04", "dpd30", 58, Decimal("5000")),
        ("2026-05", "dpd60", 89, Decimal("1500")),
        ("2026-06", "dpd90", 104, Decimal("5500")),
    ]


def test_a_written_off_customer_is_written_off_from_that_month_on():
    bills = [bill("B-1", date(2025, 9, 1), date(2025, 10, 1), "10000")]
    outcome = customer_outcome(bills, today=TODAY, written_off_on=date(2026, 3, 15))
    assert outcome.dpd == {"B-1": 257}
    assert outcome.first_reached == {
        "dpd90": date(2025, 12, 30), "dpd60": date(2025, 11, 30), "dpd30": date(2025, 10, 31),
    }
    assert outcome.status == "written_off"
    assert outcome.exposure == Decimal("10000")
    assert [(m, s, d) for m, s, d, _e in _months(outcome)] == [
        ("2025-09", "performing", 0), ("2025-10", "dpd30", 30), ("2025-11", "dpd60", 60),
        ("2025-12", "dpd90", 91), ("2026-01", "dpd90", 122), ("2026-02", "dpd90", 150),
        ("2026-03", "written_off", 181), ("2026-04", "written_off", 211), ("2026-05", "written_off", 242),
        ("2026-06", "written_off", 257),
    ]


def test_paid_at_exactly_30_days_reaches_30_and_then_recovers():
    bills = [
        bill("C-0", date(2024, 1, 1), date(2024, 1, 31), "500", date(2024, 5, 30), "500"),  # 120 days, long ago
        bill("C-1", date(2026, 4, 1), date(2026, 5, 1), "800", date(2026, 5, 31), "800"),
        bill("C-2", date(2026, 5, 15), date(2026, 6, 14), "900", date(2026, 6, 14), "900"),  # on the due date
    ]
    outcome = customer_outcome(bills, today=TODAY)
    assert outcome.dpd == {"C-0": 120, "C-1": 30, "C-2": 0}
    assert outcome.first_reached == {"dpd90": date(2024, 4, 30), "dpd60": date(2024, 3, 31), "dpd30": date(2024, 3, 1)}
    # The 120 days of 2024 are outside the last 12 months; C-1's 30 days are inside.
    assert (outcome.worst_dpd_12m, outcome.max_dpd_now, outcome.exposure) == (30, 0, Decimal("0"))
    assert [(m, s) for m, s, _d, _e in _months(outcome)][-3:] == [
        ("2026-04", "performing"), ("2026-05", "dpd30"), ("2026-06", "performing"),
    ]
    assert outcome.status == "performing"
    assert len(outcome.months) == 30  # January 2024 to June 2026


def test_no_invoices_is_performing_with_nothing_owed():
    outcome = customer_outcome([], today=TODAY)
    assert (outcome.status, outcome.exposure, outcome.months, outcome.worst_dpd_12m) == ("performing", Decimal(0), [], 0)
