"""Reactions to other apps' signals. Each queues its work after the transaction commits."""

from __future__ import annotations

import logging

from django.db import transaction

from onboarding.enums import State

logger = logging.getLogger(__name__)


def _queue(task, **kwargs) -> None:
    # The broker may be down: the database still holds what is needed (the reconciliation
    # of the next tick syncs the profile again; the next watchlist import or `manage.py
    # rescreen` re-screens).
    try:
        task.delay(**kwargs)
    except Exception:
        logger.exception("Could not queue %s %s", task.name, kwargs)


def application_state_changed(sender, application, change, **kwargs) -> None:
    """An approval (new customer or re-review): the evaluation becomes the customer's baseline."""
    if change.to_state != State.APPROVED:
        return
    application_id = application.pk

    def queue() -> None:
        from monitoring.tasks import sync_profile

        _queue(sync_profile, application_id=application_id)

    transaction.on_commit(queue)


def watchlist_imported(sender, **kwargs) -> None:
    """A list was (re-)imported: every monitored customer is screened against it."""
    def queue() -> None:
        from monitoring.tasks import rescreen

        _queue(rescreen)

    transaction.on_commit(queue)


def watchlist_changed(sender, customer_ids, new_hits, **kwargs) -> None:
    """A re-import touched some customers: those with new hits are re-evaluated at the next tick,
    which raises the watchlist alert (the same indicator as after a full re-screen)."""
    from monitoring.services import customers_make_due

    customers_make_due([customer_id for customer_id, count in (new_hits or {}).items() if count])


def hit_dispositioned(sender, hit, **kwargs) -> None:
    """A customer's hit confirmed or dismissed: re-evaluate the customer at the next tick."""
    if hit.customer_id is None:
        return
    from monitoring.services import customers_make_due

    customers_make_due([hit.customer_id])


# More customers than this in one signal: check them all (one set-based query) instead of
# sending a long list through the broker.
RECEIVABLES_IDS_LIMIT = 10000


def outcomes_computed(sender, customer_ids=None, **kwargs) -> None:
    """Receivables changed (import, write-off, daily recomputation): check their indicators after commit."""
    from config.celery import enqueue_on_commit
    from monitoring.tasks import check_receivables

    ids = None if customer_ids is None or len(customer_ids) > RECEIVABLES_IDS_LIMIT else list(customer_ids)
    enqueue_on_commit(check_receivables, customer_ids=ids)
