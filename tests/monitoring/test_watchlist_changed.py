"""A re-import that touches some customers makes those with new hits due, so the next tick alerts."""

import pytest
from django.utils import timezone

from monitoring.models import CustomerCreditProfile
from onboarding.models import Customer
from tests.watchlists.conftest import import_list

pytestmark = pytest.mark.django_db


def test_customers_with_new_hits_after_a_partial_reimport_become_due(sales, django_capture_on_commit_callbacks):
    import_list("C-2,Acme Trading LLC,,US,SDN,company", "P-1,John Smith,,GB,UK,person", source="Sanctions")
    touched = Customer.objects.create(name="Acme Trading LLC", credit_code="91310000MA1FL8X777",
                                      customer_type="sme", sales_owner=sales)
    quiet = Customer.objects.create(name="Blue Sky Logistics", credit_code="91310000MA1FL8X888",
                                    customer_type="sme", sales_owner=sales)
    with django_capture_on_commit_callbacks(execute=True):
        import_list("C-2,Acme Trading LLC,,US,SDN-2,company", "P-1,John Smith,,GB,UK,person", source="Sanctions")
    due = dict(CustomerCreditProfile.objects.values_list("customer_id", "due_on"))
    assert due.get(touched.pk) == timezone.localdate()
    assert quiet.pk not in due
