"""Reads used in more than one place."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import APPROVER_ROLES, Role
from onboarding import permissions as perms
from onboarding.enums import OPEN_STATES, CustomerStatus, DocumentStatus, State
from onboarding.models import Application, Customer, Document, DocumentRequirement, StateChange

# Filled on submit; a draft may leave any of them empty.
SUBMIT_REQUIRED_FIELDS = (
    "credit_code", "registration_date", "registered_capital", "capital_currency", "legal_representative",
    "registered_address", "operating_address", "industry", "customer_type", "main_products", "market_position",
    "top_customers", "top_customer_share", "main_suppliers", "employees", "overdue_count_24m",
    "litigation_count", "tax_rating", "requested_credit_limit", "requested_payment_terms",
)
FINANCIAL_FIELDS = (
    "revenue", "net_profit", "total_assets", "total_liabilities", "current_assets", "current_liabilities",
    "operating_cash_flow",
)


def applications_visible_to(user: User) -> QuerySet[Application]:
    qs = Application.objects.select_related("created_by", "industry", "customer")
    if perms.can_list_all(user):
        return qs
    return qs.filter(created_by=user)


def queue_for(user: User) -> QuerySet[Application]:
    """Applications awaiting this user's action, oldest first."""
    states: set[str] = set()
    if user.has_role(Role.DOCUMENT_REVIEWER):
        states.add(State.DOCUMENT_REVIEW)
    if user.has_role(Role.INVESTIGATOR):
        states.add(State.BACKGROUND_CHECK)
    if user.has_role(*APPROVER_ROLES):
        states.add(State.COMMITTEE_REVIEW)
    if user.has_role(Role.RISK_MANAGER):
        states.update({State.DOCUMENT_REVIEW, State.BACKGROUND_CHECK, State.COMMITTEE_REVIEW})
    qs = Application.objects.select_related("created_by", "industry").filter(state__in=states)
    # Segregation of duties: nobody is asked to act on an application they created.
    return qs.exclude(created_by=user).order_by("state_entered_at")


@dataclass
class ChecklistLine:
    document_type_id: int
    name: str
    required: bool
    documents: list[Document]

    @property
    def current(self) -> list[Document]:
        return [d for d in self.documents if d.is_current]

    @property
    def uploaded(self) -> bool:
        return bool(self.current)

    @property
    def accepted(self) -> bool:
        return any(d.status == DocumentStatus.ACCEPTED for d in self.current)

    @property
    def status(self) -> str:
        if self.accepted:
            return "accepted"
        if any(d.status == DocumentStatus.REJECTED for d in self.current):
            return "rejected"
        return "pending" if self.uploaded else "missing"


def document_checklist(application: Application) -> list[ChecklistLine]:
    """The checklist for the application's customer type, with every version of every document."""
    requirements = DocumentRequirement.objects.select_related("document_type")
    requirements = requirements.filter(customer_type=application.customer_type) if application.customer_type else []
    documents = list(
        application.documents.select_related("document_type", "uploaded_by", "reviewed_by").order_by(
            "document_type__code", "-version", "-pk"
        )
    )
    lines: dict[int, ChecklistLine] = {}
    for requirement in requirements:
        dt = requirement.document_type
        lines[dt.pk] = ChecklistLine(dt.pk, dt.name, requirement.required, [])
    for document in documents:
        dt = document.document_type
        lines.setdefault(dt.pk, ChecklistLine(dt.pk, dt.name, False, [])).documents.append(document)
    return sorted(lines.values(), key=lambda line: (not line.required, line.name))


@dataclass
class CreditCodeConflicts:
    applications: list[Application]
    customer: Customer | None

    @property
    def blocking(self) -> bool:
        return bool(self.applications) or (
            self.customer is not None and self.customer.status != CustomerStatus.OFFBOARDED
        )


def credit_code_conflicts(code: str, *, exclude_application_id: int | None = None) -> CreditCodeConflicts:
    """Open applications and the admitted customer that already carry this credit code."""
    if not code:
        return CreditCodeConflicts([], None)
    apps = Application.objects.select_related("created_by").filter(credit_code=code, state__in=OPEN_STATES)
    if exclude_application_id:
        apps = apps.exclude(pk=exclude_application_id)
    customer = Customer.objects.filter(credit_code=code).first()
    return CreditCodeConflicts(list(apps[:5]), customer)


def application_missing_items(application: Application) -> list[str]:
    """What a submission still lacks, as messages for the sales person."""
    missing: list[str] = []
    if not (application.legal_name_zh or application.legal_name_en):
        missing.append(_("The legal name (Chinese or English) is missing."))
    for name in SUBMIT_REQUIRED_FIELDS:
        value = getattr(application, name + "_id" if name == "industry" else name)
        if value in (None, ""):
            label = Application._meta.get_field(name).verbose_name
            missing.append(_("“%(field)s” is missing.") % {"field": label})
    statements = list(application.financials.all())
    if not statements:
        missing.append(_("The financial statements of the last fiscal year are missing."))
    for statement in statements:
        empty = [str(statement._meta.get_field(f).verbose_name) for f in FINANCIAL_FIELDS if getattr(statement, f) is None]
        if empty:
            missing.append(
                _("Fiscal year %(year)s lacks: %(fields)s.") % {"year": statement.fiscal_year, "fields": ", ".join(empty)}
            )
    if not application.contacts.exists():
        missing.append(_("Add at least one contact."))
    return missing


def documents_missing(application: Application) -> list[str]:
    return [
        _("Required document missing: %(name)s.") % {"name": line.name}
        for line in document_checklist(application)
        if line.required and not line.uploaded
    ]


def documents_unaccepted(application: Application) -> list[str]:
    problems = []
    for line in document_checklist(application):
        if any(d.status == DocumentStatus.PENDING for d in line.current):
            problems.append(_("%(name)s has not been reviewed yet.") % {"name": line.name})
        elif line.required and not line.accepted:
            problems.append(_("%(name)s is required and not accepted.") % {"name": line.name})
    return problems


def application_page_queryset() -> QuerySet[Application]:
    return Application.objects.select_related(
        "created_by", "industry", "customer", "document_reviewer", "investigator"
    ).prefetch_related(
        "financials", "contacts",
        Prefetch("state_changes", queryset=StateChange.objects.select_related("actor")),
    )


def next_review_date(tier: str, *, start=None):
    """The date a customer of ``tier`` is next due for review, by the tier's cadence."""
    from django.utils import timezone

    from onboarding.models import ReviewCadence

    start = start or timezone.localdate()
    months = ReviewCadence.objects.filter(tier=tier).values_list("months", flat=True).first() or 12
    return add_months(start, months)


def add_months(start, months: int):
    """``start`` plus ``months`` calendar months (31 January + 1 month is the last day of February)."""
    import calendar

    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return start.replace(year=year, month=month, day=min(start.day, calendar.monthrange(year, month)[1]))


def state_chart() -> dict:
    """Chart.js config: open applications per stage, split into on time and overdue (one query).

    Reads only the open applications, through the (state, state_entered_at) index: the
    decided ones, which pile up over the years, are never touched.
    """
    from django.db.models import Count

    from onboarding.enums import REVIEW_STATES

    stages = [State.DRAFT, *REVIEW_STATES, State.RETURNED]
    late = Application.objects.overdue_condition()
    rows = (
        Application.objects.filter(state__in=stages).values_list("state").order_by()
        .annotate(n=Count("pk"), late=Count("pk", filter=late))
    )
    totals, overdue = {}, {}
    for state, n, late_n in rows:
        totals[state], overdue[state] = n, late_n
    labels = [str(State(stage).label) for stage in stages]
    return {
        "type": "bar",
        "data": {
            "labels": labels,
            "datasets": [
                {"label": str(_("On time")), "data": [totals.get(s, 0) - overdue.get(s, 0) for s in stages],
                 "backgroundColor": "#0d6efd"},
                {"label": str(_("Overdue")), "data": [overdue.get(s, 0) for s in stages], "backgroundColor": "#dc3545"},
            ],
        },
        "options": {"scales": {"x": {"stacked": True}, "y": {"stacked": True, "beginAtZero": True,
                                                              "ticks": {"precision": 0}}},
                    "plugins": {"title": {"display": True, "text": str(_("Open applications by stage"))}}},
    }
