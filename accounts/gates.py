"""Checks on a person before they take a role's action, registered by higher apps.

The lower apps call ``refusals`` at each gated action (a transition, a document review, a hit's
disposition, an investigation record, a vote, publishing a scorecard) with the action's code
and the role the person acts in; each registered gate answers with messages for the user
(empty when it has nothing against the action). The ``training`` app registers the required
training and briefing acknowledgements here from its ``ready()``, so no lower app imports it.
A message may be a ``SafeString`` (a link to the course to take): callers show it as it is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from accounts.models import User

Gate = Callable[["User", str, str], list[str]]
_gates: list[Gate] = []

# The gated actions, by code: the role's actions of DESIGN.md that change a record.
ACTIONS = (
    "submit", "resubmit", "document_review", "pass_documents", "return_for_information", "reject",
    "investigation_record", "hit_disposition", "pass_background_check", "vote", "scorecard_publish",
)


def register(gate: Gate) -> None:
    if gate not in _gates:
        _gates.append(gate)


def unregister(gate: Gate) -> None:
    if gate in _gates:
        _gates.remove(gate)


def refusals(user: User | None, *, action: str, role: str) -> list[str]:
    """Why ``user`` may not take ``action`` in ``role`` now, by the registered gates (empty: they may)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    found: list[str] = []
    for gate in _gates:
        found.extend(gate(user, action, role))
    return found
