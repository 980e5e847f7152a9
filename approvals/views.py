"""Committee and customer screens. Thin: load with permission, validate, one service call, respond."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from approvals import permissions as perms
from approvals import round_links, selectors, services
from approvals.enums import Outcome
from approvals.filters import CustomerFilter
from approvals.forms import ConditionFormSet, PolicyForm, VoteForm, filled_conditions
from approvals.models import Round
from onboarding import permissions as onboarding_perms
from onboarding import selectors as onboarding_selectors
from onboarding.enums import ApplicationKind, Tier
from onboarding.models import Application, Customer, CustomerCondition
from onboarding.pagination import next_page
from onboarding.rendering import filter_fields
from screening.models import SiteVisitPhoto
from screening.presentation import breakdown_context

PAGE_SIZE = 25
OUTCOME_MESSAGES = {
    Outcome.APPROVED: lambda: _("The committee approved the application: the customer is admitted."),
    Outcome.REJECTED: lambda: _("The committee rejected the application."),
    Outcome.INFORMATION_REQUESTED: lambda: _("The application was returned to its sales owner with the questions."),
}


def _get_application(request: HttpRequest, pk: int) -> Application:
    """Outsiders get a 404 (no hint that it exists); people who see it but are not on the committee, a 403."""
    application = get_object_or_404(
        onboarding_selectors.application_page_queryset().prefetch_related(
            "interviews__recorded_by", "third_party_reports__recorded_by",
            Prefetch("site_visits__photos", queryset=SiteVisitPhoto.objects.order_by("uploaded_at", "pk")),
            "site_visits__recorded_by",
        ),
        pk=pk,
    )
    if not onboarding_perms.can_view(request.user, application):
        raise Http404
    if not perms.can_review(request.user, application):
        raise PermissionDenied
    return application


def _forms_for(round: Round | None, application: Application, user, data=None):
    """The vote form and the conditions formset, or (None, None) when ``user`` cannot vote now."""
    if round is None:
        return None, None
    departments = perms.departments_open_to(round, user, round.votes.all())
    if not departments:
        return None, None
    form = VoteForm(
        data, initial={"round": round.pk}, departments=departments,
        review=application.kind == ApplicationKind.REVIEW,
        requested_limit=application.requested_credit_limit, requested_terms=application.requested_payment_terms,
    )
    return form, ConditionFormSet(data, prefix="conditions")


def _cannot_vote_because(round: Round | None, user) -> list[str]:
    """For an approver who sees no vote form: why (segregation of duties, already voted, ...)."""
    if round is None or not perms.is_approver(user):
        return []
    votes = list(round.votes.all())
    reasons: list[str] = []
    for department in perms.departments_of(user):
        for problem in perms.vote_refusals(round, user, department, votes):
            if problem not in reasons:
                reasons.append(problem)
    return reasons


def _review(request: HttpRequest, application: Application, *, form=None, conditions=None, status: int = 200):
    rounds = selectors.rounds_for(application)
    for round in rounds:
        round.application = application
    round_links.attach(rounds, request.user)
    current = next((r for r in rounds if r.is_open), None)
    if form is None:
        form, conditions = _forms_for(current, application, request.user)
    shown = current or (rounds[0] if rounds else None)
    context = {
        **breakdown_context(application),
        "application": application,
        "rounds": rounds,
        "current": current,
        "shown_policy": shown.policy if shown else None,
        "form": form,
        "conditions": conditions,
        "cannot_vote": [] if form is not None else _cannot_vote_because(current, request.user),
        "ratios": selectors.key_ratios(application),
        "checklist": onboarding_selectors.document_checklist(application),
        "can_view_investigation": onboarding_perms.can_list_all(request.user),
        # An approver who may not vote here (segregation of duties) is told why at the top of the page.
        "segregation_notice": (
            perms.conflict_of_interest(application, request.user)
            if current is not None and perms.is_approver(request.user) else None
        ),
    }
    return render(request, "approvals/review.html", context, status=status)


@require_GET
@login_required
def review(request: HttpRequest, pk: int) -> HttpResponse:
    return _review(request, _get_application(request, pk))


@require_POST
@login_required
def vote(request: HttpRequest, pk: int) -> HttpResponse:
    application = _get_application(request, pk)
    current = selectors.open_round(application)
    form, conditions = _forms_for(current, application, request.user, request.POST)
    if form is None:
        # Decided meanwhile, or not theirs to vote: say why rather than show a form.
        for problem in _cannot_vote_because(current, request.user) or [_("There is no open committee round.")]:
            messages.error(request, problem)
        return redirect("approvals:review", pk=pk)
    if not (form.is_valid() and conditions.is_valid()):
        messages.error(request, _("Please correct the errors below."))
        return _review(request, application, form=form, conditions=conditions, status=400)
    data = form.cleaned_data
    try:
        cast = services.vote_cast(
            application_id=application.pk, round_id=data["round"], voter=request.user,
            department=data["department"], decision=data["decision"],
            reason=data["reason"], credit_limit=data["credit_limit"], payment_terms_days=data["payment_terms_days"],
            customer_action=data.get("customer_action") or "",
            conditions=filled_conditions(conditions) if data["decision"] == "approve_with_conditions" else [],
        )
    except services.VoteRefused as refused:
        for message in refused.messages:
            messages.error(request, message)
        return _review(request, application, form=form, conditions=conditions, status=400)
    messages.success(request, _("Your vote was recorded."))
    cast.round.refresh_from_db()
    if cast.round.outcome in OUTCOME_MESSAGES:
        messages.info(request, OUTCOME_MESSAGES[cast.round.outcome]())
    return redirect("approvals:review", pk=pk)


@require_GET
@login_required
def queue(request: HttpRequest) -> HttpResponse:
    if not perms.can_view_committee(request.user):
        raise PermissionDenied
    mine, others = selectors.committee_queue(request.user)
    return render(request, "approvals/queue.html", {
        "mine": mine, "others": others, "can_manage_policies": perms.can_manage_policies(request.user),
    })


# --- Policies ---

@require_GET
@login_required
def policy_list(request: HttpRequest) -> HttpResponse:
    if not perms.can_manage_policies(request.user):
        raise PermissionDenied
    return render(request, "approvals/policy_list.html", {"policies": selectors.policies()})


@require_http_methods(["GET", "POST"])
@login_required
def policy_edit(request: HttpRequest, tier: str) -> HttpResponse:
    if not perms.can_manage_policies(request.user):
        raise PermissionDenied
    if tier not in Tier.values:
        raise Http404
    policy = selectors.policy_for_tier(tier)
    initial = {"departments": policy.departments, "rule": policy.rule,
               "veto_departments": policy.veto_departments, "warning": policy.warning,
               "veto_silence_consents": policy.veto_silence_consents}
    form = PolicyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.committee_policy_save(tier=tier, actor=request.user, **form.cleaned_data)
        messages.success(request, _("The committee policy for tier %(tier)s was saved. Rounds already open keep "
                                    "the rule they opened with.") % {"tier": tier})
        return redirect("approvals:policy_list")
    return render(request, "approvals/policy_form.html", {"form": form, "policy": policy},
                  status=400 if form.errors else 200)


# --- Customers ---

@require_GET
@login_required
def customer_list(request: HttpRequest) -> HttpResponse:
    if not perms.can_list_customers(request.user):
        raise PermissionDenied
    filterset = CustomerFilter(request.GET or None, queryset=selectors.customers_visible_to(request.user))
    # A page without a total, its condition counts read for its rows only (issue 16).
    page = next_page(filterset.qs.order_by("name", "pk"), request.GET.get("page"), PAGE_SIZE)
    selectors.annotate_condition_counts(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "approvals/customer_list.html", {
        "filter": filterset, "filter_fields": filter_fields(filterset.form), "page": page, "query": query.urlencode(),
    })


def _get_customer(request: HttpRequest, pk: int) -> Customer:
    customer = get_object_or_404(Customer.objects.select_related("sales_owner", "industry"), pk=pk)
    if not perms.can_view_customer(request.user, customer):
        if perms.can_list_customers(request.user):
            raise Http404  # another sales person's customer: no hint that it exists
        raise PermissionDenied
    return customer


@require_GET
@login_required
def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _get_customer(request, pk)
    return render(request, "approvals/customer_detail.html", {
        "customer": customer,
        "applications": selectors.customer_applications(customer),
        "evaluations": selectors.customer_evaluations(customer),
        "conditions": selectors.customer_conditions(customer),
        "history": selectors.customer_history(customer),
        "can_fulfil": perms.can_fulfil_conditions(request.user),
    })


@require_POST
@login_required
def condition_fulfil(request: HttpRequest, pk: int) -> HttpResponse:
    condition = get_object_or_404(CustomerCondition.objects.select_related("customer"), pk=pk)
    _get_customer(request, condition.customer_id)
    if not perms.can_fulfil_conditions(request.user):
        raise PermissionDenied
    try:
        services.condition_fulfil(condition_id=condition.pk, actor=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Condition marked fulfilled."))
    return redirect("approvals:customer_detail", pk=condition.customer_id)
