"""Analysis screens: the admission funnel (and its downloads)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from analysis import exports
from analysis import permissions as perms
from analysis.forms import FunnelFilterForm
from analysis.funnel import DECISIONS, funnel, tables
from approvals.enums import Decision
from outcomes.selectors import chart_json


def _charts(result) -> dict[str, str]:
    stages = chart_json({
        "type": "bar",
        "data": {"labels": [r.label for r in result.stages], "datasets": [
            {"label": _("Entered"), "data": [r.entered for r in result.stages]},
            {"label": _("Moved on"), "data": [r.moved_on for r in result.stages]},
            {"label": _("Returned"), "data": [r.returned for r in result.stages]},
            {"label": _("Rejected"), "data": [r.rejected for r in result.stages]},
        ]},
        "options": {"scales": {"y": {"beginAtZero": True}}},
    })
    departments = chart_json({
        "type": "bar",
        "data": {"labels": [r.label for r in result.by_department], "datasets": [
            {"label": str(Decision(d).label), "data": [r.rate(d) or 0 for r in result.by_department]}
            for d in DECISIONS
        ]},
        "options": {"scales": {"x": {"stacked": True}, "y": {"stacked": True, "beginAtZero": True, "max": 100}}},
    })
    return {"stages": stages, "departments": departments}


@require_GET
@login_required
def funnel_page(request: HttpRequest) -> HttpResponse:
    if not perms.can_view_funnel(request.user):
        raise PermissionDenied
    own_only = not perms.sees_every_application(request.user)
    form = FunnelFilterForm(request.GET or None, own_only=own_only)
    filters = form.filters()
    result = funnel(request.user, filters)
    download = request.GET.get("download")
    if download:
        found = tables(result).get(download)
        fmt = request.GET.get("format", "csv")
        if found is None or fmt not in ("csv", "xlsx"):
            raise Http404
        stem, (header, rows) = found
        respond = exports.csv_response if fmt == "csv" else exports.xlsx_response
        return respond(stem, header, rows)
    query = request.GET.copy()
    query.pop("download", None)
    query.pop("format", None)
    return render(request, "analysis/funnel.html", {
        "form": form, "result": result, "charts": _charts(result), "own_only": own_only,
        "decisions": [Decision(d).label for d in DECISIONS], "query": query.urlencode(),
    })


@require_GET
@login_required
def validation_page(request: HttpRequest) -> HttpResponse:
    from analysis.validation import validate
    from screening.enums import VersionStatus
    from screening.models import ScorecardVersion
    from screening.selectors import published_version

    if not perms.can_view_validation(request.user):
        raise PermissionDenied
    versions = list(ScorecardVersion.objects.filter(status__in=[VersionStatus.PUBLISHED, VersionStatus.DRAFT])
                    .order_by("-number"))
    published = published_version()
    chosen_id = request.GET.get("version", "")
    chosen = next((v for v in versions if str(v.pk) == chosen_id), None) or published or (versions[0] if versions else None)
    if chosen is None:
        raise Http404
    window = request.GET.get("window", "")
    window_months = int(window) if window.isascii() and window.isdigit() and 1 <= int(window) <= 36 else 12
    report = validate(chosen, window_months=window_months)
    reports = [report]
    if published is not None and published.pk != chosen.pk:
        reports.insert(0, validate(published, window_months=window_months))
    chart = ""
    if report.bands:
        chart = chart_json({
            "type": "bar",
            "data": {"labels": [b[0] for b in report.bands],
                     "datasets": [{"label": _("Bad rate %"), "data": [b[3] for b in report.bands]}]},
            "options": {"plugins": {"legend": {"display": False}}, "scales": {"y": {"beginAtZero": True}}},
        })
    return render(request, "analysis/validation.html", {
        "versions": versions, "report": report, "reports": reports, "chart": chart,
    })


# --- The case library ------------------------------------------------------------------------


def _case_data(form) -> dict:
    return {name: form.cleaned_data[name] for name in ("kind", "title", "analysis", "caught_by", "lessons", "tags",
                                                       "published_to")}


@require_GET
@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    from django.core.paginator import Paginator

    from analysis import cases
    from analysis.forms import CaseSearchForm

    if not perms.can_list_cases(request.user):
        raise PermissionDenied
    form = CaseSearchForm(request.GET or None)
    terms = form.cleaned_data if form.is_valid() else {}
    found = cases.search(cases.cases_visible_to(request.user), q=terms.get("q", ""), kind=terms.get("kind", ""),
                         tag=terms.get("tag", ""))
    page = Paginator(found, 25).get_page(request.GET.get("page"))
    return render(request, "analysis/case_list.html", {
        "form": form, "page": page, "can_manage": perms.can_manage_cases(request.user),
    })


def _visible_case(request: HttpRequest, pk: int):
    from analysis import cases

    case = cases.cases_visible_to(request.user).filter(pk=pk).first()
    if case is None:
        raise Http404
    return case


@require_GET
@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    from analysis import cases
    from analysis.presentation import facts_for_people

    case = _visible_case(request, pk)
    return render(request, "analysis/case_detail.html", {
        "case": case, "analysis_html": cases.render_markdown(case.analysis),
        "lessons_html": cases.render_markdown(case.lessons), "facts": facts_for_people(case.facts),
        "can_manage": perms.can_manage_cases(request.user),
    })


@require_http_methods(["GET", "POST"])
@login_required
def case_create(request: HttpRequest) -> HttpResponse:
    from django.shortcuts import get_object_or_404, redirect

    from analysis import cases
    from analysis.forms import CaseForm
    from onboarding.models import Application, Customer

    if not perms.can_manage_cases(request.user):
        raise PermissionDenied
    source = request.GET if request.method == "GET" else request.POST
    customer = application = None
    if str(source.get("customer", "")).isdigit():
        customer = get_object_or_404(Customer, pk=int(source["customer"]))
    elif str(source.get("application", "")).isdigit():
        application = get_object_or_404(Application, pk=int(source["application"]))
    else:
        raise Http404
    form = CaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case = cases.case_create(actor=request.user, customer=customer, application=application,
                                     **_case_data(form))
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            return redirect("analysis:case_detail", pk=case.pk)
    return render(request, "analysis/case_form.html", {"form": form, "customer": customer,
                                                       "application": application, "case": None})


@require_http_methods(["GET", "POST"])
@login_required
def case_edit(request: HttpRequest, pk: int) -> HttpResponse:
    from django.shortcuts import get_object_or_404, redirect

    from analysis import cases
    from analysis.forms import CaseForm
    from analysis.models import Case

    if not perms.can_manage_cases(request.user):
        _visible_case(request, pk)  # 404 to those who may not read it
        raise PermissionDenied
    case = get_object_or_404(Case, pk=pk)
    initial = {"kind": case.kind, "title": case.title, "analysis": case.analysis, "caught_by": case.caught_by,
               "lessons": case.lessons, "tags": ", ".join(case.tag_list), "published_to": case.published_to}
    form = CaseForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            cases.case_update(actor=request.user, case_id=case.pk, **_case_data(form))
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            return redirect("analysis:case_detail", pk=case.pk)
    return render(request, "analysis/case_form.html", {"form": form, "customer": case.customer,
                                                       "application": case.application, "case": case})


@require_POST
@login_required
def version_cases(request: HttpRequest, pk: int) -> HttpResponse:
    """Cite a case in a draft's change note, or remove one (POST from the version page's panel)."""
    from django.contrib import messages
    from django.shortcuts import get_object_or_404, redirect

    from analysis import cases
    from analysis.forms import CaseCiteForm
    from screening.models import ScorecardVersion

    version = get_object_or_404(ScorecardVersion, pk=pk)
    if not perms.can_manage_cases(request.user):
        raise PermissionDenied
    form = CaseCiteForm(request.POST, cases=cases.cases_visible_to(request.user))
    if request.POST.get("action") == "remove":
        # The one to remove is cited already, so it is not among the picker's choices: read the id alone.
        from accounts.validators import parse_id

        case_id = parse_id(request.POST.get("case"))
        valid = case_id is not None
    else:
        valid = form.is_valid()
        case_id = form.cleaned_data["case"] if valid else None
    if not valid:
        messages.error(request, _("Choose a case from the library."))
        return redirect("screening:scorecard_detail", pk=version.pk)
    try:
        if request.POST.get("action") == "remove":
            cases.case_uncite(actor=request.user, version_id=version.pk, case_id=case_id)
            messages.success(request, _("The case is no longer cited."))
        else:
            cases.case_cite(actor=request.user, version_id=version.pk, case_id=case_id)
            messages.success(request, _("The case is cited in the change note."))
    except PermissionDenied:
        raise
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    return redirect("screening:scorecard_detail", pk=version.pk)
