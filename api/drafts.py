"""JSON → the unified form's own form and formsets, so that the API validates exactly as the screen does.

The API never validates a draft itself: it turns the JSON body into the POST data the screen
would send (the current values for fields the body leaves out), binds onboarding's
``ApplicationForm``, ``FinancialFormSet`` and ``ContactFormSet`` and hands them to
``onboarding.services.application_save``. The errors that come back are the screen's messages.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.validators import ProhibitNullCharactersValidator
from django.utils.translation import gettext as _

from onboarding.forms import ApplicationForm, ContactFormSet, FinancialFormSet
from onboarding.models import Application, Industry
from onboarding.selectors import FINANCIAL_FIELDS

APPLICATION_FIELDS = tuple(ApplicationForm.Meta.fields)
FINANCIAL_KEYS = ("fiscal_year", *FINANCIAL_FIELDS)
CONTACT_KEYS = ("name", "title", "phone", "email")
BODY_KEYS = (*APPLICATION_FIELDS, "financials", "contacts")


@dataclass
class BoundDraft:
    form: ApplicationForm
    financials: FinancialFormSet
    contacts: ContactFormSet
    # formset form index → index in the request's list, to report errors where the caller sent them
    financial_index: dict[int, int] = field(default_factory=dict)
    contact_index: dict[int, int] = field(default_factory=dict)

    def is_valid(self) -> bool:
        # Evaluate all three, so that every error is reported at once.
        results = [self.form.is_valid(), self.financials.is_valid(), self.contacts.is_valid()]
        return all(results)

    def errors(self) -> dict:
        found: dict = {name: list(messages) for name, messages in self.form.errors.items()}
        for key, formset, index in (("financials", self.financials, self.financial_index),
                                    ("contacts", self.contacts, self.contact_index)):
            rows = {}
            for position, form_errors in enumerate(formset.errors):
                if form_errors and position in index:
                    rows[str(index[position])] = {name: list(m) for name, m in form_errors.items()}
            general = list(formset.non_form_errors())
            if rows or general:
                found[key] = {**rows, **({"__all__": general} if general else {})}
        return found


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def unknown_keys(data: dict, allowed) -> list[str]:
    return sorted(set(data) - set(allowed))


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "on" if value else ""
    return str(value)


def _industry_value(value) -> str:
    """The API names an industry by its code (a CRM does not know our ids)."""
    if value in (None, ""):
        return ""
    found = Industry.objects.filter(code=str(value)).values_list("pk", flat=True).first()
    return str(found) if found is not None else f"unknown:{value}"


def bind(application: Application | None, body: dict) -> BoundDraft:
    """The screen's form and formsets, bound to what the body says on top of the current values."""
    instance = application or Application()
    current = ApplicationForm(instance=application) if application else None
    data: dict[str, str] = {}
    for name in APPLICATION_FIELDS:
        if name in body:
            data[name] = _industry_value(body[name]) if name == "industry" else _text(body[name])
        elif current is not None:
            data[name] = _text(current[name].value())
    financial_index = _formset_data(
        data, "fin", FinancialFormSet(instance=instance, prefix="fin"), body.get("financials"), FINANCIAL_KEYS,
        match=lambda row, existing: str(row.get("fiscal_year")) == str(existing.fiscal_year),
    )
    contact_index = _formset_data(
        data, "contact", ContactFormSet(instance=instance, prefix="contact"), body.get("contacts"), CONTACT_KEYS,
        match=None,
    )
    return BoundDraft(
        form=ApplicationForm(data, instance=application, strict=False),
        financials=FinancialFormSet(data, instance=instance, prefix="fin", strict=False),
        contacts=ContactFormSet(data, instance=instance, prefix="contact", strict=False),
        financial_index=financial_index, contact_index=contact_index,
    )


def _formset_data(data: dict, prefix: str, unbound, rows: list | None, keys, match) -> dict[int, int]:
    """POST data for one inline formset: the list replaces the rows (matched by ``match`` or position).

    Left out (``None``): the rows stay as they are. Rows not in the list are deleted.
    """
    existing = list(unbound.get_queryset())
    index: dict[int, int] = {}
    position = 0
    used: set[int] = set()
    for position, row in enumerate(existing):
        data[f"{prefix}-{position}-id"] = str(row.pk)
        incoming_at = None
        if rows is not None:
            for i, incoming in enumerate(rows):
                if i in used:
                    continue
                if (match(incoming, row) if match else i == position):
                    incoming_at = i
                    break
        if incoming_at is None:
            for key in keys:
                data[f"{prefix}-{position}-{key}"] = _text(getattr(row, key))
            if rows is not None:
                data[f"{prefix}-{position}-DELETE"] = "on"
        else:
            used.add(incoming_at)
            index[position] = incoming_at
            for key in keys:
                data[f"{prefix}-{position}-{key}"] = _text(rows[incoming_at].get(key, getattr(row, key)))
    total = len(existing)
    for i, incoming in enumerate(rows or []):
        if i in used:
            continue
        for key in keys:
            data[f"{prefix}-{total}-{key}"] = _text(incoming.get(key))
        index[total] = i
        total += 1
    data[f"{prefix}-TOTAL_FORMS"] = str(total)
    data[f"{prefix}-INITIAL_FORMS"] = str(len(existing))
    data[f"{prefix}-MIN_NUM_FORMS"] = "0"
    data[f"{prefix}-MAX_NUM_FORMS"] = "1000"
    return index


def body_problems(body) -> dict:
    """Unknown fields and wrong shapes, in the request's own terms (400 before any form is bound)."""
    if not isinstance(body, dict):
        return {"__all__": [_("Send a JSON object.")]}
    problems: dict = {}
    if _has_nul(body):
        # Before the forms: PostgreSQL cannot store the character, whatever the field.
        return {"__all__": [str(ProhibitNullCharactersValidator.message)]}
    for name in unknown_keys(body, BODY_KEYS):
        problems[name] = [_("Unknown field.")]
    for key, allowed in (("financials", FINANCIAL_KEYS), ("contacts", CONTACT_KEYS)):
        if key not in body:
            continue
        rows = body[key]
        if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
            problems[key] = [_("Send a list of objects.")]
            continue
        for i, row in enumerate(rows):
            unknown = unknown_keys(row, allowed)
            if unknown:
                problems.setdefault(key, {})[str(i)] = {name: [_("Unknown field.")] for name in unknown}
    for name in APPLICATION_FIELDS:
        if name in body and isinstance(body[name], dict | list):
            problems[name] = [_("Send a single value.")]
    return problems
