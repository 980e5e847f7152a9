"""Onboarding screens. Thin: load with permission, validate, one service call, respond."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.validators import parse_id
from onboarding import audit, previews, selectors, services
from onboarding import permissions as perms
from onboarding.files import protected_file_response
from onboarding.filters import ApplicationFilter
from onboarding.forms import (
    ApplicationForm,
    ContactFormSet,
    DocumentReplaceForm,
    DocumentReviewForm,
    DocumentUploadForm,
    FinancialFormSet,
    TransitionForm,
    document_type_for_customer,
)
from onboarding.models import Application, Document
from onboarding.pagination import next_page
from onboarding.rendering import filter_fields
from onboarding.validators import normalise_credit_code, validate_credit_code

PAGE_SIZE = 25


def _get_application(request: HttpRequest, pk: int, queryset=None) -> Application:
    """Fetch and authorise in one step: outsiders get a 404, not a hint that it exists."""
    application = get_object_or_404(queryset if queryset is not None else Application.objects.all(), pk=pk)
    if not perms.can_view(request.user, application):
        raise Http404
    return application


def _get_document(request: HttpRequest, pk: int) -> Document:
    document = get_object_or_404(Document.objects.select_related("application", "document_type"), pk=pk)
    if not perms.can_view(request.user, document.application):
        raise Http404
    return document


def _paginated_list(request: HttpRequest, queryset, template: str, title: str, **extra) -> HttpResponse:
    if "state_chart" in extra:
        extra["state_chart_json"] = json.dumps(extra["state_chart"], ensure_ascii=False)
    filterset = ApplicationFilter(request.GET or None, queryset=queryset)
    # No total: counting every matching application is what grew with the years (issue 16).
    page = next_page(filterset.qs, request.GET.get("page"), PAGE_SIZE)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, template,
        {"filter": filterset, "filter_fields": filter_fields(filterset.form), "page": page, "title": title,
         "query": query.urlencode(), **extra},
    )


@login_required
def my_applications(request: HttpRequest) -> HttpResponse:
    queryset = selectors.applications_visible_to(request.user).filter(created_by=request.user)
    return _paginated_list(
        request, queryset, "onboarding/application_list.html", _("My applications"),
        can_create=perms.can_create(request.user),
    )


@login_required
def application_list(request: HttpRequest) -> HttpResponse:
    if not perms.can_list_all(request.user):
        raise PermissionDenied
    return _paginated_list(request, selectors.applications_visible_to(request.user),
                           "onboarding/application_list.html", _("All applications"),
                           state_chart=selectors.state_chart())


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    if not perms.can_list_all(request.user):
        raise PermissionDenied
    return _paginated_list(request, selectors.queue_for(request.user), "onboarding/application_list.html",
                           _("Awaiting my action"), is_queue=True)


def _edit_forms(request: HttpRequest, application: Application | None, strict: bool):
    data = request.POST if request.method == "POST" else None
    instance = application or Application()
    form = ApplicationForm(data, instance=application, strict=strict)
    financials = FinancialFormSet(data, instance=instance, prefix="fin", strict=strict)
    contacts = ContactFormSet(data, instance=instance, prefix="contact", strict=strict)
    return form, financials, contacts


@require_http_methods(["GET", "POST"])
@login_required
def application_create(request: HttpRequest) -> HttpResponse:
    if not perms.can_create(request.user):
        raise PermissionDenied
    return _application_form(request, None)


@require_http_methods(["GET", "POST"])
@login_required
def application_edit(request: HttpRequest, pk: int) -> HttpResponse:
    application = _get_application(request, pk)
    if not perms.can_edit(request.user, application):
        messages.error(request, _("This application can no longer be edited."))
        return redirect("onboarding:application_detail", pk=pk)
    return _application_form(request, application)


def _application_form(request: HttpRequest, application: Application | None) -> HttpResponse:
    submitting = request.method == "POST" and "submit" in request.POST
    form, financials, contacts = _edit_forms(request, application, strict=submitting)
    if request.method == "POST":
        if form.is_valid() and financials.is_valid() and contacts.is_valid():
            with transaction.atomic():
                application = services.application_save(
                    application=application, form=form, financials=financials, contacts=contacts, actor=request.user
                )
            if submitting:
                return _take_transition(
                    request, application, "resubmit" if application.state == "returned" else "submit",
                    expected_state=application.state, on_refusal="edit",
                )
            messages.success(request, _("Draft saved."))
            return redirect("onboarding:application_edit", pk=application.pk)
        messages.error(request, _("Please correct the errors below."))
    # Once posted, only a code that passed validation is looked up (a NUL cannot even be queried).
    code = form.cleaned_data.get("credit_code") if form.is_bound else form["credit_code"].value()
    conflicts = selectors.credit_code_conflicts(
        code or "", exclude_application_id=application.pk if application else None
    )
    return render(
        request, "onboarding/application_form.html",
        {"form": form, "financials": financials, "contacts": contacts, "application": application,
         "conflicts": conflicts},
    )


def _take_transition(request, application, transition, *, expected_state, reason="", on_refusal="detail"):
    try:
        services.application_transition(
            application_id=application.pk, transition=transition, actor=request.user, reason=reason,
            expected_state=expected_state,
        )
    except services.TransitionRefused as refused:
        for message in refused.messages:
            messages.error(request, message)
        target = "onboarding:application_edit" if on_refusal == "edit" else "onboarding:application_detail"
        return redirect(target, pk=application.pk)
    messages.success(request, services.TRANSITION_DONE_MESSAGES[transition]())
    return redirect("onboarding:application_detail", pk=application.pk)


@require_GET
@login_required
def credit_code_check(request: HttpRequest) -> HttpResponse:
    """HTMX feedback on the credit code field: is it valid, and who already has it."""
    if not perms.can_create(request.user):
        raise PermissionDenied
    code = normalise_credit_code(request.GET.get("credit_code", ""))
    error = None
    conflicts = None
    if code:
        try:
            validate_credit_code(code)
        except ValidationError as invalid:
            error = invalid.messages[0]
        else:
            exclude = request.GET.get("exclude", "")
            conflicts = selectors.credit_code_conflicts(code, exclude_application_id=parse_id(exclude))
    return render(request, "onboarding/partials/credit_code_feedback.html",
                  {"code": code, "error": error, "conflicts": conflicts})


@require_GET
@login_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = _get_application(request, pk, selectors.application_page_queryset())
    actions = services.available_transitions(application, request.user)
    return render(
        request, "onboarding/application_detail.html",
        {
            "application": application,
            "checklist": selectors.document_checklist(application),
            "actions": [(name, services.TRANSITION_LABELS[name]()) for name in actions],
            "blockers": {name: services.guards.blockers(application, name) for name in actions},
            "can_edit": perms.can_edit(request.user, application),
            "can_review_documents": perms.can_review_documents(request.user, application),
            "can_view_audit": perms.can_view_audit(request.user),
            "upload_form": _upload_form(application),
            "conflicts": selectors.credit_code_conflicts(application.credit_code, exclude_application_id=application.pk),
            "reason_required": services.REASON_REQUIRED,
            "segregation_notice": perms.stage_refusal(application, request.user),
        },
    )


def _upload_form(application: Application, data=None, files=None) -> DocumentUploadForm:
    form = DocumentUploadForm(data, files)
    document_type_for_customer(form, application.customer_type)
    return form


@require_POST
@login_required
def application_transition(request: HttpRequest, pk: int) -> HttpResponse:
    application = _get_application(request, pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The request was incomplete; please try again."))
        return redirect("onboarding:application_detail", pk=pk)
    return _take_transition(
        request, application, form.cleaned_data["transition"], expected_state=form.cleaned_data["expected_state"],
        reason=form.cleaned_data["reason"],
    )


@require_POST
@login_required
def document_upload(request: HttpRequest, pk: int) -> HttpResponse:
    application = _get_application(request, pk)
    if not perms.can_edit(request.user, application):
        raise PermissionDenied
    form = _upload_form(application, request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("onboarding:application_detail", pk=pk)
    stored, refused = services.documents_upload(
        application=application, document_type=form.cleaned_data["document_type"],
        uploads=form.cleaned_data["files"], actor=request.user,
    )
    for name in stored:
        messages.success(request, _("%(name)s uploaded.") % {"name": name})
    for error in refused:
        messages.error(request, error)
    return redirect("onboarding:application_detail", pk=pk)


@require_POST
@login_required
def document_replace(request: HttpRequest, pk: int) -> HttpResponse:
    document = _get_document(request, pk)
    form = DocumentReplaceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.document_upload(
                application=document.application, document_type=document.document_type,
                upload=form.cleaned_data["file"], actor=request.user, replaces=document,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("New version uploaded."))
    else:
        messages.error(request, _("Choose a file to upload."))
    return redirect("onboarding:application_detail", pk=document.application_id)


@require_POST
@login_required
def document_remove(request: HttpRequest, pk: int) -> HttpResponse:
    document = _get_document(request, pk)
    services.document_remove(document=document, actor=request.user)
    messages.success(request, _("Document removed."))
    return redirect("onboarding:application_detail", pk=document.application_id)


@require_GET
@login_required
def document_download(request: HttpRequest, pk: int) -> FileResponse:
    return protected_file_response(_get_document(request, pk), inline=False)


@require_GET
@login_required
@xframe_options_sameorigin
def document_preview(request: HttpRequest, pk: int) -> FileResponse:
    """Inline view for the review screen; only for types a browser renders safely."""
    document = _get_document(request, pk)
    if not document.previewable:
        raise Http404
    return protected_file_response(document, inline=True)


@require_GET
@login_required
def document_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Page ``?n=`` of a PDF as a PNG image for the review screen (onboarding.previews)."""
    document = _get_document(request, pk)
    number = parse_id(request.GET.get("n", "1"))
    if document.content_type != "application/pdf" or number is None:
        raise Http404
    try:
        png = previews.page_png(document, number)
    except previews.NoPreview:
        raise Http404 from None
    response = HttpResponse(png, content_type="image/png")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@require_GET
@login_required
def document_review_page(request: HttpRequest, pk: int) -> HttpResponse:
    application = _get_application(request, pk, selectors.application_page_queryset())
    return render(
        request, "onboarding/document_review.html",
        {
            "application": application,
            "checklist": selectors.document_checklist(application),
            "can_review": perms.can_review_documents(request.user, application),
            "actions": [
                (name, services.TRANSITION_LABELS[name]())
                for name in services.available_transitions(application, request.user)
            ],
            "blockers": services.guards.blockers(application, "pass_documents"),
            "reason_required": services.REASON_REQUIRED,
            "segregation_notice": perms.stage_refusal(application, request.user),
        },
    )


@require_POST
@login_required
def credit_code_accept(request: HttpRequest, pk: int) -> HttpResponse:
    """The document reviewer accepts a non-standard credit code (POST, CSRF)."""
    application = _get_application(request, pk)
    try:
        services.credit_code_accept(application_id=application.pk, actor=request.user)
    except (ValidationError, PermissionDenied) as error:
        for message in getattr(error, "messages", None) or [str(error)]:
            messages.error(request, message)
    else:
        messages.success(request, _("The non-standard credit code is accepted."))
    return redirect("onboarding:document_review", pk=application.pk)


@require_POST
@login_required
def document_review(request: HttpRequest, pk: int) -> HttpResponse:
    document = _get_document(request, pk)
    form = DocumentReviewForm(request.POST)
    errors: list[str] = []
    if form.is_valid():
        try:
            document = services.document_review(
                document_id=document.pk, actor=request.user, accept=form.cleaned_data["decision"] == "accept",
                reason=form.cleaned_data["reason"], expires_on=form.cleaned_data.get("expires_on"),
            )
        except (ValidationError, PermissionDenied) as error:
            errors = getattr(error, "messages", None) or [str(error)]
    else:
        errors = [error for field_errors in form.errors.values() for error in field_errors]
    if request.htmx:
        line = next(
            ln for ln in selectors.document_checklist(document.application)
            if ln.document_type_id == document.document_type_id
        )
        return render(request, "onboarding/partials/review_line.html", {
            "line": line, "can_review": perms.can_review_documents(request.user, document.application),
            "application": document.application, "errors": errors,
        })
    for error in errors:
        messages.error(request, error)
    return redirect("onboarding:document_review", pk=document.application_id)


@require_GET
@login_required
def application_audit(request: HttpRequest, pk: int) -> HttpResponse:
    """The audit trail in words, filtered by field and person; ``?download=csv`` for the same rows as CSV."""
    if not perms.can_view_audit(request.user):
        raise PermissionDenied
    application = _get_application(request, pk)
    entries = audit.audit_entries(application)
    form = audit.AuditFilterForm(request.GET or None, entries=entries)
    shown = entries
    invalid = form.is_bound and not form.is_valid()
    if form.is_bound and not invalid:
        shown = audit.filtered(entries, field_name=form.cleaned_data["field"],
                               person_id=parse_id(form.cleaned_data["person"]))
    if request.GET.get("download") == "csv" and not invalid:
        return audit.csv_download(application, shown)
    query = request.GET.copy()
    query["download"] = "csv"
    return render(request, "onboarding/audit.html", {
        "application": application, "entries": shown, "form": form, "total": len(entries),
        "csv_query": query.urlencode(),
    }, status=400 if invalid else 200)
