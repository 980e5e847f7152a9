"""The receivables indicators: invoices past due and exposure above the credit limit.

Outcomes sits below monitoring, so monitoring reads its selectors; ``outcomes_computed``
(after an import, a write-off or the daily recomputation) queues ``check_receivables``.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from monitoring.enums import MONITORED_STATUSES, Indicator
from monitoring.indicators import over_limit_firing, past_due_firing
from monitoring.services import alerts_raise, indicator_rules
from onboarding.models import Customer
from outcomes.selectors import exposures_over_limit, past_due_invoices

BATCH = 5000


def receivables_check(*, customer_ids: list[int] | None = None, today: date | None = None) -> int:
    """Raise (or refresh) the receivables alerts of monitored customers. Returns how many opened."""
    today = today or timezone.localdate()
    rules = indicator_rules()
    firings = []
    past_due = rules.get(Indicator.INVOICE_PAST_DUE)
    if past_due is not None:
        late = past_due_invoices(days=int(past_due.limit(30)), today=today, customer_ids=customer_ids)
        firings.extend(
            found for customer_id, invoices in late.items()
            if (found := past_due_firing(rules, customer_id=customer_id, invoices=invoices, today=today))
        )
    over = rules.get(Indicator.OVER_LIMIT)
    if over is not None:
        firings.extend(
            found for customer_id, exposure, limit in exposures_over_limit(percent=over.limit(100),
                                                                          customer_ids=customer_ids)
            if (found := over_limit_firing(rules, customer_id=customer_id, exposure=exposure, credit_limit=limit))
        )
    if not firings:
        return 0
    monitored = set(Customer.objects.filter(pk__in={f.customer_id for f in firings}, status__in=MONITORED_STATUSES)
                    .values_list("pk", flat=True))
    firings = [f for f in firings if f.customer_id in monitored]
    opened = 0
    for start in range(0, len(firings), BATCH):
        with transaction.atomic():
            opened += alerts_raise(firings[start:start + BATCH], now=timezone.now())
    return opened
