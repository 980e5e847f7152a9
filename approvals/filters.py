from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.validators import CleanTextForm
from onboarding.enums import CustomerStatus, Tier
from onboarding.models import Customer


class CustomerFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Name or credit code"))
    status = django_filters.ChoiceFilter(choices=CustomerStatus.choices, label=_("Status"))
    tier = django_filters.ChoiceFilter(choices=Tier.choices, label=_("Risk tier"))
    review_overdue = django_filters.BooleanFilter(
        method="filter_review_overdue", label=_("Review overdue only"),
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    class Meta:
        form = CleanTextForm
        model = Customer
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
        return queryset.filter(Q(name__icontains=value) | Q(credit_code__iexact=value))

    def filter_review_overdue(self, queryset, name, value):
        return queryset.filter(next_review_date__lt=timezone.localdate()) if value else queryset
