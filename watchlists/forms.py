"""Forms: the import page, the entry search, a disposition."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts import inputs
from accounts.validators import CleanTextMixin
from onboarding.validators import check_archive
from watchlists import conf
from watchlists.enums import Disposition, EntityType, SourceFormat


class ImportForm(CleanTextMixin, forms.Form):
    source = forms.CharField(
        label=_("List name"), max_length=100,
        help_text=_("An existing name replaces that list's entries; a new name adds a list."),
    )
    file_format = forms.ChoiceField(
        label=_("Format"), choices=[("auto", _("Told from the file's contents")), *SourceFormat.choices],
        initial="auto",
    )
    file = forms.FileField(
        label=_("File"),
        help_text=_("The format is told from the file's contents unless you choose it. Simple format: CSV in UTF-8, "
                    "id,name,aliases,country,program,entity_type (aliases separated by “;”). OFAC: SDN.XML, or a zip "
                    "of SDN.CSV, ALT.CSV and ADD.CSV. UN and EU: their XML files."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = conf.upload_max_mb()
        if upload.size > limit * 1024 * 1024:
            raise forms.ValidationError(
                _("The file is larger than %(limit)d MB: import it with the command import_watchlist.")
                % {"limit": limit}
            )
        check_archive(upload)  # every upload path goes through the same archive check
        return upload


class RefreshForm(CleanTextMixin, forms.Form):
    """A source's scheduled refresh: where to read the list, its format, how often (blank: none)."""

    refresh_location = forms.CharField(
        label=_("Refresh from (path or URL)"), max_length=1000, required=False,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
        help_text=_("An absolute path on the server or an http(s) URL; leave empty for no scheduled refresh."),
    )
    refresh_format = forms.ChoiceField(
        label=_("Format"), choices=[("", _("Told from the file")), *SourceFormat.choices], required=False,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    refresh_hours = inputs.IntegerField(
        label=_("Every (hours)"), min_value=1, max_value=24 * 90, required=False,
        widget=inputs.NumberInput(attrs={"class": "form-control form-control-sm"}),
    )

    def clean(self):
        data = super().clean()
        location = (data.get("refresh_location") or "").strip()
        data["refresh_location"] = location
        if location and not (location.startswith(("http://", "https://")) or location.startswith("/")):
            self.add_error("refresh_location", _("Give an absolute path on the server or an http(s) URL."))
        if location and not data.get("refresh_hours"):
            self.add_error("refresh_hours", _("Say how often to refresh."))
        return data


class SearchForm(CleanTextMixin, forms.Form):
    q = forms.CharField(label=_("Name or identifier"), max_length=300)
    country = forms.CharField(label=_("Country (ISO code)"), max_length=2, required=False)
    entity_type = forms.ChoiceField(
        label=_("Type"), choices=[("", _("Any")), *EntityType.choices], required=False
    )

    def clean_country(self) -> str:
        return self.cleaned_data["country"].strip().upper()


class DispositionForm(CleanTextMixin, forms.Form):
    disposition = forms.ChoiceField(
        label=_("Disposition"),
        choices=[(Disposition.FALSE_POSITIVE, Disposition.FALSE_POSITIVE.label),
                 (Disposition.TRUE_MATCH, Disposition.TRUE_MATCH.label)],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
