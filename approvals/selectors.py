"""Reads used in more than one place: policies, rounds, the approvers' queue, customers."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import BooleanField, Count, ExpressionWrapper, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import pgettext

from accounts.messages import render_stored
from accounts.models import User
from approvals import permissions as perms
from approvals.enums import Department, Rule
from approvals.models import CommitteePolicy, Round, Vote, VoteCondition
from onboarding import participation
from onboarding.enums import Tier
from onboarding.models import Application, Customer, CustomerCondition, FinancialStatement
from onboarding.participation import Stage
from screening.models import Evaluation
from screening.selectors import latest_evaluation

# The defaults of the admission guide; the data migration writes the same rows. Used when a
# tier's row is missing, so that a round always opens with a rule.
DEFAULT_POLICIES: dict[str, dict] = {
    Tier.A: {"rule": Rule.MAJORITY, "veto_departments": [Department.LEGAL], "warning": False},
    Tier.B: {"rule": Rule.MAJORITY, "veto_departments": [Department.LEGAL], "warning": False},
    Tier.C: {"rule": Rule.UNANIMOUS, "veto_departments": [], "warning": False},
    Tier.D: {"rule": Rule.UNANIMOUS, "veto_departments": [], "warning": True},
}
ALL_DEPARTMENTS = [Department.FINANCE.value, Department.LEGAL.value, Department.BUSINESS.value]
# An application without an evaluation goes to the committee under the strictest policy.
TIER_WITHOUT_EVALUATION = Tier.D


def policy_for_tier(tier: str) -> CommitteePolicy:
    policy = CommitteePolicy.objects.filter(tier=tier).first()
    if policy is None:
        defaults = DEFAULT_POLICIES[tier]
        policy = CommitteePolicy(tier=tier, departments=list(ALL_DEPARTMENTS), **defaults)
    return policy


def policies() -> list[CommitteePolicy]:
    """One policy per tier, A to D (unsaved defaults stand in for missing rows)."""
    stored = {p.tier: p for p in CommitteePolicy.objects.select_related("updated_by")}
    return [stored.get(tier) or policy_for_tier(tier) for tier in Tier.values]


def committee_tier(application: Application) -> tuple[str, bool]:
    """The tier the committee applies: the latest evaluation's, else D. Returns (tier, evaluated)."""
    evaluation = latest_evaluation(application=application)
    if evaluation is None:
        return TIER_WITHOUT_EVALUATION, False
    return evaluation.tier, True


def open_round(application: Application) -> Round | None:
    return Round.objects.filter(application=application, closed_at__isnull=True).first()


def _votes_prefetch() -> Prefetch:
    return Prefetch(
        "votes",
        queryset=Vote.objects.select_related("voter").prefetch_related(
            Prefetch("conditions", queryset=VoteCondition.objects.order_by("due_date", "pk"))
        ),
    )


def rounds_for(application: Application) -> list[Round]:
    """Every round of the application, latest first, with votes and their conditions (three queries)."""
    return list(
        Round.objects.filter(application=application).prefetch_related(_votes_prefetch()).order_by("-number")
    )


def open_rounds() -> QuerySet[Round]:
    return (
        Round.objects.filter(closed_at__isnull=True)
        .select_related("application", "application__created_by", "application__industry")
        .prefetch_related(_votes_prefetch())
        .order_by("opened_at", "pk")
    )


def committee_queue(user: User) -> tuple[list[Round], list[Round]]:
    """Open rounds split in two: awaiting a vote ``user`` can cast now, and the others.

    Filtered in Python: the open rounds are the applications in committee review, a short
    list, and the departments a round requires live in its JSON snapshot (no JSON lookups,
    which SQLite lacks).
    """
    mine: list[Round] = []
    others: list[Round] = []
    rounds = list(open_rounds())
    if user.is_authenticated:
        # Segregation of duties for every listed application at once, not a query per round.
        participation.prime([round.application for round in rounds], user.pk, Stage.COMMITTEE)
    for round in rounds:
        votes = list(round.votes.all())
        (mine if perms.departments_open_to(round, user, votes) else others).append(round)
    return mine, others


@dataclass(frozen=True)
class KeyRatios:
    fiscal_year: int | None
    debt_ratio: Decimal | None  # total liabilities / total assets, percent
    current_ratio: Decimal | None  # current assets / current liabilities
    net_margin: Decimal | None  # net profit / revenue, percent


def _ratio(numerator, denominator, scale: int = 1) -> Decimal | None:
    if numerator is None or not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator) * scale).quantize(Decimal("0.01"))


def key_ratios(application: Application) -> KeyRatios:
    """The ratios of the latest fiscal year (uses prefetched ``financials`` when present)."""
    statements: list[FinancialStatement] = sorted(application.financials.all(), key=lambda s: -s.fiscal_year)
    if not statements:
        return KeyRatios(None, None, None, None)
    s = statements[0]
    return KeyRatios(
        s.fiscal_year,
        _ratio(s.total_liabilities, s.total_assets, 100),
        _ratio(s.current_assets, s.current_liabilities),
        _ratio(s.net_profit, s.revenue, 100),
    )


# --- Customers ---

def customers_visible_to(user: User) -> QuerySet[Customer]:
    """Admitted customers ``user`` may see, each marked whether its review is overdue.

    The condition counts are not annotated here: a ``COUNT`` joined to the conditions groups
    every customer before the page is cut; ``annotate_condition_counts`` reads them for the
    rows shown.
    """
    today = timezone.localdate()
    queryset = Customer.objects.select_related("sales_owner", "industry").annotate(
        review_overdue=ExpressionWrapper(Q(next_review_date__lt=today), output_field=BooleanField()),
    )
    if perms.can_list_all_customers(user):
        return queryset
    return queryset.filter(sales_owner=user)


def annotate_condition_counts(customers: list[Customer]) -> None:
    """Set ``open_conditions`` and ``overdue_conditions`` on each of ``customers`` (one query)."""
    today = timezone.localdate()
    counts = {
        row["customer_id"]: row
        for row in CustomerCondition.objects.filter(customer__in=customers, fulfilled_at__isnull=True)
        .values("customer_id").order_by()
        .annotate(open=Count("pk"), overdue=Count("pk", filter=Q(due_date__lt=today)))
    } if customers else {}
    for customer in customers:
        row = counts.get(customer.pk, {})
        customer.open_conditions = row.get("open", 0)
        customer.overdue_conditions = row.get("overdue", 0)


def customer_applications(customer: Customer) -> QuerySet[Application]:
    """Its applications, and earlier ones for the same credit code (e.g. rejected before admission)."""
    return (
        Application.objects.filter(Q(customer=customer) | Q(credit_code=customer.credit_code))
        .select_related("created_by")
        .order_by("-created_at")
    )


def customer_evaluations(customer: Customer, *, limit: int = 20) -> list[Evaluation]:
    return list(
        Evaluation.objects.filter(Q(customer=customer) | Q(application__customer=customer))
        .select_related("version", "application")
        .order_by("-created_at", "-pk")[:limit]
    )


def customer_conditions(customer: Customer) -> QuerySet[CustomerCondition]:
    return customer.conditions.select_related("application").order_by("fulfilled_at", "due_date", "pk")


@dataclass
class HistoryEntry:
    when: object
    user: User | None
    reason: str
    created: bool
    changes: list[tuple[str, str, str]]  # (field label, old, new)


HISTORY_FIELDS = ("status", "tier", "credit_limit", "payment_terms_days", "next_review_date", "sales_owner", "name")


def _display(field, value) -> str:
    if value is None or value == "":
        return pgettext("audit trail value", "(empty)")
    choices = dict(field.flatchoices)
    if choices:
        return str(choices.get(value, value))
    if field.is_relation:
        return str(field.related_model.objects.filter(pk=value).first() or value)
    return str(value)


def customer_history(customer: Customer, *, limit: int = 50) -> list[HistoryEntry]:
    """The customer's history records (simple-history), newest first, each with what changed."""
    records = list(customer.history.select_related("history_user").order_by("history_date", "history_id"))
    fields = {name: Customer._meta.get_field(name) for name in HISTORY_FIELDS}
    entries: list[HistoryEntry] = []
    previous = None
    for record in records:
        changes = []
        if previous is not None:
            for change in record.diff_against(previous, included_fields=list(HISTORY_FIELDS)).changes:
                field = fields[change.field]
                changes.append((str(field.verbose_name), _display(field, change.old), _display(field, change.new)))
        entries.append(HistoryEntry(record.history_date, record.history_user,
                                    render_stored(record.history_change_reason), previous is None, changes))
        previous = record
    return list(reversed(entries))[:limit]
