"""Who may see and do what in the committee and with customers. The one place these rules live."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from accounts.roles import APPROVER_ROLES, Role
from approvals.enums import DEPARTMENT_ROLES, Department, Outcome
from onboarding import participation
from onboarding import permissions as onboarding_perms
from onboarding.participation import Stage

if TYPE_CHECKING:
    from collections.abc import Iterable

    from accounts.models import User
    from approvals.models import Round, Vote
    from onboarding.models import Application, Customer


def _signed_in(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def departments_of(user: User) -> list[str]:
    """The departments ``user`` holds an approver role for, in the fixed department order."""
    if not _signed_in(user):
        return []
    return [department for department in Department.values if user.has_role(DEPARTMENT_ROLES[department])]


def is_approver(user: User) -> bool:
    return _signed_in(user) and user.has_role(*APPROVER_ROLES)


def can_manage_policies(user: User) -> bool:
    return _signed_in(user) and user.has_role(Role.RISK_MANAGER)


def can_view_committee(user: User) -> bool:
    """The committee pages (queue, review screens): approvers and risk managers (read only)."""
    return _signed_in(user) and user.has_role(*APPROVER_ROLES, Role.RISK_MANAGER)


def can_review(user: User, application: Application) -> bool:
    return can_view_committee(user) and onboarding_perms.can_view(user, application)


def conflict_of_interest(application: Application, user: User) -> str | None:
    """Why segregation of duties keeps ``user`` from voting on ``application``, or ``None``.

    Judged from the record (``onboarding.participation``): created it, reviewed any of its
    documents, took a document-review or background-check action, wrote any investigation
    record or evaluated it, dispositioned any of its watchlist hits.
    """
    return participation.conflict(application, user, Stage.COMMITTEE)


def vote_refusals(round: Round, user: User, department: str, votes: Iterable[Vote]) -> list[str]:
    """Why ``user`` may not vote for ``department`` in ``round`` now (empty when they may).

    ``votes`` are the round's votes so far; the service passes the ones it read under the
    round's row lock, so the answer cannot go stale before the vote is written.
    """
    if not _signed_in(user):
        return [_("Please sign in to vote.")]
    if not round.is_open:
        return [
            _("This round has already been decided (%(outcome)s): your vote was not recorded.")
            % {"outcome": Outcome(round.outcome).label}
        ]
    if department not in Department.values:
        return [_("Unknown department.")]
    label = Department(department).label
    problems: list[str] = []
    if department not in round.departments:
        problems.append(_("The %(department)s department does not vote in this round.") % {"department": label})
    if not user.has_role(DEPARTMENT_ROLES[department]):
        problems.append(_("Only a %(department)s approver can vote for that department.") % {"department": label})
    conflict = conflict_of_interest(round.application, user)
    if conflict:
        problems.append(conflict)
    for vote in votes:
        if vote.voter_id == user.pk:
            problems.append(
                _("You have already voted in this round (for %(department)s). Votes are final.")
                % {"department": vote.get_department_display()}
            )
        elif vote.department == department:
            problems.append(
                _("The %(department)s department has already voted in this round.") % {"department": label}
            )
    return problems


def departments_open_to(round: Round, user: User, votes: Iterable[Vote]) -> list[str]:
    """The departments ``user`` could vote for in ``round`` now (one vote per person per round)."""
    votes = list(votes)
    return [d for d in departments_of(user) if not vote_refusals(round, user, d, votes)]


def can_list_all_customers(user: User) -> bool:
    return _signed_in(user) and user.has_role(Role.RISK_MANAGER, *APPROVER_ROLES)


def can_list_customers(user: User) -> bool:
    """Risk managers and approvers see every customer; a sales person sees their own."""
    return can_list_all_customers(user) or (_signed_in(user) and user.has_role(Role.SALES))


def can_view_customer(user: User, customer: Customer) -> bool:
    if can_list_all_customers(user):
        return True
    return _signed_in(user) and user.has_role(Role.SALES) and customer.sales_owner_id == user.pk


def can_fulfil_conditions(user: User) -> bool:
    return _signed_in(user) and user.has_role(Role.RISK_MANAGER)
