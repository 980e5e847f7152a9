"""Writes for the committee: opening and closing rounds, casting votes, applying the decision,
editing policies, and fulfilling the conditions of an admission.

Lock order, everywhere: the application row first, then its round. ``application_transition``
locks the application and then its receivers (``approvals.receivers``) touch the round, so
``vote_cast`` takes the same order; the opposite order would let a vote and a withdrawal
deadlock each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import gates
from accounts.messages import Message, choice, encode, joined, message, register, register_choices
from accounts.models import User
from accounts.services import notify
from approvals import permissions as perms
from approvals import rules, selectors
from approvals.enums import DEPARTMENT_ROLES, CustomerAction, Decision, Department, Outcome
from approvals.models import CommitteePolicy, Round, Vote, VoteCondition
from approvals.signals import policy_changed
from onboarding import services as onboarding_services
from onboarding.enums import ApplicationKind, CustomerStatus, PaymentTerms, State
from onboarding.messages import application_name
from onboarding.models import Application, CustomerCondition
from onboarding.selectors import next_review_date

REASON_MAX_LENGTH = Vote._meta.get_field("reason").max_length

# Stored messages (accounts.messages), read in the reader's language.
register_choices("approvals.department", Department)
register_choices("approvals.decision", Decision)
register("approvals.round_opened", gettext_lazy("{reference} {name} awaits your committee vote (tier {tier}, round {number})"))
register("approvals.vote", gettext_lazy("{department} ({decision})"))
register("approvals.vote_with_reason", gettext_lazy("{department} ({decision}): {reason}"))
register("approvals.votes", gettext_lazy("{votes}"))
register("approvals.condition_fulfilled", gettext_lazy("Condition fulfilled"))
register("approvals.rejected_by_committee", gettext_lazy("{reference} rejected by the committee"))


class VoteRefused(Exception):
    """A vote that may not or cannot be cast now; ``messages`` say why, for the user."""

    def __init__(self, *messages: str) -> None:
        super().__init__(" ".join(str(m) for m in messages))
        self.messages = [str(m) for m in messages]


# --- Rounds ---

def approvers_to_notify(application: Application, departments: Sequence[str]) -> list[User]:
    """Active approvers of ``departments``, except anyone segregation of duties keeps from voting."""
    roles = [str(DEPARTMENT_ROLES[d]) for d in departments]
    candidates = User.objects.filter(is_active=True, groups__name__in=roles).distinct().order_by("pk")
    return [user for user in candidates if perms.conflict_of_interest(application, user) is None]


def round_open(*, application: Application) -> Round:
    """Open the next committee round of an application that has just entered committee review.

    Called by the ``state_changed`` receiver inside the transition's transaction (the
    application row is locked). Side effects: a ``Round`` with a snapshot of the policy of
    the application's tier (latest evaluation; none → tier D), and a notification to every
    approver of the required departments who may vote (e-mail after commit).
    """
    leftover = Round.objects.select_for_update().filter(application=application, closed_at__isnull=True).first()
    if leftover is not None:  # never expected: leaving committee review closes the round
        _close(leftover, Outcome.CLOSED)
    tier, evaluated = selectors.committee_tier(application)
    policy = selectors.policy_for_tier(tier)
    last = Round.objects.filter(application=application).order_by("-number").values_list("number", flat=True).first()
    round = Round.objects.create(
        application=application, number=(last or 0) + 1, policy=policy.snapshot(tier=tier, evaluated=evaluated)
    )
    notify(
        recipients=approvers_to_notify(application, round.departments),
        verb=message(
            "approvals.round_opened", reference=application.reference, name=application_name(application),
            tier=tier, number=round.number,
        ),
        url=reverse("approvals:review", args=[application.pk]),
    )
    return round


def round_close_without_decision(*, application: Application, transition: str) -> Round | None:
    """Close the open round of an application that left committee review other than by the vote.

    Withdrawn by its sales owner → ``withdrawn``; anything else (a direct call of the onboarding
    transition) → ``closed``. A round the vote decided is already closed and left alone.
    """
    round = Round.objects.select_for_update().filter(application=application, closed_at__isnull=True).first()
    if round is None:
        return None
    _close(round, Outcome.WITHDRAWN if transition == "withdraw" else Outcome.CLOSED)
    return round


def _close(round: Round, outcome: Outcome) -> None:
    round.outcome = outcome
    round.closed_at = timezone.now()
    round.save(update_fields=["outcome", "closed_at"])


# --- Votes ---

def _check_vote_content(
    *, application: Application, decision: str, reason: str, credit_limit: Decimal | None,
    payment_terms_days: int | None, customer_action: str, conditions: Sequence[tuple[str, date]],
) -> list[str]:
    problems: list[str] = []
    if decision not in Decision.values:
        return [_("Unknown decision.")]
    if decision != Decision.APPROVE and not reason:
        problems.append(_("Please give a reason (required for every decision but a plain approval)."))
    if len(reason) > REASON_MAX_LENGTH:
        problems.append(_("The reason is too long (at most %(count)s characters).") % {"count": REASON_MAX_LENGTH})
    conditional = decision == Decision.APPROVE_WITH_CONDITIONS
    if conditional:
        if credit_limit is None or payment_terms_days is None:
            problems.append(_("An approval with conditions sets the credit limit and the payment terms."))
        if credit_limit is not None and credit_limit < 0:
            problems.append(_("The credit limit cannot be negative."))
        requested = application.requested_credit_limit
        if credit_limit is not None and requested is not None and credit_limit > requested:
            problems.append(
                _("The credit limit cannot exceed the requested %(amount)s CNY.") % {"amount": f"{requested:,.0f}"}
            )
        if payment_terms_days is not None and payment_terms_days not in PaymentTerms.values:
            problems.append(_("Unknown payment terms."))
        requested_terms = application.requested_payment_terms
        if payment_terms_days is not None and requested_terms is not None and payment_terms_days > requested_terms:
            problems.append(
                _("The payment terms cannot be longer than the requested %(terms)s.")
                % {"terms": PaymentTerms(requested_terms).label}
            )
        today = timezone.localdate()
        for text, due in conditions:
            if not text.strip():
                problems.append(_("Every condition needs a text."))
            elif due is None or due < today:
                problems.append(_("The due date of “%(text)s” must be today or later.") % {"text": text.strip()})
    elif credit_limit is not None or payment_terms_days is not None or conditions:
        problems.append(_("Only an approval with conditions sets a credit limit, payment terms or conditions."))
    if application.kind == ApplicationKind.REVIEW and decision == Decision.REJECT:
        if customer_action not in CustomerAction.values:
            problems.append(_("Say whether the customer is to be suspended or offboarded if the committee rejects."))
    elif customer_action:
        problems.append(_("Only a rejection of a re-review says what happens to the customer."))
    return problems


def vote_cast(
    *,
    application_id: int,
    voter: User,
    department: str,
    decision: str,
    reason: str = "",
    credit_limit: Decimal | None = None,
    payment_terms_days: int | None = None,
    customer_action: str = "",
    conditions: Sequence[tuple[str, date]] = (),
    round_id: int | None = None,
) -> Vote:
    """Record one department's vote and, if that settles the round, apply the decision.

    The vote goes to the open round of ``application_id`` — the application the voter is
    looking at — and to no other: a round is never taken from what a form sends. ``round_id``
    is the round the voter saw; if that is no longer the open one, nothing is recorded.

    In one transaction, under row locks of the application and then the round: refuses a
    round already decided, a department the round does not require, a voter without the
    department's role, anyone segregation of duties keeps from voting (judged from
    the record: ``onboarding.participation``), a second vote of the department, a second
    vote of the person; checks the content (reason unless a plain approval; terms for a
    conditional approval, not above the request; conditions due today or later; for a rejected
    re-review, suspend or offboard). Writes the ``Vote`` and its ``VoteCondition`` rows, then
    runs ``rules.decide`` on the round's policy snapshot.

    When the rule settles the round (``_apply_outcome``): the round is closed with its outcome,
    and the onboarding transition runs as the system — ``approve`` (then ``customer_admit``),
    ``committee_reject`` (a re-review also suspends or offboards the customer) or
    ``return_for_information`` with the questions as the reason. The onboarding receiver tells
    the sales owner. The row locks and the closed round make this happen once, even when the
    last two votes arrive together: the second waits for the first, then finds the round decided.

    Raises ``VoteRefused`` with messages for the user; nothing is written then.
    """
    reason = (reason or "").strip()
    conditions = [(text.strip(), due) for text, due in conditions]
    try:
        with transaction.atomic():
            try:
                application = Application.objects.select_for_update().get(pk=application_id)
            except Application.DoesNotExist:
                raise VoteRefused(_("This application does not exist.")) from None
            rounds = Round.objects.select_for_update().filter(application=application).order_by("-number")
            round = rounds.filter(closed_at__isnull=True).first() or rounds.first()
            if round is None:
                raise VoteRefused(_("There is no open committee round."))
            if round_id is not None and round.pk != round_id:
                raise VoteRefused(_("The committee round you saw is no longer the open one: your vote was not "
                                    "recorded. Please read the application again."))
            round.application = application
            votes = list(round.votes.prefetch_related("conditions"))
            problems = perms.vote_refusals(round, voter, department, votes)
            if problems:
                raise VoteRefused(*problems)
            problems = gates.refusals(voter, action="vote", role=DEPARTMENT_ROLES[department])
            if problems:
                raise VoteRefused(*problems)
            problems = _check_vote_content(
                application=application, decision=decision, reason=reason, credit_limit=credit_limit,
                payment_terms_days=payment_terms_days, customer_action=customer_action, conditions=conditions,
            )
            if problems:
                raise VoteRefused(*problems)
            vote = Vote.objects.create(
                round=round, department=department, voter=voter, decision=decision, reason=reason,
                credit_limit=credit_limit, payment_terms_days=payment_terms_days, customer_action=customer_action,
            )
            VoteCondition.objects.bulk_create(VoteCondition(vote=vote, text=t, due_date=d) for t, d in conditions)
            votes = list(round.votes.select_related("voter").prefetch_related("conditions"))
            outcome = rules.decide(round.policy, {v.department: v.decision for v in votes})
            if outcome is not None:
                _apply_outcome(round, outcome, votes)
    except IntegrityError:
        # The constraints back up the checks above; reaching them means a race the locks missed.
        raise VoteRefused(_("Someone has just voted for this department. Nothing was recorded.")) from None
    return vote


def _summary(votes: Sequence[Vote], decisions: set[str], *, with_reasons: bool) -> Message:
    """The transition's reason: "Legal (Reject): reason; Finance (Reject): reason", as a message.

    Departments and decisions are stored as codes (read in the reader's language), the voters'
    reasons as they wrote them, shortened.
    """
    parts = []
    for vote in votes:
        if vote.decision in decisions:
            params = {
                "department": choice("approvals.department", vote.department),
                "decision": choice("approvals.decision", vote.decision),
            }
            if with_reasons and vote.reason:
                parts.append(message("approvals.vote_with_reason", reason=Truncator(" ".join(vote.reason.split()))
                                     .chars(SUMMARY_REASON_CHARS), **params))
            else:
                parts.append(message("approvals.vote", **params))
    return message("approvals.votes", votes=joined(parts))


SUMMARY_REASON_CHARS = 300


def _apply_outcome(round: Round, outcome: Outcome, votes: Sequence[Vote]) -> None:
    """Close the round and take the onboarding transition it calls for (same transaction)."""
    _close(round, outcome)
    application = round.application
    transition = {
        Outcome.APPROVED: "approve",
        Outcome.REJECTED: "committee_reject",
        Outcome.INFORMATION_REQUESTED: "return_for_information",
    }[outcome]
    decisive = {
        Outcome.APPROVED: {Decision.APPROVE, Decision.APPROVE_WITH_CONDITIONS},
        Outcome.REJECTED: {Decision.REJECT},
        Outcome.INFORMATION_REQUESTED: {Decision.REQUEST_INFORMATION},
    }[outcome]
    # An approval's reasons stay on the votes; a rejection or a return carries them to the sales owner.
    reason = _summary(votes, decisive, with_reasons=outcome != Outcome.APPROVED)
    try:
        onboarding_services.application_transition(
            application_id=application.pk, transition=transition, actor=None, reason=reason,
            expected_state=State.COMMITTEE_REVIEW, as_system=True,
        )
    except onboarding_services.TransitionRefused as refused:
        raise VoteRefused(*refused.messages) from None
    application = Application.objects.select_related("customer").get(pk=application.pk)
    if outcome == Outcome.APPROVED:
        conditional = [v for v in votes if v.decision == Decision.APPROVE_WITH_CONDITIONS]
        limit, terms = rules.admission_terms(
            requested_limit=application.requested_credit_limit,
            requested_terms=application.requested_payment_terms,
            conditional=[(v.credit_limit, v.payment_terms_days) for v in conditional],
        )
        onboarding_services.customer_admit(
            application=application, tier=round.tier, credit_limit=limit, payment_terms_days=terms,
            next_review_date=next_review_date(round.tier),
            conditions=[(c.text, c.due_date) for v in conditional for c in v.conditions.all()],
        )
    elif outcome == Outcome.REJECTED and application.kind == ApplicationKind.REVIEW and application.customer:
        actions = {v.customer_action for v in votes if v.decision == Decision.REJECT}
        status = CustomerStatus.OFFBOARDED if CustomerAction.OFFBOARD in actions else CustomerStatus.SUSPENDED
        onboarding_services.customer_set_status(
            customer=application.customer, status=status,
            reason=message("approvals.rejected_by_committee", reference=application.reference),
        )


# --- Policies ---

@transaction.atomic
def committee_policy_save(
    *, tier: str, departments: Sequence[str], rule: str, veto_departments: Sequence[str], warning: bool, actor: User,
    veto_silence_consents: bool = False,
) -> CommitteePolicy:
    """Set the policy of a tier (a history row is written). Rounds already open keep their snapshot."""
    if not perms.can_manage_policies(actor):
        raise PermissionDenied(_("Only risk managers can change the committee policy."))
    policy = CommitteePolicy.objects.select_for_update().filter(tier=tier).first() or selectors.policy_for_tier(tier)
    order = Department.values
    old = {field: getattr(policy, field) for field in POLICY_FIELDS}
    policy.departments = sorted(set(departments), key=order.index)
    policy.veto_departments = sorted(set(veto_departments), key=order.index)
    policy.rule = rule
    policy.veto_silence_consents = veto_silence_consents
    policy.warning = warning
    policy.updated_by = actor
    policy.updated_at = timezone.now()
    policy.full_clean()
    policy._history_user = actor
    policy.save()
    new = {field: getattr(policy, field) for field in POLICY_FIELDS}
    if new != old:
        policy_changed.send(sender=CommitteePolicy, tier=tier, old=old, new=new, actor=actor)
    return policy


POLICY_FIELDS = ("departments", "rule", "veto_departments", "veto_silence_consents", "warning")


# --- Conditions of admitted customers ---

def condition_fulfil(*, condition_id: int, actor: User) -> CustomerCondition:
    """Mark a customer's condition fulfilled (once; a history row names who did it)."""
    if not perms.can_fulfil_conditions(actor):
        raise PermissionDenied(_("Only risk managers can mark a condition fulfilled."))
    with transaction.atomic():
        condition = CustomerCondition.objects.select_for_update().get(pk=condition_id)
        if condition.fulfilled_at is not None:
            raise ValidationError(_("This condition was already marked fulfilled."))
        condition.fulfilled_at = timezone.now()
        condition._history_user = actor
        condition._change_reason = encode(message("approvals.condition_fulfilled"))
        condition.save(update_fields=["fulfilled_at"])
    return condition
