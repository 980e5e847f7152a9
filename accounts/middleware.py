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
