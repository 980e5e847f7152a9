"""Comment screens: add a comment (POST, HTMX-aware) and @mention name completion."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from onboarding import comments
from onboarding import permissions as perms
from onboarding.forms import CommentForm, MentionSearchForm
from onboarding.models import Application
from onboarding.templatetags.comment_tags import panel_context


def _viewable_application(request: HttpRequest, pk: int) -> Application:
    """Fetch and authorise in one step: outsiders get a 404, not a hint that it exists."""
    application = get_object_or_404(Application.objects.select_related("created_by"), pk=pk)
    if not perms.can_view(request.user, application):
        raise Http404
    return application


@require_POST
@login_required
def comment_add(request: HttpRequest, pk: int) -> HttpResponse:
    application = _viewable_application(request, pk)
    form = CommentForm(request.POST)
    body = form.data.get("body", "")
    error = ""
    try:
        if not form.is_valid():
            raise ValidationError(form.errors["body"])
        comments.comment_create(application=application, author=request.user, body=form.cleaned_data["body"])
    except ValidationError as problem:
        error = " ".join(problem.messages)
    if request.htmx:
        context = panel_context(application, request.user, body=body if error else "", error=error, with_script=False)
        return render(request, "onboarding/partials/comments.html", context)
    if error:
        messages.error(request, error)
    return redirect(reverse("onboarding:application_detail", args=[pk]) + "#comments")


@require_GET
@login_required
def mention_suggestions(request: HttpRequest, pk: int) -> JsonResponse:
    """People who can see the application whose username or name starts with ``q`` (at most 10)."""
    application = _viewable_application(request, pk)
    form = MentionSearchForm(request.GET)
    if not form.is_valid():
        return JsonResponse({"results": [], "error": " ".join(form.errors["q"])}, status=400)
    users = comments.mention_suggestions(application=application, prefix=form.cleaned_data["q"][:150])
    return JsonResponse(
        {"results": [{"username": user.username, "name": user.get_full_name() or user.username} for user in users]}
    )
