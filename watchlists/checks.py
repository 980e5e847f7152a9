"""The watchlists' part of the guard out of background check (see onboarding.guards)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from onboarding import guards, participation
from onboarding.models import Application
from onboarding.participation import Stage
from watchlists import selectors
from watchlists.models import ScreeningHit


def hits_dispositioned(application: Application) -> list[str]:
    """Screening has finished since the application entered background check, and every hit
    has been dispositioned. (No hits must mean "screened, nothing found", never "not yet".)"""
    if not selectors.screened_since(application_id=application.pk, since=application.state_entered_at):
        return [_("Watchlist screening has not finished yet; try again in a moment.")]
    pending = selectors.undispositioned_hits(application.pk)
    if pending:
        return [
            ngettext(
                "%(count)d watchlist hit is waiting for a disposition (false positive or true match).",
                "%(count)d watchlist hits are waiting for a disposition (false positive or true match).",
                pending,
            )
            % {"count": pending}
        ]
    return []


def _dispositioned_hits(user_id: int, ids: list[int]) -> set[int]:
    """Segregation of duties: the applications on which ``user_id`` dispositioned a watchlist hit."""
    return set(ScreeningHit.objects.filter(application_id__in=ids, dispositioned_by_id=user_id)
               .values_list("application_id", flat=True))


def register() -> None:
    guards.register("pass_background_check", hits_dispositioned)
    participation.register(Stage.INVESTIGATION, "dispositioned_hit", _dispositioned_hits)
