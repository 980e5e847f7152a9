from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Fieldset, Layout, Row
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.inputs import DateInput, MoneyField, formfield
from accounts.validators import CleanTextMixin
from onboarding.models import Application, Contact, DocumentType, FinancialStatement
from onboarding.selectors import FINANCIAL_FIELDS, SUBMIT_REQUIRED_FIELDS
from onboarding.validators import (
    ACCEPT_ATTRIBUTE,
    normalise_credit_code,
    validate_credit_code,
    validate_nonstandard_credit_code,
)

CARRIED_OVER_HINT = _("Carried over from the customer record or its last approval: please check it.")


CREDIT_CODE_TYPED_MAX = 40


class ApplicationForm(CleanTextMixin, forms.ModelForm):
    """The unified application form (统一申请表).

    ``strict=False`` saves a draft with whatever is filled in (each filled field is still
    validated); ``strict=True`` is the submission: every required field must be there.
    """

    class Meta:
        model = Application
        formfield_callback = formfield
        field_classes = {"registered_capital": MoneyField, "requested_credit_limit": MoneyField}
        fields = [
            "legal_name_zh", "legal_name_en", "credit_code", "credit_code_nonstandard_reason", "registration_date",
            "registered_capital",
            "capital_currency", "legal_representative", "registered_address", "operating_address", "industry",
            "customer_type", "main_products", "market_position", "top_customers", "top_customer_share",
            "main_suppliers", "employees", "bureau_score", "overdue_count_24m", "litigation_count", "tax_rating",
            "requested_credit_limit", "requested_payment_terms",
        ]
        widgets = {
            "registration_date": DateInput(),
            "main_products": forms.Textarea(attrs={"rows": 2}),
            "top_customers": forms.Textarea(attrs={"rows": 2}),
            "main_suppliers": forms.Textarea(attrs={"rows": 2}),
            "credit_code_nonstandard_reason": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "credit_code": _("18 characters, as printed on the business licence."),
            "credit_code_nonstandard_reason": _(
                "Only for a legally valid code that does not follow GB 32100 (an early pilot code): say why. "
                "The document reviewer must then accept it; it is shown as not machine-verified."
            ),
            "bureau_score": _("Leave empty if the customer has no bureau report yet."),
            "top_customer_share": _("0–100"),
            "registered_capital": _("In the currency chosen beside it; 万 and 亿 are understood (5000万)."),
        }

    def __init__(self, *args, strict: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.strict = strict
        # Fields needed to submit are shown as required (asterisk) even on a draft; the browser
        # must not block saving a draft, so no HTML "required" attribute.
        self.use_required_attribute = False
        for name in SUBMIT_REQUIRED_FIELDS:
            self.fields[name].required = True
        # The unit is the currency chosen in the next field, not always yuan.
        self.fields["registered_capital"].widget.unit = None
        self.fields["registered_capital"].validators.append(MinValueValidator(0))
        self.fields["top_customer_share"].validators += [MinValueValidator(0), MaxValueValidator(100)]
        self.fields["bureau_score"].validators.append(MaxValueValidator(1000))
        self.fields["requested_credit_limit"].validators.append(MinValueValidator(0))
        # People paste codes with spaces, hyphens or in full width: the stored code (18) is
        # checked after normalisation (clean_credit_code), not the typed length.
        code_field = self.fields["credit_code"]
        code_field.max_length = CREDIT_CODE_TYPED_MAX
        code_field.validators = [v for v in code_field.validators if not isinstance(v, MaxLengthValidator)]
        code_field.widget.attrs["maxlength"] = str(CREDIT_CODE_TYPED_MAX)
        self.carried_over = self._still_carried_over()
        for name in self.carried_over:
            field = self.fields[name]
            field.help_text = " ".join(filter(None, [str(field.help_text or ""), str(CARRIED_OVER_HINT)]))
            field.widget.attrs["class"] = " ".join(filter(None, [field.widget.attrs.get("class"), "carried-over"]))
        # Checked as the user types: check digit and who else already has this code.
        check_url = reverse("onboarding:credit_code_check")
        if self.instance.pk:
            check_url += f"?exclude={self.instance.pk}"
        self.fields["credit_code"].widget.attrs.update({
            "hx-get": check_url, "hx-trigger": "input changed delay:400ms, change", "hx-target": "#credit-code-feedback",
            "hx-include": "this", "autocomplete": "off",
        })
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Fieldset(
                _("Company identity"),
                Row(Column("legal_name_zh"), Column("legal_name_en")),
                Row(Column("credit_code"), Column("registration_date")),
                HTML('<div id="credit-code-feedback" aria-live="polite"></div>'),
                "credit_code_nonstandard_reason",
                Row(Column("registered_capital"), Column("capital_currency"), Column("legal_representative")),
                Row(Column("registered_address"), Column("operating_address")),
                Row(Column("industry"), Column("customer_type")),
                css_id="section-identity",
            ),
            Fieldset(
                _("Business background"),
                "main_products",
                Row(Column("market_position"), Column("employees")),
                Row(Column("top_customers"), Column("top_customer_share")),
                "main_suppliers",
                css_id="section-business",
            ),
            Fieldset(
                _("Credit record"),
                Row(Column("bureau_score"), Column("tax_rating")),
                Row(Column("overdue_count_24m"), Column("litigation_count")),
                css_id="section-credit",
            ),
            Fieldset(
                _("Request"),
                Row(Column("requested_credit_limit"), Column("requested_payment_terms")),
                css_id="section-request",
            ),
        )

    def _still_carried_over(self) -> list[str]:
        """The re-review's carried-over fields that still hold the value carried over (unconfirmed)."""
        carried = self.instance.carried_over or {}
        names = []
        for name, value in carried.items():
            if name not in self.fields:
                continue
            current = getattr(self.instance, f"{name}_id" if name == "industry" else name, None)
            current = current.isoformat() if hasattr(current, "isoformat") else ("" if current is None else str(current))
            if current == value:
                names.append(name)
        return names

    def full_clean(self) -> None:
        if self.strict:
            return super().full_clean()
        for name in SUBMIT_REQUIRED_FIELDS:
            self.fields[name].required = False
        try:
            super().full_clean()
        finally:
            for name in SUBMIT_REQUIRED_FIELDS:
                self.fields[name].required = True

    def clean_credit_code(self) -> str:
        code = normalise_credit_code(self.cleaned_data.get("credit_code", ""))
        if code and not (self.data.get(self.add_prefix("credit_code_nonstandard_reason")) or "").strip():
            validate_credit_code(code)
        elif code:
            # A reason is given: a non-standard code, checked for its form only (see below).
            validate_nonstandard_credit_code(code)
        return code

    def clean_credit_code_nonstandard_reason(self) -> str:
        return (self.cleaned_data.get("credit_code_nonstandard_reason") or "").strip()

    def clean_registration_date(self):
        value = self.cleaned_data.get("registration_date")
        if value and value > timezone.localdate():
            raise ValidationError(_("The registration date cannot be in the future."))
        return value

    def clean(self):
        data = super().clean()
        if self.strict and not (data.get("legal_name_zh") or data.get("legal_name_en")):
            self.add_error("legal_name_zh", _("Give the legal name in Chinese, in English, or both."))
        if data.get("credit_code_nonstandard_reason") and not data.get("credit_code") and "credit_code" not in self.errors:
            self.add_error("credit_code", _("Give the non-standard credit code the reason is for."))
        if self.strict and data.get("requested_credit_limit") == 0:
            self.add_error("requested_credit_limit", _("The requested credit limit must be above zero."))
        return data


class FinancialStatementForm(CleanTextMixin, forms.ModelForm):
    class Meta:
        model = FinancialStatement
        formfield_callback = formfield
        field_classes = dict.fromkeys(FINANCIAL_FIELDS, MoneyField)
        fields = ["fiscal_year", *FINANCIAL_FIELDS]

    def __init__(self, *args, strict: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.strict = strict
        year = timezone.localdate().year
        self.fields["fiscal_year"].validators += [MinValueValidator(1990), MaxValueValidator(year)]
        for name in ("total_assets", "current_assets", "current_liabilities", "total_liabilities", "revenue"):
            self.fields[name].validators.append(MinValueValidator(0))
        for name in FINANCIAL_FIELDS:
            self.fields[name].required = strict

    def clean(self):
        data = super().clean()
        current, total = data.get("current_assets"), data.get("total_assets")
        if current is not None and total is not None and current > total:
            self.add_error("current_assets", _("Current assets cannot exceed total assets."))
        cl, tl = data.get("current_liabilities"), data.get("total_liabilities")
        if cl is not None and tl is not None and cl > tl:
            self.add_error("current_liabilities", _("Current liabilities cannot exceed total liabilities."))
        return data


class StrictFormSetMixin:
    """A draft may leave new rows blank; a submission validates them (see ``clean``)."""

    def __init__(self, *args, strict: bool = False, **kwargs) -> None:
        self.strict = strict
        super().__init__(*args, **kwargs)

    def _construct_form(self, i, **kwargs):
        if not self.strict and i >= self.initial_form_count():
            kwargs["empty_permitted"] = True
        return super()._construct_form(i, **kwargs)


class BaseFinancialFormSet(StrictFormSetMixin, forms.BaseInlineFormSet):
    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "strict": self.strict}

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        years = [
            f.cleaned_data["fiscal_year"]
            for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE") and f.cleaned_data.get("fiscal_year")
        ]
        if len(years) != len(set(years)):
            raise ValidationError(_("Each fiscal year can appear only once."))
        if self.strict:
            latest_allowed = timezone.localdate().year - 2
            if not years:
                raise ValidationError(_("Enter the financial statements of at least the last fiscal year."))
            if max(years) < latest_allowed:
                raise ValidationError(
                    _("The most recent statements are from %(year)s; statements from %(min)s or later are required.")
                    % {"year": max(years), "min": latest_allowed}
                )


FinancialFormSet = forms.inlineformset_factory(
    Application, FinancialStatement, form=FinancialStatementForm, formset=BaseFinancialFormSet,
    extra=0, min_num=1, max_num=3, absolute_max=3, can_delete=True,
)


class ContactForm(CleanTextMixin, forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["name", "title", "phone", "email"]

    def clean(self):
        data = super().clean()
        if data.get("name") and not (data.get("phone") or data.get("email")):
            self.add_error("phone", _("Give a phone number or an e-mail address."))
        return data


class BaseContactFormSet(StrictFormSetMixin, forms.BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        named = [f for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE") and f.cleaned_data.get("name")]
        if self.strict and not named:
            raise ValidationError(_("Add at least one contact."))


ContactFormSet = forms.inlineformset_factory(
    Application, Contact, form=ContactForm, formset=BaseContactFormSet, extra=0, min_num=1, max_num=5,
    absolute_max=5, can_delete=True, validate_min=False,
)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)]


class DocumentUploadForm(CleanTextMixin, forms.Form):
    document_type = forms.ModelChoiceField(queryset=DocumentType.objects.all(), label=_("Document type"))
    files = MultipleFileField(label=_("Files"), help_text=_("PDF, JPEG, PNG, XLSX or DOCX. You can choose several."))


class DocumentReplaceForm(CleanTextMixin, forms.Form):
    file = forms.FileField(label=_("New version"), widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}))


class DocumentReviewForm(CleanTextMixin, forms.Form):
    decision = forms.ChoiceField(choices=[("accept", _("Accept")), ("reject", _("Reject"))], label=_("Decision"))
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)
    expires_on = forms.DateField(label=_("Valid until"), required=False, widget=DateInput)

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reject" and not data.get("reason", "").strip():
            self.add_error("reason", _("Please say why the document is rejected."))
        return data


class CommentForm(CleanTextMixin, forms.Form):
    # Empty and over-long comments are refused by comments.comment_create, with its own messages.
    body = forms.CharField(required=False, strip=False)


class MentionSearchForm(CleanTextMixin, forms.Form):
    q = forms.CharField(required=False, strip=False)


class TransitionForm(CleanTextMixin, forms.Form):
    transition = forms.CharField(widget=forms.HiddenInput)
    expected_state = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


def document_type_for_customer(form: DocumentUploadForm, customer_type: str) -> None:
    if customer_type:
        form.fields["document_type"].queryset = DocumentType.objects.filter(
            Q(documentrequirement__customer_type=customer_type) | Q(code="other")
        ).distinct()

