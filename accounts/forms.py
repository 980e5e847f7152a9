"""Forms for accounts."""

from __future__ import annotations

from django import forms
from django.conf import settings
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
