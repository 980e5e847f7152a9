from __future__ import annotations

from datetime import date, datetime, time, timedelta

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.validators import CleanTextForm
from onboarding.enums import CustomerType, State
from onboarding.forms import DateInput
from onboarding.models import Application


def _start_of(day: date) -> datetime:
    """The first instant of ``day`` in the site's time zone."""
    return timezone.make_aware(datetime.combine(day, time.min))


class ApplicationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Name or credit code"))
    state = django_filters.ChoiceFilter(choices=State.choices, label=_("State"))
    customer_type = django_filters.ChoiceFilter(choices=CustomerType.choices, label=_("Customer type"))
    # As ranges of the column itself (from the local day's start, before the next day's), not
    # ``submitted_at__date``: a date cast of every row cannot use the index (issue 16).
    submitted_from = django_filters.DateFilter(method="filter_submitted_from", label=_("Submitted from"), widget=DateInput)
    submitted_to = django_filters.DateFilter(method="filter_submitted_to", label=_("Submitted until"), widget=DateInput)
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

    def filter_submitted_from(self, queryset, name, value):
        return queryset.filter(submitted_at__gte=_start_of(value))

    def filter_submitted_to(self, queryset, name, value):
        return queryset.filter(submitted_at__lt=_start_of(value + timedelta(days=1)))

    def filter_overdue(self, queryset, name, value):
        return queryset.overdue() if value else queryset
