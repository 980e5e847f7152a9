"""Reads other apps rely on (screening's knock-out, the background-check guard)."""

from __future__ import annotations

from django.db.models import Q

from watchlists.enums import Disposition
from watchlists.models import ScreeningHit


def has_true_match(*, application_id: int | None = None, customer_id: int | None = None) -> bool:
    """Whether a hit has been confirmed as a true match for the application or the customer.

    For a customer, hits found when screening any of its applications count too.
    """
    if application_id is None and customer_id is None:
        raise ValueError("Give application_id or customer_id.")
    party = Q()
    if application_id is not None:
        party |= Q(application_id=application_id)
    if customer_id is not None:
        party |= Q(customer_id=customer_id) | Q(application__customer_id=customer_id)
    return ScreeningHit.objects.filter(party, disposition=Disposition.TRUE_MATCH).exists()


def undispositioned_hits(application_id: int) -> int:
    """How many hits of the application still wait for an investigator's disposition."""
    return ScreeningHit.objects.filter(application_id=application_id, disposition=Disposition.PENDING).count()
