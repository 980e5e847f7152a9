"""Forms of the outcomes screens."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts import inputs
from accounts.validators import CleanTextMixin


class ReceivablesUploadForm(CleanTextMixin, forms.Form):
    file = forms.FileField(
        label=_("Receivables file (CSV or XLSX)"),
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".csv,.xlsx"}),
    )


class WriteOffForm(CleanTextMixin, forms.Form):
    written_off_on = forms.DateField(
        label=_("Written off on"), widget=inputs.DateInput(attrs={"class": "form-control form-control-sm"}),
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control form-control-sm"}),
    )
