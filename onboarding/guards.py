"""What must hold before a transition, with a message for each thing that does not.

Onboarding registers its own checks (onboarding.checks); later stages register theirs
from their apps' ``ready()`` (screening for leaving background check, approvals for the
committee decision), so that the guard holds whoever calls the transition and
onboarding never imports upward.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from onboarding.models import Application

Check = Callable[["Application"], list[str]]
_checks: dict[str, list[Check]] = defaultdict(list)


def register(transition: str, check: Check) -> None:
    if check not in _checks[transition]:
        _checks[transition].append(check)


def blockers(application: Application, transition: str) -> list[str]:
    """Human-readable reasons why ``transition`` cannot be taken now (empty when it can)."""
    found: list[str] = []
    for check in _checks.get(transition, ()):
        found.extend(str(message) for message in check(application))
    return found


def condition(transition: str) -> Callable[[Application], bool]:
    def no_blockers(application: Application) -> bool:
        return not blockers(application, transition)

    no_blockers.__name__ = f"no_blockers_{transition}"
    return no_blockers
