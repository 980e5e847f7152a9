from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.inputs import DateInput, MoneyField, formfield
from accounts.validators import CleanTextMixin
from onboarding.enums import TaxRating, Tier
from onboarding.forms import MultipleFileField, MultipleFileInput
from onboarding.validators import ACCEPT_ATTRIBUTE
from screening.enums import CATEGORICAL_METRICS, KnockOut
from screening.models import (
    Band,
    Criterion,
    Interview,
    InvestigationPolicy,
    KnockOutRule,
    ScorecardVersion,
    SiteVisit,
    ThirdPartyReport,
)

PHOTO_ACCEPT = ".jpg,.jpeg,.png"


class NotInFutureMixin:
    date_fields: tuple[str, ...] = ()

    def clean(self):
        data = super().clean()
        for name in self.date_fields:
            value = data.get(name)
            if value and value > timezone.localdate():
                self.add_error(name, _("This date cannot be in the future."))
        return data


class InterviewForm(NotInFutureMixin, CleanTextMixin, forms.ModelForm):
    date_fields = ("date",)

    class Meta:
        model = Interview
        formfield_callback = formfield
        fields = ["date", "participants", "business_model", "management", "plans", "findings"]
        widgets = {
            "date": DateInput(),
            **{name: forms.Textarea(attrs={"rows": 2}) for name in
               ("participants", "business_model", "management", "plans", "findings")},
        }


class SiteVisitForm(NotInFutureMixin, CleanTextMixin, forms.ModelForm):
    date_fields = ("date",)
    photos = MultipleFileField(
        label=_("Photos"), required=False, widget=MultipleFileInput(attrs={"accept": PHOTO_ACCEPT}),
        help_text=_("JPEG or PNG. You can choose several."),
    )

    class Meta:
        model = SiteVisit
        formfield_callback = formfield
        fields = ["date", "address", "operations", "premises", "staff"]
        widgets = {
            "date": DateInput(),
            **{name: forms.Textarea(attrs={"rows": 2}) for name in ("operations", "premises", "staff")},
        }

    def clean_photos(self):
        return [upload for upload in self.cleaned_data.get("photos") or [] if upload]


class PhotoUploadForm(CleanTextMixin, forms.Form):
    photos = MultipleFileField(
        label=_("Photos"), widget=MultipleFileInput(attrs={"accept": PHOTO_ACCEPT}),
        help_text=_("JPEG or PNG. You can choose several."),
    )


class ThirdPartyReportForm(NotInFutureMixin, CleanTextMixin, forms.ModelForm):
    date_fields = ("report_date",)

    class Meta:
        model = ThirdPartyReport
        formfield_callback = formfield
        fields = ["provider", "report_date", "conclusion", "file"]
        widgets = {
            "report_date": DateInput(),
            "conclusion": forms.Textarea(attrs={"rows": 3}),
            "file": forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
        }


BACKGROUND_TRANSITIONS = ("pass_background_check", "return_for_information", "reject")


class BackgroundTransitionForm(CleanTextMixin, forms.Form):
    transition = forms.ChoiceField(choices=[(t, t) for t in BACKGROUND_TRANSITIONS], widget=forms.HiddenInput)
    expected_state = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self):
        data = super().clean()
        if data.get("transition") in ("return_for_information", "reject") and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Please give a reason."))
        return data


# --- Scorecard management ---

class ScorecardVersionForm(CleanTextMixin, forms.ModelForm):
    class Meta:
        model = ScorecardVersion
        formfield_callback = formfield
        fields = ["admission_threshold", "tier_a_min", "tier_b_min", "tier_c_min", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}
        # Tier order is checked by the model's constraint (scorecard_tiers_ordered), with its message.


class CriterionForm(CleanTextMixin, forms.ModelForm):
    class Meta:
        model = Criterion
        formfield_callback = formfield
        fields = ["label", "weight", "ordering"]


class ExistingRowsFormSet(forms.BaseInlineFormSet):
    """Edits the rows the draft already has: a crafted management form (TOTAL_FORMS or
    INITIAL_FORMS) neither adds rows nor makes Django build thousands of forms."""

    def initial_form_count(self) -> int:
        return len(self.get_queryset())

    def total_form_count(self) -> int:
        return self.initial_form_count()


CriterionFormSet = forms.inlineformset_factory(
    ScorecardVersion, Criterion, form=CriterionForm, formset=ExistingRowsFormSet, extra=0, can_delete=False,
)


def _plain_number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


class KnockOutRuleForm(CleanTextMixin, forms.ModelForm):
    """One rule: enabled, and its one parameter in a text box whose meaning depends on the rule."""

    value = forms.CharField(label=_("Parameter"), required=False, max_length=50)

    PARAMETER = {
        KnockOut.MIN_YEARS_IN_BUSINESS: ("min_years", _("Minimum years in business")),
        KnockOut.TAX_RATING: ("ratings", _("Excluded tax ratings, separated by commas")),
        KnockOut.BUREAU_SCORE_FLOOR: ("floor", _("Lowest admissible bureau score")),
        KnockOut.DATA_COVERAGE: ("min_percent", _("Least share of the weight that must be scored (%)")),
    }

    PARAMETER_MAX = {"min_years": 100, "floor": 1000, "min_percent": 100}

    class Meta:
        model = KnockOutRule
        fields = ["enabled"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        spec = self.PARAMETER.get(self.instance.code)
        if spec is None:
            self.fields["value"].disabled = True
            self.fields["value"].help_text = _("This rule has no parameter.")
            return
        key, label = spec
        self.fields["value"].help_text = label
        current = (self.instance.parameters or {}).get(key)
        if isinstance(current, list):
            current = ", ".join(current)
        self.initial.setdefault("value", "" if current is None else str(current))

    def clean_value(self):
        spec = self.PARAMETER.get(self.instance.code)
        raw = (self.cleaned_data.get("value") or "").strip()
        if spec is None:
            return None
        key, _label = spec
        if key == "ratings":
            ratings = [part.strip().upper() for part in raw.split(",") if part.strip()]
            unknown = [r for r in ratings if r not in TaxRating.values]
            if unknown or not ratings:
                choices = ", ".join(TaxRating.values)
                raise ValidationError(_("Give tax ratings from: %(ratings)s.") % {"ratings": choices})
            return ratings
        try:
            number = Decimal(raw)
        except ArithmeticError:
            raise ValidationError(_("Enter a number.")) from None
        # Bounded before int() in _plain_number: "1e999999999999" is a finite Decimal whose int() exhausts memory.
        if not number.is_finite() or number < 0 or number > self.PARAMETER_MAX[key]:
            raise ValidationError(_("Enter a number within range."))
        return _plain_number(number)

    def save(self, commit: bool = True):
        spec = self.PARAMETER.get(self.instance.code)
        if spec is not None:
            self.instance.parameters = {**(self.instance.parameters or {}), spec[0]: self.cleaned_data["value"]}
        return super().save(commit)


KnockOutFormSet = forms.inlineformset_factory(
    ScorecardVersion, KnockOutRule, form=KnockOutRuleForm, formset=ExistingRowsFormSet, extra=0, can_delete=False,
)


class BandForm(CleanTextMixin, forms.ModelForm):
    class Meta:
        model = Band
        formfield_callback = formfield
        fields = ["lower", "upper", "category", "points"]

    def __init__(self, *args, criterion: Criterion, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.categorical = criterion.metric in CATEGORICAL_METRICS
        if self.categorical:
            del self.fields["lower"], self.fields["upper"]
            self.fields["category"].required = True
        else:
            del self.fields["category"]
        # lower < upper is the model's constraint (band_lower_below_upper), validated with the form.


class BaseBandFormSet(forms.BaseInlineFormSet):
    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "criterion": self.instance}

    @property
    def empty_form(self):
        form = self.form(
            auto_id=self.auto_id, prefix=self.add_prefix("__prefix__"), empty_permitted=True,
            use_required_attribute=False, criterion=self.instance, renderer=self.renderer,
        )
        self.add_fields(form, None)
        return form


BAND_MAX = 30  # far more than any scale needs; also what a crafted TOTAL_FORMS can ask for

BandFormSet = forms.inlineformset_factory(
    Criterion, Band, form=BandForm, formset=BaseBandFormSet, extra=1, can_delete=True,
    max_num=BAND_MAX, absolute_max=BAND_MAX, validate_max=True,
)


class InvestigationPolicyForm(CleanTextMixin, forms.ModelForm):
    site_visit_tiers = forms.MultipleChoiceField(
        label=_("Site visit required for tiers"), choices=Tier.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    report_tiers = forms.MultipleChoiceField(
        label=_("Third-party report required for tiers"), choices=Tier.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = InvestigationPolicy
        formfield_callback = formfield
        field_classes = {"site_visit_limit_above": MoneyField, "report_limit_above": MoneyField}
        fields = ["interview_always", "site_visit_tiers", "site_visit_limit_above", "report_tiers",
                  "report_limit_above"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in ("site_visit_limit_above", "report_limit_above"):
            self.fields[name].validators.append(MinValueValidator(0))
            self.fields[name].help_text = _("Leave empty to ignore the requested limit.")
        self.fields["site_visit_limit_above"].validators.append(MaxValueValidator(Decimal("1e14")))
