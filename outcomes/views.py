"""Outcomes screens. Thin: check the role, validate, one service call, respond."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from onboarding.models import Customer
from outcomes import permissions as perms
from outcomes import selectors, services
from outcomes.forms import ReceivablesUploadForm, WriteOffForm
from outcomes.models import ReceivablesImport
from outcomes.receivables import HEADER


@require_http_methods(["GET", "POST"])
@login_required
def import_page(request: HttpRequest) -> HttpResponse:
    if not perms.can_import(request.user):
        raise PermissionDenied
    form = ReceivablesUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.receivables_upload(actor=request.user, upload=form.cleaned_data["file"])
        except ValidationError as error:
            for message in error.messages:
                form.add_error("file", message)
        else:
            return redirect("outcomes:import_detail", pk=job.pk)
    return render(request, "outcomes/import.html", {
        "form": form, "imports": selectors.recent_imports(), "header": ",".join(HEADER),
    })


@require_GET
@login_required
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress page; HTMX polls it for the progress partial until the import finishes."""
    if not perms.can_import(request.user):
        raise PermissionDenied
    job = get_object_or_404(ReceivablesImport.objects.select_related("uploaded_by"), pk=pk)
    if request.htmx:
        return render(request, "outcomes/partials/import_progress.html", {"job": job})
    return render(request, "outcomes/import_detail.html", {"job": job})


@require_POST
@login_required
def write_off(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_object_or_404(Customer, pk=pk)
    if not perms.can_write_off(request.user):
        if perms.can_view_outcome(request.user, customer):
            raise PermissionDenied
        raise Http404
    form = WriteOffForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect("approvals:customer_detail", pk=pk)
    try:
        services.outcome_write_off(customer_id=customer.pk, actor=request.user,
                                   written_off_on=form.cleaned_data["written_off_on"],
                                   reason=form.cleaned_data["reason"])
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The write-off is recorded; the customer's outcome is “written off”."))
    return redirect("approvals:customer_detail", pk=pk)
