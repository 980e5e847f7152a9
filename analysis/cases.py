"""Writes and reads of the case library: facts pulled from the record, safe Markdown, who sees which case."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Role
from analysis import permissions as perms
from analysis.models import Case
from approvals.models import Vote
from monitoring.models import AdmissionInputs, Alert
from onboarding.enums import State
from onboarding.models import Application, Customer, CustomerCondition, StateChange
from outcomes.models import CustomerOutcome
from screening.models import Evaluation

PUBLISHABLE_ROLES = [Role.SALES, Role.DOCUMENT_REVIEWER, Role.INVESTIGATOR, Role.APPROVER_FINANCE,
                     Role.APPROVER_LEGAL, Role.APPROVER_BUSINESS, Role.RISK_MANAGER]
FACT_LIMIT = 20


def _evaluation(evaluation: Evaluation | None) -> dict | None:
    if evaluation is None:
        return None
    return {"date": evaluation.created_at.date().isoformat(), "total": float(evaluation.total), "tier": evaluation.tier,
            "knockouts": list(evaluation.knockouts or []), "version": evaluation.version.number}


def _votes(application_ids: list[int]) -> list[dict]:
    votes = (Vote.objects.filter(round__application_id__in=application_ids).select_related("round__application")
             .order_by("created_at", "pk")[:FACT_LIMIT])
    return [{"application": v.round.application.reference, "round": v.round.number, "department": v.department,
             "decision": v.decision, "reason": v.reason, "date": v.created_at.date().isoformat()} for v in votes]


def facts_for_customer(customer: Customer) -> dict:
    """Admission score and tier, committee votes and conditions, evaluations over time, alerts, outcome."""
    admission = AdmissionInputs.objects.filter(customer=customer).select_related("evaluation__version").first()
    applications = list(customer.applications.values_list("pk", flat=True))
    evaluations = (Evaluation.objects.filter(Q(customer=customer) | Q(application_id__in=applications))
                   .select_related("version").order_by("created_at", "pk"))
    outcome = CustomerOutcome.objects.filter(pk=customer.pk).first()
    return {
        "customer": {"name": customer.name, "credit_code": customer.credit_code, "tier": customer.tier,
                     "credit_limit": str(customer.credit_limit), "admitted": customer.admitted_at.date().isoformat(),
                     "status": customer.status},
        "admission": _evaluation(admission.evaluation if admission and admission.evaluation_id else None),
        "votes": _votes(applications),
        "conditions": [{"text": c.text, "due_date": c.due_date.isoformat(),
                        "fulfilled": c.fulfilled_at.date().isoformat() if c.fulfilled_at else None}
                       for c in CustomerCondition.objects.filter(customer=customer).order_by("due_date")[:FACT_LIMIT]],
        "evaluations": [_evaluation(e) for e in list(evaluations)[-FACT_LIMIT:]],
        "alerts": [{"indicator": a.indicator, "severity": a.severity, "status": a.status,
                    "opened": a.opened_at.date().isoformat()}
                   for a in Alert.objects.filter(customer=customer).order_by("opened_at", "pk")[:FACT_LIMIT]],
        "outcome": None if outcome is None else {
            "status": outcome.status, "exposure": str(outcome.exposure), "worst_dpd_12m": outcome.worst_dpd_12m,
            "first_dpd30_on": outcome.first_dpd30_on and outcome.first_dpd30_on.isoformat(),
            "first_dpd90_on": outcome.first_dpd90_on and outcome.first_dpd90_on.isoformat(),
            "written_off_on": outcome.written_off_on and outcome.written_off_on.isoformat(),
        },
    }


def facts_for_application(application: Application) -> dict:
    latest = Evaluation.objects.filter(application=application).select_related("version").order_by("-created_at",
                                                                                                    "-pk").first()
    rejection = (StateChange.objects.filter(application=application, to_state=State.REJECTED)
                 .order_by("-created_at").first())
    return {
        "application": {"reference": application.reference, "name": application.display_name,
                        "kind": application.kind, "state": application.state,
                        "submitted": application.submitted_at and application.submitted_at.date().isoformat()},
        "admission": _evaluation(latest),
        "votes": _votes([application.pk]),
        "rejection": None if rejection is None else {
            "from_state": rejection.from_state, "reason": rejection.reason,
            "date": rejection.created_at.date().isoformat()},
    }


def normalise_tags(text: str) -> str:
    tags = []
    for raw in (text or "").replace("，", ",").split(","):
        tag = raw.strip().lower()[:40]
        if tag and tag not in tags:
            tags.append(tag)
    return "," + ",".join(tags) + "," if tags else ""


def _check(actor: User, data: dict) -> None:
    if not perms.can_manage_cases(actor):
        raise PermissionDenied(_("Only risk managers write cases."))
    for name in ("title", "analysis", "caught_by", "lessons", "tags"):
        if "\x00" in (data.get(name) or ""):
            raise ValidationError(_("The text contains a NUL character."))
    unknown = set(data.get("published_to") or []) - {str(r) for r in PUBLISHABLE_ROLES}
    if unknown:
        raise ValidationError(_("Unknown role."))


def case_create(*, actor: User, customer: Customer | None = None, application: Application | None = None,
                **data) -> Case:
    """A case about a customer or a rejected application, with its facts pulled from the record now.

    Side effects: one ``Case`` row; published (to ``published_to`` roles) when any role is chosen.
    """
    _check(actor, data)
    if customer is None and application is None:
        raise ValidationError(_("A case is about a customer or an application."))
    if customer is None and application.state != State.REJECTED:
        raise ValidationError(_("Only a rejected application becomes a case on its own; write about the customer."))
    facts = facts_for_customer(customer) if customer is not None else facts_for_application(application)
    roles = list(data.get("published_to") or [])
    return Case.objects.create(
        kind=data["kind"], title=data["title"], customer=customer, application=application, facts=facts,
        analysis=data["analysis"], caught_by=data.get("caught_by", ""), lessons=data.get("lessons", ""),
        tags=normalise_tags(data.get("tags", "")), published_to=roles,
        published_at=timezone.now() if roles else None, created_by=actor,
    )


def case_update(*, actor: User, case_id: int, **data) -> Case:
    """Edit the written parts and the audience; the facts stay as they were pulled."""
    _check(actor, data)
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case_id)
        roles = list(data.get("published_to") or [])
        case.kind, case.title, case.analysis = data["kind"], data["title"], data["analysis"]
        case.caught_by, case.lessons = data.get("caught_by", ""), data.get("lessons", "")
        case.tags = normalise_tags(data.get("tags", ""))
        if roles and not case.published_at:
            case.published_at = timezone.now()
        if not roles:
            case.published_at = None
        case.published_to = roles
        case.updated_at = timezone.now()
        case.save()
    return case


def cases_visible_to(user: User) -> QuerySet[Case]:
    found = Case.objects.select_related("customer", "application", "created_by")
    if perms.can_manage_cases(user):
        return found
    visible = [role for role in PUBLISHABLE_ROLES if user.has_role(role)]
    if not visible:
        return found.none()
    condition = Q()
    for role in visible:
        condition |= Q(published_to__contains=[str(role)]) if _json_contains() else Q(published_to__icontains=f'"{role}"')
    return found.filter(condition, published_at__isnull=False)


def _json_contains() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"  # SQLite has no JSON containment in Django


def search(found: QuerySet[Case], *, q: str = "", kind: str = "", tag: str = "") -> QuerySet[Case]:
    if q:
        found = found.filter(Q(title__icontains=q) | Q(analysis__icontains=q) | Q(lessons__icontains=q)
                             | Q(tags__icontains=q) | Q(customer__name__icontains=q))
    if kind:
        found = found.filter(kind=kind)
    if tag:
        found = found.filter(tags__contains="," + tag.strip().lower() + ",")
    return found


def render_markdown(text: str) -> SafeString:
    """CommonMark without raw HTML (markdown-it-py), then cleaned with nh3: safe to show as HTML."""
    import nh3
    from markdown_it import MarkdownIt

    html = MarkdownIt("commonmark", {"html": False}).render(text or "")
    return mark_safe(nh3.clean(html))  # noqa: S308 — sanitised by nh3 just above


# --- Cases cited in a scorecard version's change note -------------------------------------------


def _citable_version(actor: User, version_id: int):
    from screening import permissions as screening_perms
    from screening.enums import VersionStatus
    from screening.models import ScorecardVersion

    version = ScorecardVersion.objects.select_for_update().get(pk=version_id)
    if version.status != VersionStatus.DRAFT:
        raise ValidationError(_("Version %(number)s is no longer a draft: its cited cases are final.")
                              % {"number": version.number})
    if not (perms.can_manage_cases(actor) and screening_perms.can_edit_draft(actor, version)):
        raise PermissionDenied(_("Only the draft's author cites cases in its change note."))
    return version


def case_cite(*, actor: User, version_id: int, case_id: int):
    """Cite a case in a draft's change note (the author, a risk manager). Idempotent: a second cite is refused."""
    from analysis.models import CaseCitation

    with transaction.atomic():
        version = _citable_version(actor, version_id)
        case = Case.objects.filter(pk=case_id).first()
        if case is None:
            raise ValidationError(_("Choose a case from the library."))
        if CaseCitation.objects.filter(version=version, case=case).exists():
            raise ValidationError(_("“%(title)s” is already cited.") % {"title": case.title})
        return CaseCitation.objects.create(version=version, case=case, cited_by=actor)


def case_uncite(*, actor: User, version_id: int, case_id: int) -> None:
    from analysis.models import CaseCitation

    with transaction.atomic():
        version = _citable_version(actor, version_id)
        deleted, _by_model = CaseCitation.objects.filter(version=version, case_id=case_id).delete()
        if not deleted:
            raise ValidationError(_("That case is not cited in this version."))


def citations_for(user: User, version) -> list[Case]:
    """The cases cited in ``version``'s change note that ``user`` may read, in the order cited."""
    return list(cases_visible_to(user).filter(citations__version=version).order_by("citations__cited_at",
                                                                                   "citations__pk"))
