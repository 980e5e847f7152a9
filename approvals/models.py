"""Committee policy per tier, rounds of the committee, and the departments' votes.

A ``Round`` is opened when an application enters committee review and keeps a snapshot of
the policy in force at that moment, so that editing a policy never changes the rule of a
round already under way. Votes are written once by ``approvals.services.vote_cast`` and
never changed (a vote is final).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from approvals.enums import CustomerAction, Decision, Department, Outcome, Rule
from onboarding.enums import PaymentTerms, Tier


class CommitteePolicy(models.Model):
    """Who votes and how the votes count, for applications of one risk tier."""

    tier = models.CharField(_("risk tier"), max_length=1, choices=Tier.choices, unique=True)
    departments = models.JSONField(_("departments that vote"), default=list)
    rule = models.CharField(_("rule"), max_length=10, choices=Rule.choices, default=Rule.MAJORITY)
    veto_departments = models.JSONField(_("departments with a veto"), default=list, blank=True)
    veto_silence_consents = models.BooleanField(
        _("a veto department that has not voted consents"), default=False,
        help_text=_("Off: an approval waits until every department with a veto has voted. On: the majority "
                    "approves without waiting, and a veto department's silence counts as consent."),
    )
    warning = models.BooleanField(
        _("show a prominent warning"), default=False,
        help_text=_("Approvers see a warning on the review screen of applications of this tier."),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("updated by"),
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["tier"]
        verbose_name = _("committee policy")
        verbose_name_plural = _("committee policies")

    def __str__(self) -> str:
        return str(_("Committee policy for tier %(tier)s") % {"tier": self.tier})

    def clean(self) -> None:
        valid = set(Department.values)
        for value in (self.departments, self.veto_departments):
            if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
                raise ValidationError(_("Unknown department."))
        if not self.departments:
            raise ValidationError({"departments": _("At least one department must vote.")})
        if not set(self.departments) <= valid or not set(self.veto_departments) <= valid:
            raise ValidationError(_("Unknown department."))
        if not set(self.veto_departments) <= set(self.departments):
            raise ValidationError({"veto_departments": _("Only a department that votes can have a veto.")})

    @property
    def department_labels(self) -> list[str]:
        return [Department(d).label for d in self.departments]

    @property
    def veto_labels(self) -> list[str]:
        return [Department(d).label for d in self.veto_departments]

    def snapshot(self, *, tier: str, evaluated: bool) -> dict:
        """The rule as it stands now, for a round to keep (``Round.policy``)."""
        order = Department.values
        return {
            "tier": tier,
            "evaluated": evaluated,
            "departments": sorted(self.departments, key=order.index),
            "rule": self.rule,
            "veto": sorted(self.veto_departments, key=order.index),
            "silence_consents": self.veto_silence_consents,
            "warning": self.warning,
        }


class Round(models.Model):
    """One sitting of the committee on an application; a new one each time it enters committee review."""

    application = models.ForeignKey(
        "onboarding.Application", on_delete=models.CASCADE, related_name="committee_rounds",
        verbose_name=_("application"),
    )
    number = models.PositiveSmallIntegerField(_("round"))
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    # The policy in force when the round opened (CommitteePolicy.snapshot): the rule of this round.
    policy = models.JSONField(_("policy"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=25, choices=Outcome.choices, blank=True)

    class Meta:
        ordering = ["application", "number"]
        constraints = [
            models.UniqueConstraint(fields=["application", "number"], name="one_round_number_per_application"),
            models.UniqueConstraint(
                fields=["application"], condition=Q(closed_at__isnull=True), name="one_open_round_per_application"
            ),
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True, outcome="") | Q(closed_at__isnull=False) & ~Q(outcome=""),
                name="round_closed_with_outcome",
            ),
        ]
        verbose_name = _("committee round")
        verbose_name_plural = _("committee rounds")

    def __str__(self) -> str:
        return f"{self.application.reference} #{self.number}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def tier(self) -> str:
        return self.policy["tier"]

    @property
    def departments(self) -> list[str]:
        return list(self.policy["departments"])

    @property
    def department_labels(self) -> list[str]:
        return [Department(d).label for d in self.policy["departments"]]

    @property
    def veto_labels(self) -> list[str]:
        return [Department(d).label for d in self.policy.get("veto", ())]

    @property
    def waiting_for_veto(self) -> list[str]:
        """Veto departments an approval still waits for (empty when their silence consents)."""
        if self.policy.get("silence_consents") or not self.is_open:
            return []
        voted = {vote.department for vote in self.votes.all()}
        return [Department(d).label for d in self.policy.get("veto", ()) if d not in voted]

    @property
    def rule_label(self) -> str:
        return Rule(self.policy["rule"]).label

    @property
    def waiting_for(self) -> list[str]:
        """Labels of the required departments that have not voted (uses prefetched votes)."""
        voted = {vote.department for vote in self.votes.all()}
        return [Department(d).label for d in self.policy["departments"] if d not in voted]


class Vote(models.Model):
    """One department's vote in one round. Final once cast: written once, never updated."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="votes", verbose_name=_("round"))
    department = models.CharField(_("department"), max_length=10, choices=Department.choices)
    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="committee_votes", verbose_name=_("voter")
    )
    decision = models.CharField(_("decision"), max_length=25, choices=Decision.choices)
    reason = models.TextField(_("reason"), max_length=4000, blank=True)
    credit_limit = models.DecimalField(
        _("credit limit (CNY)"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    payment_terms_days = models.PositiveSmallIntegerField(
        _("payment terms"), choices=PaymentTerms.choices, null=True, blank=True
    )
    # Only for rejecting a re-review of an admitted customer.
    customer_action = models.CharField(
        _("customer if rejected"), max_length=10, choices=CustomerAction.choices, blank=True
    )
    created_at = models.DateTimeField(_("cast at"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["round", "department"], name="one_vote_per_department_per_round"),
            models.UniqueConstraint(fields=["round", "voter"], name="one_vote_per_person_per_round"),
            models.CheckConstraint(
                condition=Q(decision=Decision.APPROVE) | ~Q(reason=""), name="vote_reason_unless_approve"
            ),
            models.CheckConstraint(
                condition=~Q(decision=Decision.APPROVE_WITH_CONDITIONS)
                | Q(credit_limit__isnull=False, payment_terms_days__isnull=False),
                name="conditional_vote_has_terms",
            ),
        ]
        verbose_name = _("vote")
        verbose_name_plural = _("votes")

    def __str__(self) -> str:
        return f"{self.get_department_display()}: {self.get_decision_display()}"


class VoteCondition(models.Model):
    """A condition a conditional approval sets; carried to the customer if the round approves."""

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="conditions", verbose_name=_("vote"))
    text = models.CharField(_("condition"), max_length=500)
    due_date = models.DateField(_("due date"))

    class Meta:
        ordering = ["due_date", "pk"]
        verbose_name = _("vote condition")
        verbose_name_plural = _("vote conditions")

    def __str__(self) -> str:
        return self.text
