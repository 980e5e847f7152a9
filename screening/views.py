"""Screening screens. Thin: load with permission, validate, one service call, respond."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from onboarding import permissions as onboarding_perms
from onboarding import services as onboarding_services
from onboarding.enums import State
from onboarding.files import protected_file_response
from onboarding.models import Application
from screening import permissions as perms
from screening import selectors, services
from screening.forms import (
    BACKGROUND_TRANSITIONS,
    BackgroundTransitionForm,
    BandFormSet,
    CriterionFormSet,
    InterviewForm,
    InvestigationPolicyForm,
    KnockOutFormSet,
    PhotoUploadForm,
    ScorecardVersionForm,
    SiteVisitForm,
    ThirdPartyReportForm,
)
from screening.models import Criterion, ScorecardVersion, SiteVisit, SiteVisitPhoto, ThirdPartyReport
from screening.presentation import band_rows, breakdown_context, rule_parameter_text

WHAT_IF_LIMIT = 200


# --- Fetch and authorise ---

def _get_application(request: HttpRequest, pk: int) -> Application:
    """Outsiders get a 404 (no hint that it exists); people who see it but not its investigation, a 403."""
    application = get_object_or_404(
        Application.objects.select_related("created_by", "industry", "customer", "document_reviewer", "investigator")
        .prefetch_related("financials"),
        pk=pk,
    )
    if not onboarding_perms.can_view(request.user, application):
        raise Http404
    if not perms.can_view_investigation(request.user, application):
        raise PermissionDenied
    return application


def _require_investigator(request: HttpRequest, application: Application) -> None:
    if not perms.can_investigate(request.user, application):
        raise PermissionDenied


def _require_manager(request: HttpRequest) -> None:
    if not perms.can_manage_scorecards(request.user):
        raise PermissionDenied


def _errors_to_messages(request: HttpRequest, error: ValidationError | PermissionDenied) -> None:
    for message in getattr(error, "messages", None) or [str(error) or _("You cannot do this.")]:
        messages.error(request, message)


# --- The background-check screen ---

def _screen(request: HttpRequest, application: Application, status: int = 200, **forms) -> HttpResponse:
    can_investigate = perms.can_investigate(request.user, application)
    requirements = selectors.investigation_requirements(application)
    context = {
        **breakdown_context(application),
        "application": application,
        "wide": True,
        "can_investigate": can_investigate,
        "requirements": requirements,
        "interviews": application.interviews.select_related("recorded_by"),
        "site_visits": application.site_visits.select_related("recorded_by").prefetch_related(
            Prefetch("photos", queryset=SiteVisitPhoto.objects.order_by("uploaded_at", "pk"))
        ),
        "reports": application.third_party_reports.select_related("recorded_by"),
        "interview_form": forms.get("interview_form") or InterviewForm(prefix="interview"),
        "site_visit_form": forms.get("site_visit_form") or SiteVisitForm(
            prefix="visit", initial={"address": application.operating_address}
        ),
        "report_form": forms.get("report_form") or ThirdPartyReportForm(prefix="report"),
        "photo_form": PhotoUploadForm(),
        "actions": [
            (name, onboarding_services.TRANSITION_LABELS[name]())
            for name in onboarding_services.available_transitions(application, request.user)
            if name in BACKGROUND_TRANSITIONS
        ] if can_investigate else [],
        "blockers": onboarding_services.guards.blockers(application, "pass_background_check")
        if application.state == State.BACKGROUND_CHECK else [],
        "reason_required": onboarding_services.REASON_REQUIRED,
        "segregation_notice": onboarding_perms.stage_refusal(application, request.user),
    }
    return render(request, "screening/application_screen.html", context, status=status)


@require_GET
@login_required
def application_screen(request: HttpRequest, pk: int) -> HttpResponse:
    return _screen(request, _get_application(request, pk))


@require_POST
@login_required
def evaluate_again(request: HttpRequest, pk: int) -> HttpResponse:
    application = _get_application(request, pk)
    _require_investigator(request, application)
    try:
        evaluation = services.evaluation_request(application=application, actor=request.user)
    except ValidationError as error:
        _errors_to_messages(request, error)
    else:
        messages.success(request, _("Evaluated again: %(total)s points, tier %(tier)s.")
                         % {"total": evaluation.total, "tier": evaluation.tier})
    return redirect("screening:application_screen", pk=pk)


@require_POST
@login_required
def background_transition(request: HttpRequest, pk: int) -> HttpResponse:
    """Pass to committee, return for information or reject; refusals come back as messages."""
    application = _get_application(request, pk)
    form = BackgroundTransitionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("screening:application_screen", pk=pk)
    transition = form.cleaned_data["transition"]
    try:
        onboarding_services.application_transition(
            application_id=application.pk, transition=transition, actor=request.user,
            reason=form.cleaned_data["reason"], expected_state=form.cleaned_data["expected_state"],
        )
    except onboarding_services.TransitionRefused as refused:
        for message in refused.messages:
            messages.error(request, message)
        return redirect("screening:application_screen", pk=pk)
    messages.success(request, onboarding_services.TRANSITION_DONE_MESSAGES[transition]())
    return redirect("onboarding:application_detail", pk=pk)


@require_POST
@login_required
def interview_add(request: HttpRequest, pk: int) -> HttpResponse:
    application = _get_application(request, pk)
    _require_investigator(request, application)
    form = InterviewForm(request.POST, prefix="interview")
    if not form.is_valid():
        messages.error(request, _("Please correct the errors in the interview record."))
        return _screen(request, application, status=400, interview_form=form)
    try:
        services.interview_record(application=application, actor=request.user, **form.cleaned_data)
    except ValidationError as error:  # a gate (accounts.gates) holds the investigator back
        for message in error.messages:
            messages.error(request, message)
        return redirect("screening:application_screen", pk=pk)
    messages.success(request, _("Interview recorded."))
    return redirect("screening:application_screen", pk=pk)


@require_POST
@login_required
def site_visit_add(request: HttpRequest, pk: int) -> HttpResponse:
    application = _get_application(request, pk)
    _require_investigator(request, application)
    form = SiteVisitForm(request.POST, request.FILES, prefix="visit")
    if form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "photos"}
        try:
            services.site_visit_record(
                application=application, actor=request.user, photos=form.cleaned_data["photos"], **fields
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error("photos", message)
        else:
            messages.success(request, _("Site visit recorded."))
            return redirect("screening:application_screen", pk=pk)
    messages.error(request, _("Please correct the errors in the site visit record."))
    return _screen(request, application, status=400, site_visit_form=form)


@require_POST
@login_required
def site_visit_photos(request: HttpRequest, pk: int) -> HttpResponse:
    visit = get_object_or_404(SiteVisit, pk=pk)
    application = _get_application(request, visit.application_id)
    _require_investigator(request, application)
    form = PhotoUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose one or more photos."))
        return redirect("screening:application_screen", pk=application.pk)
    stored, errors = services.site_visit_photos_add(site_visit=visit, uploads=form.cleaned_data["photos"],
                                                    actor=request.user)
    for name in stored:
        messages.success(request, _("%(name)s uploaded.") % {"name": name})
    for error in errors:
        messages.error(request, error)
    return redirect("screening:application_screen", pk=application.pk)


@require_POST
@login_required
def report_add(request: HttpRequest, pk: int) -> HttpResponse:
    application = _get_application(request, pk)
    _require_investigator(request, application)
    form = ThirdPartyReportForm(request.POST, request.FILES, prefix="report")
    if form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "file"}
        try:
            services.third_party_report_record(
                application=application, actor=request.user, upload=form.cleaned_data["file"], **fields
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error("file", message)
        else:
            messages.success(request, _("Third-party report recorded."))
            return redirect("screening:application_screen", pk=pk)
    messages.error(request, _("Please correct the errors in the third-party report."))
    return _screen(request, application, status=400, report_form=form)


@require_GET
@login_required
def photo_view(request: HttpRequest, pk: int) -> FileResponse:
    """A site-visit photo, inline (JPEG/PNG only were accepted); ``?download=1`` saves it."""
    photo = get_object_or_404(SiteVisitPhoto.objects.select_related("site_visit"), pk=pk)
    _get_application(request, photo.site_visit.application_id)
    return protected_file_response(photo, inline=request.GET.get("download") != "1")


@require_GET
@login_required
def report_download(request: HttpRequest, pk: int) -> FileResponse:
    report = get_object_or_404(ThirdPartyReport, pk=pk)
    _get_application(request, report.application_id)
    return protected_file_response(report, inline=False)


# --- Scorecard management (risk managers) ---

@require_GET
@login_required
def scorecard_list(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    return render(request, "screening/scorecard_list.html", {"versions": selectors.versions_for_list()})


def _get_version(request: HttpRequest, pk: int) -> ScorecardVersion:
    _require_manager(request)
    return get_object_or_404(ScorecardVersion.objects.select_related("author", "publisher", "based_on"), pk=pk)


@require_GET
@login_required
def scorecard_detail(request: HttpRequest, pk: int) -> HttpResponse:
    version = _get_version(request, pk)
    return render(request, "screening/scorecard_detail.html", {
        "version": version,
        "criteria": [(c, band_rows(c)) for c in version.criteria.prefetch_related("bands")],
        "rules": [(rule, rule_parameter_text(rule)) for rule in version.knockout_rules.all()],
        "problems": services.scorecard_problems(version) if version.is_draft else [],
        "can_edit": perms.can_edit_draft(request.user, version),
        "can_publish": perms.can_publish(request.user, version),
        "publication_requested": version.is_draft and services.publication_requested(version),
        "segregation_notice": (
            _("You wrote this draft: a different risk manager must check and publish it (maker-checker).")
            if version.is_draft and perms.can_edit_draft(request.user, version) else None
        ),
    })


@require_POST
@login_required
def scorecard_copy(request: HttpRequest, pk: int) -> HttpResponse:
    version = _get_version(request, pk)
    draft = services.scorecard_copy(version=version, actor=request.user)
    messages.success(request, _("Draft version %(number)s created.") % {"number": draft.number})
    return redirect("screening:scorecard_edit", pk=draft.pk)


@require_http_methods(["GET", "POST"])
@login_required
def scorecard_edit(request: HttpRequest, pk: int) -> HttpResponse:
    version = _get_version(request, pk)
    if not perms.can_edit_draft(request.user, version):
        messages.error(request, _("Only the author of a draft can edit it; published versions never change."))
        return redirect("screening:scorecard_detail", pk=pk)
    data = request.POST if request.method == "POST" else None
    form = ScorecardVersionForm(data, instance=version)
    criteria = CriterionFormSet(
        data, instance=version, prefix="criteria", queryset=version.criteria.annotate(band_count=Count("bands"))
    )
    knockouts = KnockOutFormSet(data, instance=version, prefix="rules")
    if request.method == "POST":
        if form.is_valid() and criteria.is_valid() and knockouts.is_valid():
            try:
                services.scorecard_draft_save(
                    version=version, actor=request.user, form=form, criteria=criteria, knockouts=knockouts
                )
            except (ValidationError, PermissionDenied) as error:
                _errors_to_messages(request, error)
            else:
                messages.success(request, _("Draft saved."))
                return redirect("screening:scorecard_edit", pk=pk)
        else:
            messages.error(request, _("Please correct the errors below."))
    return render(request, "screening/scorecard_edit.html", {
        "version": version, "form": form, "criteria": criteria, "knockouts": knockouts,
    }, status=400 if request.method == "POST" else 200)


@require_http_methods(["GET", "POST"])
@login_required
def criterion_bands(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manager(request)
    criterion = get_object_or_404(Criterion.objects.select_related("version"), pk=pk)
    version = criterion.version
    if not perms.can_edit_draft(request.user, version):
        messages.error(request, _("Only the author of a draft can edit it; published versions never change."))
        return redirect("screening:scorecard_detail", pk=version.pk)
    bands = BandFormSet(request.POST if request.method == "POST" else None, instance=criterion, prefix="bands")
    if request.method == "POST":
        if bands.is_valid():
            try:
                services.scorecard_bands_save(criterion=criterion, actor=request.user, bands=bands)
            except (ValidationError, PermissionDenied) as error:
                _errors_to_messages(request, error)
            else:
                messages.success(request, _("Bands saved."))
                return redirect("screening:scorecard_edit", pk=version.pk)
        else:
            messages.error(request, _("Please correct the errors below."))
    return render(request, "screening/criterion_bands.html", {
        "version": version, "criterion": criterion, "bands": bands,
    }, status=400 if request.method == "POST" else 200)


@require_GET
@login_required
def scorecard_what_if(request: HttpRequest, pk: int) -> HttpResponse:
    version = _get_version(request, pk)
    report = selectors.what_if(version, limit=WHAT_IF_LIMIT)
    return render(request, "screening/scorecard_what_if.html", {
        "version": version, "report": report, "limit": WHAT_IF_LIMIT, "tiers": ("A", "B", "C", "D"),
    })


@require_POST
@login_required
def scorecard_publish(request: HttpRequest, pk: int) -> HttpResponse:
    version = _get_version(request, pk)
    try:
        services.scorecard_publish(version_id=version.pk, actor=request.user)
    except (ValidationError, PermissionDenied) as error:
        _errors_to_messages(request, error)
    else:
        messages.success(request, _("Version %(number)s is published; the previous version is retired.")
                         % {"number": version.number})
    return redirect("screening:scorecard_detail", pk=pk)


@require_POST
@login_required
def scorecard_ask_publication(request: HttpRequest, pk: int) -> HttpResponse:
    version = _get_version(request, pk)
    try:
        told = services.scorecard_publication_request(version_id=version.pk, actor=request.user)
    except (ValidationError, PermissionDenied) as error:
        _errors_to_messages(request, error)
    else:
        if told:
            messages.success(request, ngettext(
                "%(count)d risk manager was asked to publish this draft.",
                "%(count)d risk managers were asked to publish this draft.", told) % {"count": told})
        else:
            messages.info(request, _("The other risk managers were already asked to publish this draft."))
    return redirect("screening:scorecard_detail", pk=pk)


@require_POST
@login_required
def scorecard_delete(request: HttpRequest, pk: int) -> HttpResponse:
    version = _get_version(request, pk)
    try:
        services.scorecard_draft_delete(version_id=version.pk, actor=request.user)
    except (ValidationError, PermissionDenied) as error:
        _errors_to_messages(request, error)
        return redirect("screening:scorecard_detail", pk=pk)
    messages.success(request, _("Draft discarded."))
    return redirect("screening:scorecard_list")


@require_http_methods(["GET", "POST"])
@login_required
def policy_edit(request: HttpRequest) -> HttpResponse:
    if not perms.can_edit_policy(request.user):
        raise PermissionDenied
    policy = selectors.investigation_policy()
    form = InvestigationPolicyForm(request.POST if request.method == "POST" else None, instance=policy)
    if request.method == "POST":
        if form.is_valid():
            services.investigation_policy_update(form=form, actor=request.user)
            messages.success(request, _("Investigation policy saved."))
            return redirect("screening:policy_edit")
        messages.error(request, _("Please correct the errors below."))
    return render(request, "screening/policy_form.html", {"form": form, "policy": policy},
                  status=400 if request.method == "POST" else 200)
