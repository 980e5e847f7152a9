"""Watchlist screens. Thin: load with permission, validate, one service call, respond."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from watchlists import conf, selectors, services
from watchlists import permissions as perms
from watchlists.forms import DispositionForm, ImportForm, RefreshForm, SearchForm
from watchlists.importing import ImportFailed
from watchlists.matching import search
from watchlists.models import ImportJob, ScreeningHit
from watchlists.templatetags.watchlist_tags import hits_panel_context

PAGE_SIZE = 25
RECENT_IMPORTS = 5


@require_GET
@login_required
def source_list(request: HttpRequest) -> HttpResponse:
    if not perms.can_manage_lists(request.user):
        raise PermissionDenied
    page = Paginator(selectors.sources_overview(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "watchlists/source_list.html", {"page": page})


@require_GET
@login_required
def source_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A list: its last imports' differences, who they re-screened, and a failed refresh."""
    if not perms.can_manage_lists(request.user):
        raise PermissionDenied
    source = get_object_or_404(selectors.sources_overview(), pk=pk)
    form = RefreshForm(initial={"refresh_location": source.refresh_location,
                                "refresh_format": source.refresh_format, "refresh_hours": source.refresh_hours})
    return _source_page(request, source, form)


def _source_page(request: HttpRequest, source, form: RefreshForm, status: int = 200) -> HttpResponse:
    return render(request, "watchlists/source_detail.html", {
        "source": source, "changes": selectors.recent_changes(source.pk), "form": form,
    }, status=status)


@require_POST
@login_required
def source_refresh_settings(request: HttpRequest, pk: int) -> HttpResponse:
    if not perms.can_manage_lists(request.user):
        raise PermissionDenied
    source = get_object_or_404(selectors.sources_overview(), pk=pk)
    form = RefreshForm(request.POST)
    if not form.is_valid():
        return _source_page(request, source, form, status=400)
    services.source_refresh_configure(
        source_id=source.pk, actor=request.user, location=form.cleaned_data["refresh_location"],
        file_format=form.cleaned_data["refresh_format"], hours=form.cleaned_data["refresh_hours"],
    )
    messages.success(request, _("Refresh settings saved."))
    return redirect("watchlists:source_detail", pk=source.pk)


@require_http_methods(["GET", "POST"])
@login_required
def import_list(request: HttpRequest) -> HttpResponse:
    if not perms.can_manage_lists(request.user):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None, initial={"source": request.GET.get("source", "")})
    if request.method == "POST" and form.is_valid():
        try:
            job = services.import_job_create(
                upload=form.cleaned_data["file"], source_name=form.cleaned_data["source"],
                file_format=form.cleaned_data["file_format"], actor=request.user,
            )
        except ImportFailed as error:
            form.add_error("file", _("%(error)s Nothing was changed: the previous list stays in force.")
                           % {"error": error.display})
        else:
            return redirect("watchlists:import_job", pk=job.pk)
    recent = ImportJob.objects.select_related("created_by")[:RECENT_IMPORTS]
    return render(request, "watchlists/import.html", {"form": form, "recent": recent},
                  status=400 if form.errors else 200)


@require_GET
@login_required
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    """An import's progress and result; HTMX asks for the status part every 2 s until it ends."""
    if not perms.can_manage_lists(request.user):
        raise PermissionDenied
    job = get_object_or_404(ImportJob.objects.select_related("source", "created_by"), pk=pk)
    context = {"job": job, "progress": selectors.import_job_progress(job)}
    if request.htmx:
        return render(request, "watchlists/partials/import_job_status.html", context)
    return render(request, "watchlists/import_job.html", context)


@require_GET
@login_required
def entry_search(request: HttpRequest) -> HttpResponse:
    if not perms.can_search(request.user):
        raise PermissionDenied
    form = SearchForm(request.GET or None)
    matches = None
    if form.is_valid():
        matches = search(
            form.cleaned_data["q"], country=form.cleaned_data["country"] or None, limit=50,
            entity_type=form.cleaned_data["entity_type"] or None,
        )
    return render(request, "watchlists/search.html", {
        "form": form, "matches": matches, "threshold": conf.match_threshold(),
        "perms_manage": perms.can_manage_lists(request.user),
    })


@require_POST
@login_required
def hit_disposition(request: HttpRequest, pk: int) -> HttpResponse:
    hit = get_object_or_404(ScreeningHit.objects.select_related("application"), pk=pk)
    application = hit.application
    # Outsiders learn nothing, not even that the hit exists.
    if application is None or not perms.can_view_hits(request.user, application):
        raise Http404
    form = DispositionForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            services.hit_disposition(hit_id=hit.pk, actor=request.user, **form.cleaned_data)
        except PermissionDenied:
            raise
        except ValidationError as problem:
            # Escaped one by one, so that a gate's link (a SafeString) stays a link.
            error = format_html_join(" ", "{}", ((message,) for message in problem.messages))
    else:
        error = _("Choose false positive or true match, and give the reason.")
    if request.htmx:
        context = hits_panel_context(application, request.user, error=error, failed_hit_id=hit.pk if error else None,
                                     failed_form=form if error else None)
        return render(request, "watchlists/partials/hits_panel.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Disposition recorded."))
    return redirect(reverse("onboarding:application_detail", args=[application.pk]) + "#watchlist-hits")
