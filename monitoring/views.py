"""Monitoring screens. Thin: check the role, validate, one service call, respond."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.validators import parse_id
from monitoring import permissions as perms
from monitoring import runs, selectors, services
from monitoring.enums import ChunkStatus, Indicator, JobKind, Scope, Trigger
from monitoring.forms import (
    AcknowledgeForm,
    AlertFilterForm,
    BulkAcknowledgeForm,
    CadenceForm,
    IndicatorFormSet,
    NoteForm,
    risk_managers,
)
from monitoring.health import job_system_health
from monitoring.indicators import DEFAULTS, describe
from monitoring.models import Alert, IndicatorSetting, JobRun, RunChunk
from onboarding.models import Customer
from screening.models import Evaluation


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _messages_from(error: ValidationError) -> list[str]:
    return list(error.messages)


@require_GET
@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    _require(perms.can_view(request.user))
    return render(request, "monitoring/dashboard.html", {
        "board": selectors.dashboard(), "health": job_system_health(), "can_act": perms.can_act(request.user),
    })


def _cursor(value: str | None) -> int | None:
    return parse_id(value)


@require_GET
@login_required
def alert_list(request: HttpRequest) -> HttpResponse:
    _require(perms.can_view(request.user))
    assignees = list(risk_managers())
    form = AlertFilterForm(request.GET or None, assignees=assignees)
    queryset = selectors.alerts_filtered(**form.filters())
    page = selectors.alert_page(
        queryset, after=_cursor(request.GET.get("after")), before=_cursor(request.GET.get("before")),
    )
    query = request.GET.copy()
    for key in ("after", "before"):
        query.pop(key, None)
    return render(request, "monitoring/alert_list.html", {
        "form": form, "filters": form.for_template(), "page": page, "rows": selectors.alert_rows(page.alerts),
        "query": query.urlencode(),
        "assignees": assignees,
        "can_act": perms.can_act(request.user),
    })


@require_POST
@login_required
def alerts_acknowledge(request: HttpRequest) -> HttpResponse:
    _require(perms.can_act(request.user))
    form = BulkAcknowledgeForm(request.POST)
    back = request.POST.get("next") or ""
    if not back.startswith("/") or back.startswith("//"):
        back = ""
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back or "monitoring:alert_list")
    try:
        changed = services.alerts_acknowledge(
            alert_ids=form.cleaned_data["alerts"], actor=request.user, assignee=form.cleaned_data["assignee"],
        )
    except ValidationError as error:
        for message in _messages_from(error):
            messages.error(request, message)
    else:
        messages.success(request, _("%(count)s alert(s) acknowledged.") % {"count": len(changed)})
    return redirect(back or "monitoring:alert_list")


def _alert_or_404(pk: int) -> Alert:
    alert = selectors.alert_for_page(pk)
    if alert is None:
        raise Http404
    return alert


@require_GET
@login_required
def alert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require(perms.can_view(request.user))
    alert = _alert_or_404(pk)
    wanted = [pk for pk in (alert.previous_evaluation_id, alert.evaluation_id) if pk]
    found = {e.pk: e for e in Evaluation.objects.filter(pk__in=wanted).select_related("version")} if wanted else {}
    previous, current = found.get(alert.previous_evaluation_id), found.get(alert.evaluation_id)
    evidence = [
        {
            "text": describe(alert.indicator, entry.get("facts") or {}), "run": entry.get("run"),
            "when": parse_datetime(entry["at"]) if entry.get("at") else None,
        }
        for entry in reversed(alert.evidence)
    ]
    return render(request, "monitoring/alert_detail.html", {
        "alert": alert, "evidence": evidence, "previous": previous, "current": current,
        "comparison": selectors.evaluation_comparison(previous, current) if (previous or current) else [],
        "acknowledge_form": AcknowledgeForm(), "note_form": NoteForm(), "can_act": perms.can_act(request.user),
    })


def _act(request: HttpRequest, pk: int, action) -> HttpResponse:
    _require(perms.can_act(request.user))
    get_object_or_404(Alert, pk=pk)
    try:
        action()
    except ValidationError as error:
        for message in _messages_from(error):
            messages.error(request, message)
    return redirect("monitoring:alert_detail", pk=pk)


@require_POST
@login_required
def alert_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    form = AcknowledgeForm(request.POST)

    def action() -> None:
        if not form.is_valid():
            raise ValidationError(_("Choose a risk manager to assign the alert to."))
        services.alert_acknowledge(alert_id=pk, actor=request.user, assignee=form.cleaned_data["assignee"])
        messages.success(request, _("Alert acknowledged."))

    return _act(request, pk, action)


def _note(request: HttpRequest) -> str:
    """The posted note, checked by ``NoteForm``; an empty one is left to the service, whose message says why."""
    form = NoteForm(request.POST)
    if form.is_valid():
        return form.cleaned_data["note"]
    if form.has_error("note", "required"):
        return ""
    raise ValidationError(form.errors["note"])


@require_POST
@login_required
def alert_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    def action() -> None:
        services.alert_resolve(alert_id=pk, actor=request.user, note=_note(request))
        messages.success(request, _("Alert resolved."))

    return _act(request, pk, action)


@require_POST
@login_required
def alert_escalate(request: HttpRequest, pk: int) -> HttpResponse:
    def action() -> None:
        alert = services.alert_escalate(alert_id=pk, actor=request.user, note=_note(request))
        messages.success(request, _("Alert escalated: %(customer)s is under review and a re-review application "
                                    "was opened for its sales owner.") % {"customer": alert.customer.name})

    return _act(request, pk, action)


@require_GET
@login_required
def run_list(request: HttpRequest) -> HttpResponse:
    _require(perms.can_view(request.user))
    kind = request.GET.get("kind", "")
    kind = kind if kind in JobKind.values else ""
    return render(request, "monitoring/run_list.html", {
        "runs": selectors.last_runs(kind or None, limit=100), "kind": kind, "kinds": JobKind.choices,
        "can_act": perms.can_act(request.user),
    })


@require_GET
@login_required
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require(perms.can_view(request.user))
    run = get_object_or_404(JobRun.objects.select_related("started_by", "customer"), pk=pk)
    selectors.live_progress([run])
    failed = RunChunk.objects.filter(run=run, status=ChunkStatus.FAILED).order_by("number")[:50]
    return render(request, "monitoring/run_detail.html", {"run": run, "failed_chunks": failed})


@require_POST
@login_required
def reevaluate(request: HttpRequest) -> HttpResponse:
    """"Re-evaluate now": the due customers, or one customer (``customer`` in the form)."""
    _require(perms.can_act(request.user))
    posted = request.POST.get("customer")
    if posted:
        customer_id = parse_id(posted)
        if customer_id is None:
            messages.error(request, _("The customer to re-evaluate was not given as a customer number; "
                                      "nothing was re-evaluated."))
            return redirect("monitoring:dashboard")
        customer = get_object_or_404(Customer, pk=customer_id)
        run = runs.plan_run(scope=Scope.CUSTOMER, customer_id=customer.pk, trigger=Trigger.USER, actor=request.user)
    else:
        run = runs.plan_run(scope=Scope.DUE, trigger=Trigger.USER, actor=request.user)
    if run is None:
        messages.info(request, _("No customer is due for re-evaluation."))
        return redirect("monitoring:dashboard")
    runs.dispatch(run.pk)
    messages.success(request, _("Re-evaluation #%(id)s started for %(count)s customer(s).")
                     % {"id": run.pk, "count": run.customers})
    return redirect("monitoring:run_detail", pk=run.pk)


@require_http_methods(["GET", "POST"])
@login_required
def settings_edit(request: HttpRequest) -> HttpResponse:
    _require(perms.can_manage_settings(request.user))
    stored = {s.indicator: s for s in IndicatorSetting.objects.all()}
    initial = []
    for indicator in Indicator:
        setting = stored.get(indicator.value)
        threshold, severity = DEFAULTS[indicator]
        initial.append({
            "indicator": indicator.value,
            "enabled": setting.enabled if setting else True,
            "threshold": setting.threshold if setting else threshold,
            "severity": setting.severity if setting else severity,
        })
    months = services.cadence_months()
    data = request.POST if request.method == "POST" else None
    cadence = CadenceForm(data, initial_months=months)
    indicators = IndicatorFormSet(data, initial=initial, prefix="ind")
    if request.method == "POST" and cadence.is_valid() and indicators.is_valid():
        try:
            services.settings_update(
                actor=request.user, cadences=cadence.months(),
                indicators=[form.cleaned_data for form in indicators.forms],
            )
        except ValidationError as error:
            for message in _messages_from(error):
                messages.error(request, message)
        else:
            messages.success(request, _("Monitoring settings saved."))
            return redirect("monitoring:settings")
    labels = dict(Indicator.choices)
    rows = [(form, labels.get(form.initial.get("indicator") or form["indicator"].value(), "")) for form in indicators.forms]
    return render(request, "monitoring/settings.html", {"cadence": cadence, "indicators": indicators, "rows": rows})


@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """For load balancers and uptime checks: "ok" or "degraded" (HTTP 503), nothing else."""
    state = job_system_health()
    return JsonResponse({"status": "ok" if state.ok else "degraded"}, status=200 if state.ok else 503)
