"""Forms of the monitoring screens: alert filters, triage actions, settings."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts import inputs
from accounts.models import User
from accounts.roles import Role
from accounts.validators import CleanTextMixin
from monitoring.enums import AlertStatus, Indicator, Severity
from monitoring.indicators import BLANK_ALLOWED
from onboarding.enums import Tier


def risk_managers():
    return User.objects.filter(groups__name=Role.RISK_MANAGER, is_active=True).order_by("first_name", "username")


def _select(choices, label) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label, required=False, choices=[("", _("All"))] + list(choices),
        widget=forms.Select(attrs={"class": "form-select form-select-sm js-autosubmit"}),
    )


class AlertFilterForm(CleanTextMixin, forms.Form):
    """The alert list's filters (GET). Cursor parameters are read by the view."""

    severity = _select(Severity.choices, _("Severity"))
    status = _select([("active", _("Open or acknowledged")), *AlertStatus.choices], _("Status"))
    indicator = _select(Indicator.choices, _("Indicator"))
    assignee = _select([], _("Assignee"))
    tier = _select(Tier.choices, _("Tier"))

    def __init__(self, *args, assignees=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [("", _("All")), ("none", _("Unassigned"))] + [
            (str(user.pk), str(user)) for user in assignees
        ]

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {name: value for name, value in self.cleaned_data.items() if value}

    def for_template(self) -> list[tuple[str, str, list[tuple[str, str]], str]]:
        """(name, label, choices, current value) per filter, for a hand-written select."""
        current = self.filters()
        return [
            (name, str(field.label), [(str(v), str(t)) for v, t in field.choices], str(current.get(name, "")))
            for name, field in self.fields.items()
        ]


class AssigneeField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return str(obj)


class AcknowledgeForm(CleanTextMixin, forms.Form):
    assignee = AssigneeField(
        label=_("Assign to"), queryset=User.objects.none(), required=False, empty_label=_("Myself"),
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = risk_managers()


class BulkAcknowledgeForm(AcknowledgeForm):
    alerts = forms.TypedMultipleChoiceField(coerce=int, required=True, error_messages={
        "required": _("Select at least one alert."),
    })

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Any ids: the service acknowledges those that exist and are open.
        raw = self.data.getlist("alerts") if hasattr(self.data, "getlist") else self.data.get("alerts", [])
        self.fields["alerts"].choices = [(value, value) for value in raw if str(value).isascii() and str(value).isdigit()]


class NoteForm(CleanTextMixin, forms.Form):
    note = forms.CharField(
        label=_("Note"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )


class CadenceForm(CleanTextMixin, forms.Form):
    """Months between re-evaluations for each tier."""

    def __init__(self, *args, initial_months: dict[str, int] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for tier, label in Tier.choices:
            self.fields[f"months_{tier}"] = inputs.IntegerField(
                label=label, min_value=1, max_value=60, initial=(initial_months or {}).get(tier),
                widget=inputs.NumberInput(attrs={"class": "form-control form-control-sm"}),
            )

    def months(self) -> dict[str, int]:
        return {tier: self.cleaned_data[f"months_{tier}"] for tier, _label in Tier.choices}


class IndicatorForm(CleanTextMixin, forms.Form):
    indicator = forms.ChoiceField(choices=Indicator.choices, widget=forms.HiddenInput)
    enabled = forms.BooleanField(label=_("Enabled"), required=False,
                                 widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))
    threshold = inputs.DecimalField(
        label=_("Threshold"), required=False, max_digits=10, decimal_places=2, min_value=Decimal("0"),
        widget=inputs.NumberInput(attrs={"class": "form-control form-control-sm"}),
    )
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices,
                                 widget=forms.Select(attrs={"class": "form-select form-select-sm"}))

    def clean(self):
        data = super().clean()
        if data.get("threshold") is None and data.get("indicator") not in BLANK_ALLOWED:
            self.add_error("threshold", _("Give a threshold."))
        return data


IndicatorFormSet = forms.formset_factory(IndicatorForm, extra=0, min_num=len(Indicator.values), validate_min=True,
                                         max_num=len(Indicator.values), validate_max=True,
                                         absolute_max=len(Indicator.values))
