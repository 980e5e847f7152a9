from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.validators import CleanTextForm
from onboarding.enums import CustomerType, State
from onboarding.forms import DateInput
from onboarding.models import Application


class ApplicationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Name or credit code"))
    state = django_filters.ChoiceFilter(choices=State.choices, label=_("State"))
    customer_type = django_filters.ChoiceFilter(choices=CustomerType.choices, label=_("Customer type"))
    submitted_from = django_filters.DateFilter(
        field_name="submitted_at", lookup_expr="date__gte", label=_("Submitted from"), widget=DateInput
    )
    submitted_to = django_filters.DateFilter(
        field_name="submitted_at", lookup_expr="date__lte", label=_("Submitted until"), widget=DateInput
    )
    overdue = django_filters.BooleanFilter(
        method="filter_overdue", label=_("Overdue only"), widget=forms.CheckboxInput(attrs={"class": "form-check-input"})
    )

    class Meta:
        form = CleanTextForm
        model = Application
        fields: list[str] = []

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.form.fields.values():
            if isinstance(field.widget, forms.CheckboxInput):
                continue
            css = "form-select form-select-sm" if hasattr(field, "choices") else "form-control form-control-sm"
            field.widget.attrs.setdefault("class", css)

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(legal_name_zh__icontains=value) | Q(legal_name_en__icontains=value) | Q(credit_code__iexact=value)
        )

    def filter_overdue(self, queryset, name, value):
        return queryset.overdue() if value else queryset
