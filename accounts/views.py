from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import selectors, services
from accounts.forms import PreferencesForm
from accounts.models import Notification
from accounts.roles import Role


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each user to where their work is."""
    if request.user.has_role(Role.SALES):
        return redirect("onboarding:my_applications")
    if request.user.has_role(Role.RISK_MANAGER):
        return redirect("onboarding:application_list")
    return redirect("onboarding:queue")


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the interface language; remembered on the user (and in a cookie before login)."""
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if language in dict(settings.LANGUAGES):
        if request.user.is_authenticated:
            request.user.language = language
            request.user.save(update_fields=["language"])
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=365 * 24 * 3600,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=False,
            samesite="Lax",
        )
    return response


# --- Notifications -----------------------------------------------------------------------

NOTIFICATIONS_PER_PAGE = 20


def _own_notification(request: HttpRequest, pk: int) -> Notification:
    """Fetch and authorise in one step: someone else's notification is a 404."""
    return get_object_or_404(Notification, pk=pk, recipient=request.user)


def _notification_page(request: HttpRequest, page_number) -> Page:
    return Paginator(selectors.notifications_for(user=request.user), NOTIFICATIONS_PER_PAGE).get_page(page_number)


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    page_obj = _notification_page(request, request.GET.get("page"))
    return render(request, "accounts/notification_list.html", {"page_obj": page_obj})


@require_POST
@login_required
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = _own_notification(request, pk)
    services.notification_mark_read(notification=notification, user=request.user)
    if request.htmx:
        notification.refresh_from_db()
        return render(request, "accounts/partials/notification_item_read.html", {"notification": notification})
    return HttpResponseRedirect(_safe_next(request, reverse("notification_list")))


@require_POST
@login_required
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark a notification read and follow its link (only site-relative links are followed)."""
    notification = _own_notification(request, pk)
    services.notification_mark_read(notification=notification, user=request.user)
    target = notification.url
    if not target or not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("notification_list")
    return HttpResponseRedirect(target)


@require_POST
@login_required
def notification_read_all(request: HttpRequest) -> HttpResponse:
    count = services.notifications_mark_all_read(user=request.user)
    if request.htmx:
        page_obj = _notification_page(request, request.POST.get("page"))
        return render(request, "accounts/partials/notification_list_read.html", {"page_obj": page_obj})
    if count:
        messages.success(request, _("All notifications are marked as read."))
    return HttpResponseRedirect(_safe_next(request, reverse("notification_list")))


@login_required
def notification_preferences(request: HttpRequest) -> HttpResponse:
    user = request.user
    initial = {"email_notifications": user.email_notifications, "language": services.user_language(user)}
    form = PreferencesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        language = form.cleaned_data["language"]
        services.user_preferences_update(
            user=user, email_notifications=form.cleaned_data["email_notifications"], language=language
        )
        with translation.override(language):
            messages.success(request, _("Your preferences are saved."))
        response = redirect("notification_preferences")
        # Also remembered in the cookie, so the login page speaks the same language.
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME, language, max_age=365 * 24 * 3600,
            secure=settings.LANGUAGE_COOKIE_SECURE, httponly=False, samesite="Lax",
        )
        return response
    return render(request, "accounts/preferences.html", {"form": form})


def _safe_next(request: HttpRequest, default: str) -> str:
    next_url = request.POST.get("next") or ""
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    return default
