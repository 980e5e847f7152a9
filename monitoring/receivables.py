"""The receivables indicators: invoices past due and exposure above the credit limit.

Outcomes sits below monitoring, so monitoring reads its selectors; ``outcomes_computed``
(after an import, a write-off or the daily recomputation) queues ``check_receivables``.
Each check is recorded as a ``JobRun`` (kind "receivables_check") like the other monitoring
jobs: customers checked, alerts raised (linked to the run), errors; it shows on the runs page.
"""

from __future__ import annotations

import logging
from datetime import date

from django.db import transaction
from django.utils import timezone

from monitoring.enums import MONITORED_STATUSES, Indicator, JobKind, Scope, Trigger
from monitoring.indicators import over_limit_firing, past_due_firing
from monitoring.models import JobRun
from monitoring.services import alerts_raise, indicator_rules
from onboarding.models import Customer
from outcomes.selectors import exposures_over_limit, past_due_invoices

BATCH = 5000
logger = logging.getLogger(__name__)


def receivables_check(*, customer_ids: list[int] | None = None, today: date | None = None,
                      trigger: str = Trigger.IMPORT) -> int:
    """Raise (or refresh) the receivables alerts of monitored customers, recorded as a job run.

    ``customer_ids`` None checks everyone (one run at a time: a second full check while one
    runs does nothing); a list is a run of scope "customer" (several may run at once), with
    the customer named when there is one. Returns how many alerts opened.
    """
    from monitoring.runs import _finish_simple, _simple_run

    today = today or timezone.localdate()
    ids = None if customer_ids is None else sorted(set(customer_ids))
    fields = {} if ids is None else {"scope": Scope.CUSTOMER, "customer_id": ids[0] if len(ids) == 1 else None,
                                     "customers": len(ids)}
    if ids is None:
        run = _simple_run(JobKind.RECEIVABLES_CHECK, trigger)
    else:
        run = JobRun.objects.create(kind=JobKind.RECEIVABLES_CHECK, trigger=trigger, chunks=0, **fields)
    if run is None:
        return 0
    checked = opened = 0
    try:
        checked, opened = _check(ids, today, run.pk)
    except Exception as error:
        logger.exception("The receivables check failed")
        _finish_simple(run, evaluated=checked, alerts=opened, errors=1, messages=[str(error)])
        raise
    _finish_simple(run, evaluated=checked, alerts=opened)
    return opened


def _check(customer_ids: list[int] | None, today: date, run_id: int) -> tuple[int, int]:
    """(customers with a receivables figure checked, alerts opened)."""
    rules = indicator_rules()
    firings = []
    checked: set[int] = set()
    past_due = rules.get(Indicator.INVOICE_PAST_DUE)
    if past_due is not None:
        late = past_due_invoices(days=int(past_due.limit(30)), today=today, customer_ids=customer_ids)
        checked.update(late)
        firings.extend(
            found for customer_id, invoices in late.items()
            if (found := past_due_firing(rules, customer_id=customer_id, invoices=invoices, today=today))
        )
    over = rules.get(Indicator.OVER_LIMIT)
    if over is not None:
        for customer_id, exposure, limit in exposures_over_limit(percent=over.limit(100), customer_ids=customer_ids):
            checked.add(customer_id)
            if found := over_limit_firing(rules, customer_id=customer_id, exposure=exposure, credit_limit=limit):
                firings.append(found)
    if customer_ids is not None:
        checked = set(customer_ids)
    if not firings:
        return len(checked), 0
    monitored = set(Customer.objects.filter(pk__in={f.customer_id for f in firings}, status__in=MONITORED_STATUSES)
                    .values_list("pk", flat=True))
    firings = [f for f in firings if f.customer_id in monitored]
    opened = 0
    for start in range(0, len(firings), BATCH):
        with transaction.atomic():
            opened += alerts_raise(firings[start:start + BATCH], now=timezone.now(), run_id=run_id)
    return len(checked), opened
