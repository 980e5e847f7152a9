from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.inputs import DateInput, MoneyField, MoneyInput
from accounts.validators import CleanTextMixin
from approvals.enums import CustomerAction, Decision, Department, Rule
from onboarding.enums import PaymentTerms


class VoteForm(CleanTextMixin, forms.Form):
    """One department's vote. The service checks every rule again under the round's lock."""

    round = forms.IntegerField(widget=forms.HiddenInput)
    department = forms.ChoiceField(label=_("Vote for"), choices=Department.choices)
    decision = forms.ChoiceField(label=_("Decision"), choices=Decision.choices, widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Reason or questions"), required=False, max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required for every decision but a plain approval. For a request for information, "
                    "write the questions for the sales owner."),
    )
    credit_limit = MoneyField(
        label=_("Credit limit (CNY)"), required=False, min_value=0, max_digits=16, decimal_places=2,
        widget=MoneyInput(attrs={"class": "form-control form-control-sm"}),
    )
    payment_terms_days = forms.TypedChoiceField(
        label=_("Payment terms"), required=False, coerce=int, empty_value=None,
        choices=[("", "—"), *PaymentTerms.choices],
    )
    customer_action = forms.ChoiceField(
        label=_("If the committee rejects this re-review"), required=False,
        choices=CustomerAction.choices, widget=forms.RadioSelect,
    )

    def __init__(self, *args, departments: list[str], review: bool, requested_limit=None, requested_terms=None,
                 **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [(d, Department(d).label) for d in departments]
        if len(departments) == 1:
            self.fields["department"].initial = departments[0]
        if review:
            self.fields["customer_action"].initial = CustomerAction.SUSPEND
        else:
            del self.fields["customer_action"]
        self.fields["credit_limit"].help_text = _("Requested: %(amount)s CNY. Leave empty unless approving with conditions.") % {
            "amount": f"{requested_limit:,.0f}" if requested_limit is not None else "—"
        }
        if requested_terms is not None:
            self.fields["payment_terms_days"].help_text = _("Requested: %(terms)s.") % {
                "terms": PaymentTerms(requested_terms).label
            }

    def clean(self):
        data = super().clean()
        decision = data.get("decision")
        reason_refused = "reason" in self.errors
        if decision and decision != Decision.APPROVE and not reason_refused and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Please give a reason (required for every decision but a plain approval)."))
        if decision == Decision.APPROVE_WITH_CONDITIONS:
            for name in ("credit_limit", "payment_terms_days"):
                if data.get(name) is None and name not in self.errors:
                    self.add_error(name, _("Required for an approval with conditions."))
        else:
            # Terms typed and then a different decision chosen: they belong to no vote.
            data["credit_limit"] = None
            data["payment_terms_days"] = None
        return data


class ConditionForm(CleanTextMixin, forms.Form):
    text = forms.CharField(label=_("Condition"), max_length=500, required=False)
    due_date = forms.DateField(label=_("Due date"), required=False, widget=DateInput)

    def clean(self):
        data = super().clean()
        if data.get("text", "").strip() and not data.get("due_date"):
            self.add_error("due_date", _("Give a due date for this condition."))
        if data.get("due_date") and not data.get("text", "").strip():
            self.add_error("text", _("Say what the condition is."))
        return data


ConditionFormSet = forms.formset_factory(ConditionForm, extra=1, max_num=20, validate_max=True, absolute_max=20)


def filled_conditions(formset) -> list[tuple[str, object]]:
    return [
        (f.cleaned_data["text"].strip(), f.cleaned_data["due_date"])
        for f in formset.forms
        if f.cleaned_data.get("text", "").strip()
    ]


class PolicyForm(CleanTextMixin, forms.Form):
    departments = forms.MultipleChoiceField(
        label=_("Departments that vote"), choices=Department.choices, widget=forms.CheckboxSelectMultiple,
    )
    rule = forms.ChoiceField(
        label=_("Rule"), choices=Rule.choices, widget=forms.RadioSelect,
        help_text=_("Majority: more than half of the voting departments approve. Unanimous: all of them."),
    )
    veto_departments = forms.MultipleChoiceField(
        label=_("Departments with a veto"), choices=Department.choices, widget=forms.CheckboxSelectMultiple,
        required=False, help_text=_("A reject by one of these departments rejects at once."),
    )
    veto_silence_consents = forms.BooleanField(
        label=_("A veto department that has not voted consents"), required=False,
        help_text=_("Off (recommended): an approval waits until every department with a veto has voted. On: the "
                    "majority approves without waiting for them."),
    )
    warning = forms.BooleanField(
        label=_("Show a prominent warning to the approvers"), required=False,
    )

    def clean(self):
        data = super().clean()
        if not set(data.get("veto_departments") or ()) <= set(data.get("departments") or ()):
            raise ValidationError(_("Only a department that votes can have a veto."))
        return data
