import time

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.utils import translation

from accounts import selectors


class UserLanguageMiddleware:
    """Activate the signed-in user's saved language, overriding the browser's."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)


class TwoFactorMiddleware:
    """Keep a signed-in user on the two-factor pages until their second factor is in order.

    - A user with an authenticator app whose session did not prove it (a session opened by
      another login page, or before the app was set up) is signed out and asked to sign in.
    - A user whose role requires two-factor sign-in (``MFA_REQUIRED``) and who has not set it
      up is sent to set it up, from every page but that one, logging out and the language switch.
    Checked for every view, so a new page is covered without anyone remembering to.
    """

    ALWAYS_OPEN = frozenset({"logout", "set_language", "javascript-catalog"})
    SETUP_VIEWS = frozenset({"two_factor_setup", "two_factor_recovery_codes"})

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        view_name = request.resolver_match.view_name if request.resolver_match else ""
        if view_name in self.ALWAYS_OPEN:
            return None
        if selectors.has_two_factor(user):
            logout(request)
            return redirect_to_login(request.get_full_path())
        if selectors.two_factor_required(user):
            if view_name not in self.SETUP_VIEWS:
                return redirect("two_factor_setup")
            request.two_factor_held = True  # the menu would only lead back here
        return None


class SessionRefreshMiddleware:
    """Keep the idle timeout without writing the session on every request.

    ``SESSION_SAVE_EVERY_REQUEST`` would cost an ``UPDATE`` of the session row per page. Instead
    the session remembers when it was last saved (``_refreshed``, seconds since the epoch) and is
    saved again — pushing its expiry and the cookie's ``max-age`` to a full ``SESSION_COOKIE_AGE``
    from now — once ``SESSION_REFRESH_SECONDS`` have passed. A session therefore ends between
    ``SESSION_COOKIE_AGE - SESSION_REFRESH_SECONDS`` and ``SESSION_COOKIE_AGE`` after its last
    request. Only sessions the request loaded anyway are looked at (no extra query), and an empty
    session (signed out) is left alone.
    Must come right after SessionMiddleware, so that its mark is seen when the session is saved.
    """

    KEY = "_refreshed"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or not session.accessed or session.is_empty():
            return response  # not loaded by this request, or signed out
        now = int(time.time())
        refreshed = session.get(self.KEY)
        stale = not isinstance(refreshed, int) or not 0 <= now - refreshed < settings.SESSION_REFRESH_SECONDS
        if stale or session.modified:  # a modified session is saved anyway: note when
            session[self.KEY] = now
        return response


def note_session_saved(sender, request, user, **kwargs) -> None:
    """At sign-in the session is saved with a fresh expiry: say so (``user_logged_in`` receiver)."""
    session = getattr(request, "session", None)
    if session is not None:
        session[SessionRefreshMiddleware.KEY] = int(time.time())
