"""Forms for accounts."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _

from accounts.validators import CleanTextMixin


class PreferencesForm(CleanTextMixin, forms.Form):
    email_notifications = forms.BooleanField(
        label=_("Send me notifications by e-mail"),
        required=False,
        help_text=_("You always see notifications here in the app; this only turns the e-mails on or off."),
    )
    language = forms.ChoiceField(
        label=_("Language"),
        choices=settings.LANGUAGES,
        help_text=_("Used for the pages you see and for the notifications and e-mails you receive."),
    )


class TwoFactorCodeForm(CleanTextMixin, forms.Form):
    """The second sign-in step: a code from the app, or a recovery code."""

    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        help_text=_("The 6-digit code your authenticator app shows, or one of your recovery codes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True, "inputmode": "text"}),
    )


class TwoFactorSetupForm(CleanTextMixin, forms.Form):
    code = forms.CharField(
        label=_("Code from your app"),
        max_length=10,
        help_text=_("After adding Vetted to the app, enter the 6-digit code it shows."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


class PasswordConfirmForm(CleanTextMixin, forms.Form):
    """Asks for the current password before a sign-in factor is turned off."""

    password = forms.CharField(
        label=_("Your password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        # Through the authentication backends, so that django-axes counts wrong passwords here too.
        user = authenticate(self.request, username=self.request.user.get_username(), password=password)
        if user is None or user.pk != self.request.user.pk:
            raise forms.ValidationError(_("That is not your password."))
        return password
