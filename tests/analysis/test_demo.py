"""The demo data makes the outcome, funnel and validation pages show real figures, and a second run adds nothing."""

from io import StringIO

import pytest
from django.core.management import call_command

from analysis.models import Case
from analysis.validation import validate
from outcomes.models import CustomerOutcome, Invoice, WriteOff
from screening.selectors import published_version

pytestmark = pytest.mark.django_db


def test_seed_demo_gives_outcomes_and_validation_figures(settings):
    settings.DEBUG = True
    out = StringIO()
    call_command("seed_demo", stdout=out)
    text = out.getvalue()
    assert "receivables: 80 invoices" in text and "earlier book: 160 customers added" in text
    stopped = CustomerOutcome.objects.get(customer__name="佛山南方建材贸易有限公司")
    assert stopped.status == "dpd90" and stopped.exposure > stopped.customer.credit_limit
    assert WriteOff.objects.count() == 2
    assert sorted(Case.objects.values_list("kind", flat=True)) == ["failure", "success"]
    assert Case.objects.get(kind="failure").facts["outcome"]["status"] == "dpd90"
    report = validate(published_version())
    assert report.enough and report.auc > 0.7 and report.psi is None
    invoices = Invoice.objects.count()
    call_command("seed_demo", stdout=StringIO())
    assert Invoice.objects.count() == invoices
    assert WriteOff.objects.count() == 2
    assert Case.objects.count() == 2
