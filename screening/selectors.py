"""Reads used in more than one place: evaluations, requirements, what-if."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db.models import Exists, Max, OuterRef, QuerySet
from django.utils.translation import gettext as _

from onboarding.enums import State
from onboarding.models import Application, Customer
from screening.enums import InvestigationKind, VersionStatus
from screening.inputs import application_inputs, comparable
from screening.models import Evaluation, InvestigationPolicy, ScorecardVersion
from screening.reasons import format_cny
from screening.scoring import TIERS, CompiledScorecard, compile_version, compiled_version, evaluate
from watchlists.models import ScreeningHit

DEFAULT_POLICY = {
    "interview_always": True,
    "site_visit_tiers": ["C", "D"],
    "site_visit_limit_above": Decimal("1000000"),
    "report_tiers": ["D"],
    "report_limit_above": Decimal("5000000"),
}


def published_version() -> ScorecardVersion | None:
    return ScorecardVersion.objects.filter(status=VersionStatus.PUBLISHED).first()


def published_compiled() -> CompiledScorecard | None:
    """The published model, compiled (cached per version id). One query to find its id."""
    version_id = (
        ScorecardVersion.objects.filter(status=VersionStatus.PUBLISHED).values_list("pk", flat=True).first()
    )
    return compiled_version(version_id) if version_id is not None else None


def latest_evaluation(*, application: Application | None = None, customer: Customer | None = None) -> Evaluation | None:
    """The most recent evaluation of an application or of a customer (one query, indexed)."""
    if application is None and customer is None:
        raise ValueError("Give application or customer.")
    qs = Evaluation.objects.select_related("version", "created_by")
    qs = qs.filter(application=application) if application is not None else qs.filter(customer=customer)
    return qs.order_by("-created_at", "-pk").first()


def evaluation_is_current(application: Application, evaluation: Evaluation | None = None) -> bool:
    """Whether the latest evaluation scored the application's data as it is now.

    The evaluation date (``as_of``) is left out of the comparison: the passing of a day
    does not make a score stale; a change of the form, statements or a watchlist
    disposition does.
    """
    evaluation = evaluation or latest_evaluation(application=application)
    if evaluation is None:
        return False
    return comparable(evaluation.inputs) == comparable(application_inputs(application))


def investigation_policy() -> InvestigationPolicy:
    policy, _created = InvestigationPolicy.objects.get_or_create(pk=1, defaults=DEFAULT_POLICY)
    return policy


@dataclass
class Requirement:
    kind: str
    label: str
    required: bool
    why: str
    count: int

    @property
    def missing(self) -> bool:
        return self.required and self.count == 0


def _needed(tier: str | None, tiers: list[str], limit: Decimal | None, above: Decimal | None) -> list[str]:
    reasons = []
    if tier and tier in tiers:
        reasons.append(_("tier %(tier)s") % {"tier": tier})
    if limit is not None and above is not None and limit > above:
        reasons.append(_("requested limit above %(amount)s") % {"amount": format_cny(above)})
    return reasons


def investigation_requirements(
    application: Application, *, evaluation: Evaluation | None = None, policy: InvestigationPolicy | None = None,
) -> list[Requirement]:
    """Each kind of investigation record: whether the policy requires it here, why, and how many exist.

    The tier is the latest evaluation's; before any evaluation only the interview and the
    limit rules apply (the guard asks for an evaluation anyway).
    """
    policy = policy or investigation_policy()
    evaluation = evaluation if evaluation is not None else latest_evaluation(application=application)
    tier = evaluation.tier if evaluation else None
    limit = application.requested_credit_limit
    site = _needed(tier, policy.site_visit_tiers, limit, policy.site_visit_limit_above)
    report = _needed(tier, policy.report_tiers, limit, policy.report_limit_above)
    return [
        Requirement(
            InvestigationKind.INTERVIEW, str(InvestigationKind.INTERVIEW.label), policy.interview_always,
            _("always") if policy.interview_always else "", application.interviews.count(),
        ),
        Requirement(
            InvestigationKind.SITE_VISIT, str(InvestigationKind.SITE_VISIT.label), bool(site), ", ".join(site),
            application.site_visits.count(),
        ),
        Requirement(
            InvestigationKind.THIRD_PARTY_REPORT, str(InvestigationKind.THIRD_PARTY_REPORT.label), bool(report),
            ", ".join(report), application.third_party_reports.count(),
        ),
    ]


MISSING_MESSAGES = {
    InvestigationKind.INTERVIEW: lambda why: _("An interview record is required (%(why)s).") % {"why": why},
    InvestigationKind.SITE_VISIT: lambda why: _("A site visit record is required (%(why)s).") % {"why": why},
    InvestigationKind.THIRD_PARTY_REPORT: (
        lambda why: _("A third-party report is required (%(why)s).") % {"why": why}
    ),
}


def evaluation_blocker(application: Application, evaluation: Evaluation | None) -> str | None:
    """What the guard says about ``evaluation`` (the application's latest, or None): nothing
    when it is there and current. The guard and the reconciliation both ask this."""
    if evaluation is None:
        return _("The application has not been evaluated with the scorecard yet.")
    if not evaluation_is_current(application, evaluation):
        return _("The application's data changed after the last evaluation: evaluate it again.")
    return None


def applications_awaiting_evaluation(*, entered_before: datetime) -> list[int]:
    """Ids of the applications in background check that the guard holds for want of a current evaluation.

    Only those that entered the stage at or before ``entered_before`` and had no watchlist hit
    dispositioned after it, so that the evaluation queued by either a moment ago has time to
    run. One pass over the applications in background check (a few queries each).
    """
    recent = ScreeningHit.objects.filter(application_id=OuterRef("pk"), dispositioned_at__gt=entered_before)
    candidates = (
        Application.objects.filter(state=State.BACKGROUND_CHECK, state_entered_at__lte=entered_before)
        .exclude(Exists(recent)).select_related("industry").prefetch_related("financials").order_by("pk")
    )
    return [
        application.pk for application in candidates
        if evaluation_blocker(application, latest_evaluation(application=application)) is not None
    ]


def background_check_blockers(application: Application) -> list[str]:
    """Why the application cannot pass to the committee yet, one message per missing piece."""
    problems: list[str] = []
    evaluation = latest_evaluation(application=application)
    blocker = evaluation_blocker(application, evaluation)
    if blocker is not None:
        problems.append(blocker)
    for requirement in investigation_requirements(application, evaluation=evaluation):
        if requirement.missing:
            problems.append(MISSING_MESSAGES[requirement.kind](requirement.why))
    return problems


def versions_for_list() -> QuerySet[ScorecardVersion]:
    return ScorecardVersion.objects.select_related("author", "publisher", "based_on").order_by("-number")


# --- What-if: a draft against the published model on recent applications ---

@dataclass
class WhatIfRow:
    application_id: int
    reference: str
    name: str
    old_total: float
    old_tier: str
    new_total: float
    new_tier: str

    @property
    def direction(self) -> int:
        """-1 better tier, 0 same, 1 worse (A is best)."""
        old, new = TIERS.index(self.old_tier), TIERS.index(self.new_tier)
        return (new > old) - (new < old)


@dataclass
class WhatIf:
    baseline_number: int | None
    count: int = 0
    up: int = 0
    down: int = 0
    same: int = 0
    matrix: list[tuple[str, list[int]]] = field(default_factory=list)  # (old tier, counts per new tier)
    changed: list[WhatIfRow] = field(default_factory=list)


def what_if(draft: ScorecardVersion, *, limit: int = 200) -> WhatIf:
    """Re-score the last ``limit`` evaluated applications with ``draft`` and with the published model.

    Both models score the same stored inputs (each application's latest snapshot), so the
    difference is the draft's alone, not the data's. Three queries plus compiling the draft.
    """
    baseline = published_compiled()
    report = WhatIf(baseline_number=baseline.number if baseline else None)
    latest_ids = list(
        Evaluation.objects.filter(application__isnull=False).values("application_id")
        .annotate(last=Max("pk")).order_by("-last").values_list("last", flat=True)[:limit]
    )
    evaluations = (
        Evaluation.objects.filter(pk__in=latest_ids)
        # Not the stored result: only the inputs are re-scored. (The application's state is
        # loaded because django-fsm reads it when the instance is built.)
        .select_related("application")
        .only("pk", "inputs", "total", "tier", "application", "application__legal_name_zh",
              "application__legal_name_en", "application__state")
        .order_by("-pk")
    )
    compiled = compile_version(draft)
    counts = {old: dict.fromkeys(TIERS, 0) for old in TIERS}
    for evaluation in evaluations:
        if baseline is not None:
            old = evaluate(baseline, evaluation.inputs)
            old_total, old_tier = old.total, old.tier
        else:
            old_total, old_tier = float(evaluation.total), evaluation.tier
        new = evaluate(compiled, evaluation.inputs)
        counts[old_tier][new.tier] += 1
        report.count += 1
        row = WhatIfRow(
            evaluation.application_id, evaluation.application.reference, evaluation.application.display_name,
            old_total, old_tier, new.total, new.tier,
        )
        if row.direction < 0:
            report.up += 1
        elif row.direction > 0:
            report.down += 1
        else:
            report.same += 1
        if row.direction:
            report.changed.append(row)
    report.matrix = [(old, [counts[old][new] for new in TIERS]) for old in TIERS]
    return report
