"""Filters of the analysis pages."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import inputs
from accounts.models import User
from accounts.roles import Role
from accounts.validators import CleanTextMixin
from onboarding.enums import ApplicationKind, CustomerType, Tier
from onboarding.models import Industry


def _select(choices, label) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, required=False, choices=[("", _("All")), *choices],
                             widget=forms.Select(attrs={"class": "form-select form-select-sm"}))


class FunnelFilterForm(CleanTextMixin, forms.Form):
    start = forms.DateField(label=_("From"), required=False,
                            widget=inputs.DateInput(attrs={"class": "form-control form-control-sm"}))
    end = forms.DateField(label=_("To"), required=False,
                          widget=inputs.DateInput(attrs={"class": "form-control form-control-sm"}))
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


class CaseForm(CleanTextMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), widget=forms.RadioSelect)
    title = forms.CharField(label=_("Title"), max_length=200,
                            widget=forms.TextInput(attrs={"class": "form-control"}))
    analysis = forms.CharField(label=_("Analysis: what went right or wrong (Markdown)"), max_length=20000,
                               widget=forms.Textarea(attrs={"rows": 8, "class": "form-control"}))
    caught_by = forms.CharField(label=_("Which criterion or step would have caught it"), max_length=500,
                                required=False, widget=forms.TextInput(attrs={"class": "form-control"}))
    lessons = forms.CharField(label=_("Lessons learned (Markdown)"), max_length=20000, required=False,
                              widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}))
    tags = forms.CharField(label=_("Tags (comma-separated)"), max_length=500, required=False,
                           widget=forms.TextInput(attrs={"class": "form-control"}))
    published_to = forms.MultipleChoiceField(
        label=_("Published to"), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("No role: a draft only risk managers read."),
    )

    def __init__(self, *args, **kwargs) -> None:
        from analysis.cases import PUBLISHABLE_ROLES
        from analysis.models import CaseKind

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = CaseKind.choices
        self.fields["published_to"].choices = [(str(r), r.label) for r in PUBLISHABLE_ROLES]


class CaseSearchForm(CleanTextMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"class": "form-control form-control-sm", "type": "search"}))
    kind = forms.ChoiceField(label=_("Kind"), required=False,
                             widget=forms.Select(attrs={"class": "form-select form-select-sm"}))
    tag = forms.CharField(label=_("Tag"), required=False, max_length=40,
                          widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}))

    def __init__(self, *args, **kwargs) -> None:
        from analysis.models import CaseKind

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("All")), *CaseKind.choices]


class CaseCiteForm(CleanTextMixin, forms.Form):
    """Pick a case to cite in a draft's change note (or the one to remove): an id, parsed strictly."""

    case = forms.ChoiceField(label=_("Case"), choices=(),
                             widget=forms.Select(attrs={"class": "form-select form-select-sm"}))
    action = forms.ChoiceField(choices=[("cite", "cite"), ("remove", "remove")], widget=forms.HiddenInput,
                               initial="cite")

    def __init__(self, *args, cases=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["case"].choices = [("", _("Choose a case…"))] + [(str(c.pk), c.title) for c in cases]

    def clean_case(self) -> int:
        from accounts.validators import parse_id

        found = parse_id(self.cleaned_data["case"])
        if found is None:
            raise forms.ValidationError(_("Choose a case from the library."))
        return found
