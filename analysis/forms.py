"""Filters of the analysis pages."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import Role
from onboarding.enums import ApplicationKind, CustomerType, Tier
from onboarding.models import Industry


def _select(choices, label) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, required=False, choices=[("", _("All")), *choices],
                             widget=forms.Select(attrs={"class": "form-select form-select-sm"}))


class FunnelFilterForm(forms.Form):
    start = forms.DateField(label=_("From"), required=False,
                            widget=forms.DateInput(attrs={"type": "date", "class": "form-control form-control-sm"}))
    end = forms.DateField(label=_("To"), required=False,
                          widget=forms.DateInput(attrs={"type": "date", "class": "form-control form-control-sm"}))
    kind = _select(ApplicationKind.choices, _("Kind"))
    customer_type = _select(CustomerType.choices, _("Customer type"))
    industry = forms.ModelChoiceField(label=_("Industry"), required=False, queryset=Industry.objects.none(),
                                      empty_label=_("All"),
                                      widget=forms.Select(attrs={"class": "form-select form-select-sm"}))
    tier = _select(Tier.choices, _("Tier"))
    sales_owner = forms.ModelChoiceField(label=_("Sales owner"), required=False, queryset=User.objects.none(),
                                         empty_label=_("All"),
                                         widget=forms.Select(attrs={"class": "form-select form-select-sm"}))

    def __init__(self, *args, own_only: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["industry"].queryset = Industry.objects.order_by("code")
        if own_only:
            del self.fields["sales_owner"]
        else:
            self.fields["sales_owner"].queryset = (
                User.objects.filter(groups__name=Role.SALES).order_by("first_name", "username").distinct()
            )

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        data["end"] = data.get("end") or today
        data["start"] = data.get("start") or data["end"] - datetime.timedelta(days=365)
        if data["start"] > data["end"]:
            self.add_error("start", _("The period starts after it ends."))
        return data

    def filters(self) -> dict:
        """The valid filters (defaults when the form is unbound or invalid)."""
        if not self.is_bound:
            self.data = {}
            self.is_bound = True
        if not self.is_valid():
            today = timezone.localdate()
            return {"start": today - datetime.timedelta(days=365), "end": today}
        return {name: value for name, value in self.cleaned_data.items() if value not in (None, "")}
