from __future__ import annotations

import math
import time
from base64 import b32encode
from binascii import unhexlify
from urllib.parse import urlencode

import django_otp
import segno
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.contrib.auth.views import LoginView
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import selectors, services
from accounts.client_ip import client_ip
from accounts.forms import PasswordConfirmForm, PreferencesForm, TwoFactorCodeForm, TwoFactorSetupForm
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


# --- Sign-in: password, then (if set up) a second factor ----------------------------------

# The password step's result while the code is asked for: no one is signed in until both pass.
PENDING_SIGN_IN = "vetted_two_factor_pending"
# The secret being set up, kept server-side (database sessions) until a code confirms it.
SETUP_SECRET = "vetted_two_factor_secret"
# Recovery codes to show once, on the page the browser is redirected to after making them.
NEW_RECOVERY_CODES = "vetted_recovery_codes"


class SignInView(LoginView):
    """Django's login view, except that a user with two-factor sign-in is not signed in yet."""

    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        if not selectors.has_two_factor(user):
            return super().form_valid(form)
        session = self.request.session
        session.cycle_key()
        session[PENDING_SIGN_IN] = {
            "user": user.pk,
            "backend": user.backend,
            "at": time.time(),
            "next": self.get_success_url(),
        }
        return redirect("two_factor_verify")


def _pending_user(request: HttpRequest):
    """The user who gave their password in this session within MFA_CODE_STEP_MINUTES, or None."""
    pending = request.session.get(PENDING_SIGN_IN)
    if not pending or time.time() - pending["at"] > settings.MFA_CODE_STEP_MINUTES * 60:
        request.session.pop(PENDING_SIGN_IN, None)
        return None
    return get_user_model()._default_manager.filter(pk=pending["user"], is_active=True).first()


@never_cache
@require_http_methods(["GET", "POST"])
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """The second sign-in step: a code from the app or a recovery code completes the sign-in."""
    user = _pending_user(request)
    if user is None:
        messages.info(request, _("Please sign in again."))
        return redirect("login")
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        credentials = {"username": user.get_username()}
        if AxesProxyHandler.is_locked(request, credentials):
            return _lock_out(request, credentials)
        try:
            device = services.two_factor_check(user=user, code=form.cleaned_data["code"], ip_address=client_ip(request))
        except services.TwoFactorThrottled as error:
            form.add_error("code", error.message)
        except services.TwoFactorError as error:
            # A wrong code counts like a wrong password against this user name and address.
            user_login_failed.send(sender=__name__, credentials=credentials, request=request)
            if getattr(request, "axes_locked_out", False):
                return _lock_out(request, credentials)
            form.add_error("code", error.message)
        else:
            pending = request.session.pop(PENDING_SIGN_IN)
            auth_login(request, user, backend=pending["backend"])
            django_otp.login(request, device)
            if device.persistent_id.startswith("otp_static"):
                left = selectors.recovery_codes_left(user)
                messages.warning(request, ngettext(
                    "You signed in with a recovery code; %(left)d is left.",
                    "You signed in with a recovery code; %(left)d are left.", left,
                ) % {"left": left})
            return HttpResponseRedirect(pending["next"])
    return render(request, "registration/two_factor_verify.html", {"form": form, "pending_user": user})


def _lock_out(request: HttpRequest, credentials: dict) -> HttpResponse:
    request.session.pop(PENDING_SIGN_IN, None)
    request.axes_locked_out = True
    request.axes_credentials = credentials
    return locked_out(request, None, credentials)


def locked_out(request: HttpRequest, original_response=None, credentials: dict | None = None) -> HttpResponse:
    """The lockout page (AXES_LOCKOUT_CALLABLE): how long the lockout of this name and address lasts."""
    username = (credentials or {}).get("username") or request.POST.get("username")
    ends_at = selectors.lockout_ends_at(username=username, ip_address=client_ip(request))
    if ends_at is None:
        ends_at = timezone.now() + settings.AXES_COOLOFF_TIME
    minutes = max(1, math.ceil((ends_at - timezone.now()).total_seconds() / 60))
    context = {"failure_limit": settings.AXES_FAILURE_LIMIT, "minutes": minutes, "ends_at": ends_at}
    return render(request, "registration/locked_out.html", context, status=429)


@require_GET
def admin_login(request: HttpRequest) -> HttpResponse:
    """The Django admin signs in through the same two steps as everyone else."""
    next_url = request.GET.get("next") or reverse("admin:index")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = reverse("admin:index")
    return HttpResponseRedirect(f"{reverse('login')}?{urlencode({'next': next_url})}")


# --- Two-factor sign-in: the user's own settings -----------------------------------------

@require_GET
@login_required
def two_factor(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {
        "enrolled": selectors.has_two_factor(user),
        "required": selectors.two_factor_required(user),
        "codes_left": selectors.recovery_codes_left(user),
        "events": selectors.security_events(user=user)[:10],
        "remove_form": PasswordConfirmForm(request=request),
    }
    return render(request, "accounts/two_factor.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Show a new secret (QR code and text); a code from the app confirms it."""
    user = request.user
    if selectors.has_two_factor(user):
        messages.info(request, _("Two-factor sign-in is already set up for this account."))
        return redirect("two_factor")
    secret = request.session.get(SETUP_SECRET)
    if not secret:
        secret = request.session[SETUP_SECRET] = services.two_factor_secret_new()
    form = TwoFactorSetupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = services.two_factor_enrol(
                user=user, secret=secret, code=form.cleaned_data["code"], ip_address=client_ip(request)
            )
        except services.TwoFactorError as error:
            form.add_error("code", error.message)
        else:
            del request.session[SETUP_SECRET]
            django_otp.login(request, device)  # this session has just proved the factor
            request.session[NEW_RECOVERY_CODES] = codes
            messages.success(request, _("Two-factor sign-in is set up."))
            return redirect("two_factor_recovery_codes")
    unsaved = TOTPDevice(user=user, key=secret, digits=services.TOTP_DIGITS)
    context = {
        "form": form,
        "qr_code": segno.make(unsaved.config_url, error="m").svg_data_uri(scale=5, border=2),
        "secret": _grouped(b32encode(unhexlify(secret)).decode()),
        "required": selectors.two_factor_required(user),
    }
    return render(request, "accounts/two_factor_setup.html", context)


def _grouped(text: str, size: int = 4) -> str:
    return " ".join(text[i : i + size] for i in range(0, len(text), size))


@never_cache
@require_GET
@login_required
def two_factor_recovery_codes(request: HttpRequest) -> HttpResponse:
    """The recovery codes just made, once: reloading the page does not show them again."""
    codes = request.session.pop(NEW_RECOVERY_CODES, None)
    if not codes:
        return redirect("two_factor")
    return render(request, "accounts/two_factor_recovery_codes.html", {"codes": codes})


@require_POST
@login_required
def two_factor_recovery_codes_new(request: HttpRequest) -> HttpResponse:
    try:
        codes = services.recovery_codes_regenerate(user=request.user, ip_address=client_ip(request))
    except services.TwoFactorError as error:
        messages.error(request, error.message)
        return redirect("two_factor")
    request.session[NEW_RECOVERY_CODES] = codes
    messages.success(request, _("New recovery codes are made; the old ones no longer work."))
    return redirect("two_factor_recovery_codes")


@require_POST
@login_required
def two_factor_remove(request: HttpRequest) -> HttpResponse:
    if selectors.two_factor_required(request.user):
        raise PermissionDenied
    form = PasswordConfirmForm(request.POST, request=request)
    if not form.is_valid():
        for error in form.errors.get("password", []):
            messages.error(request, error)
        return redirect("two_factor")
    services.two_factor_remove(user=request.user, ip_address=client_ip(request))
    request.session.pop(django_otp.DEVICE_ID_SESSION_KEY, None)
    messages.success(request, _("Two-factor sign-in is turned off for your account."))
    return redirect("two_factor")


SECURITY_EVENTS_PER_PAGE = 50


@require_GET
@login_required
def security_log(request: HttpRequest) -> HttpResponse:
    """Every change to how people sign in, for administrators and risk managers."""
    if not request.user.has_role(Role.RISK_MANAGER, Role.ADMIN):
        raise PermissionDenied
    page_obj = Paginator(selectors.security_events(), SECURITY_EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "accounts/security_log.html", {"page_obj": page_obj})
