"""The committee's guard on leaving committee review, registered at start-up (onboarding.guards).

``approve``, ``committee_reject`` and the committee's ``return_for_information`` are taken by
the committee rule (``approvals.services``), which closes the round with its outcome first and
then calls the transition. The transition function checks this guard itself, so no caller —
not even one passing ``as_system`` — can take these steps unless the application's round has
settled them.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from approvals.enums import Outcome
from approvals.models import Round
from onboarding import guards
from onboarding.enums import State
from onboarding.models import Application

OUTCOME_OF_TRANSITION = {
    "approve": Outcome.APPROVED,
    "committee_reject": Outcome.REJECTED,
    "return_for_information": Outcome.INFORMATION_REQUESTED,
}


def settled_by_round(transition: str):
    outcome = OUTCOME_OF_TRANSITION[transition]

    def check(application: Application) -> list[str]:
        if application.state != State.COMMITTEE_REVIEW:
            return []  # a return from an earlier stage is the reviewer's or investigator's
        latest = (
            Round.objects.filter(application_id=application.pk).order_by("-number")
            .values("closed_at", "outcome").first()
        )
        if latest is None or latest["closed_at"] is None or latest["outcome"] != outcome:
            return [_("Only the committee's decision can take this action: no settled round of this application "
                      "calls for it.")]
        return []

    check.__name__ = f"settled_by_round_{transition}"
    return check


CHECKS = {transition: settled_by_round(transition) for transition in OUTCOME_OF_TRANSITION}


def register() -> None:
    for transition, check in CHECKS.items():
        guards.register(transition, check)
