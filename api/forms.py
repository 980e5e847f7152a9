from __future__ import annotations

import json

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.validators import CleanTextMixin
from api.mapping import EXAMPLES, example_mapping
from api.models import ApiClient, Event, Scope


class ApiClientForm(CleanTextMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    user = forms.ModelChoiceField(queryset=User.objects.filter(is_active=True).order_by("username"), label=_("Acts as"),
                                  help_text=_("The client may do what this user's roles allow, and nothing more."))
    scopes = forms.MultipleChoiceField(choices=Scope.choices, label=_("Scopes"), widget=forms.CheckboxSelectMultiple)

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if ApiClient.objects.filter(name=name).exists():
            raise forms.ValidationError(_("An API client with this name already exists."))
        return name


class SubscriptionForm(CleanTextMixin, forms.Form):
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(choices=Event.choices, label=_("Events"), widget=forms.CheckboxSelectMultiple)


class MappingForm(CleanTextMixin, forms.Form):
    """The CRM mapping as JSON, or one of the shipped examples to start from."""

    example = forms.ChoiceField(label=_("Start from an example"), required=False,
                                choices=[("", "—"), *EXAMPLES.items()])
    mapping = forms.CharField(label=_("Mapping (JSON)"), required=False, widget=forms.Textarea(attrs={"rows": 14}))

    def clean(self):
        data = super().clean()
        if data.get("example"):
            data["parsed"] = example_mapping(data["example"])
            return data
        try:
            data["parsed"] = json.loads(data.get("mapping") or "{}")
        except json.JSONDecodeError as error:
            raise forms.ValidationError(_("This is not valid JSON: %(error)s") % {"error": error}) from None
        return data
