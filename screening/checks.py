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


def _wrote_investigation_records(user_id: int, ids: list[int]) -> list[participation.Query]:
    """Segregation of duties: where ``user_id`` wrote an investigation record, added a photo or evaluated again.

    The queries, not their answers: ``participation.prime`` sends them with the other stages' as one query.
    """
    return [
        *((model.objects.filter(application_id__in=ids, recorded_by_id=user_id), "application_id")
          for model in (Interview, SiteVisit, ThirdPartyReport)),
        (SiteVisitPhoto.objects.filter(site_visit__application_id__in=ids, uploaded_by_id=user_id),
         "site_visit__application_id"),
        (Evaluation.objects.filter(application_id__in=ids, created_by_id=user_id), "application_id"),
    ]


def register() -> None:
    guards.register("pass_background_check", background_check_complete)
    participation.register(Stage.INVESTIGATION, "investigated", _wrote_investigation_records)
