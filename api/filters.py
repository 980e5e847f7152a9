"""The screens' own list filters, with what an integration also asks for (kind, credit code, changed since)."""

from __future__ import annotations

import django_filters

from approvals.filters import CustomerFilter as ScreenCustomerFilter
from onboarding.enums import ApplicationKind
from onboarding.filters import ApplicationFilter as ScreenApplicationFilter


class ApplicationFilter(ScreenApplicationFilter):
    kind = django_filters.ChoiceFilter(choices=ApplicationKind.choices)
    credit_code = django_filters.CharFilter(field_name="credit_code")
    updated_since = django_filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")


class CustomerFilter(ScreenCustomerFilter):
    credit_code = django_filters.CharFilter(field_name="credit_code")
