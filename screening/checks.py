"""Screening's guard on leaving background check, registered at start-up (onboarding.guards)."""

from __future__ import annotations

from onboarding import guards, participation
from onboarding.models import Application
from onboarding.participation import Stage
from screening import selectors
from screening.models import Evaluation, Interview, SiteVisit, SiteVisitPhoto, ThirdPartyReport


def background_check_complete(application: Application) -> list[str]:
    """A current evaluation and every required investigation record (watchlists checks its hits)."""
    return selectors.background_check_blockers(application)


def _wrote_investigation_records(user_id: int, ids: list[int]) -> set[int]:
    """Segregation of duties: where ``user_id`` wrote an investigation record, added a photo or evaluated again."""
    found: set[int] = set()
    for model in (Interview, SiteVisit, ThirdPartyReport):
        found |= set(model.objects.filter(application_id__in=ids, recorded_by_id=user_id)
                     .values_list("application_id", flat=True))
    found |= set(SiteVisitPhoto.objects.filter(site_visit__application_id__in=ids, uploaded_by_id=user_id)
                 .values_list("site_visit__application_id", flat=True))
    found |= set(Evaluation.objects.filter(application_id__in=ids, created_by_id=user_id)
                 .values_list("application_id", flat=True))
    return found


def register() -> None:
    guards.register("pass_background_check", background_check_complete)
    participation.register(Stage.INVESTIGATION, "investigated", _wrote_investigation_records)
