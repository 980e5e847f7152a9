"""A re-review starts from what is known: the customer record, its last approval, its still-valid documents."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from onboarding.enums import CustomerStatus, DocumentStatus, PaymentTerms, State
from onboarding.models import Application, Customer, Document, Industry
from onboarding.services import COPIED_FIELDS, application_open_review
from tests.approvals.conftest import cast
from tests.factories import ApplicationFactory, advance, user_with

TODAY = timezone.localdate()


def _approved(*, uploaded_days_ago: int, licence_expires: datetime.date | None) -> Application:
    """An approved SME application (a customer now), its documents accepted ``uploaded_days_ago`` days ago."""
    application = advance(ApplicationFactory(), State.COMMITTEE_REVIEW)
    documents = Document.objects.filter(application=application)
    documents.update(uploaded_at=timezone.now() - datetime.timedelta(days=uploaded_days_ago))
    # The expiry date the reviewer recorded on the licence (document_review(expires_on=...)).
    documents.filter(document_type__code="business_licence").update(expires_on=licence_expires)
    voters = {"finance": user_with(Role.APPROVER_FINANCE), "legal": user_with(Role.APPROVER_LEGAL)}
    for department, voter in voters.items():
        cast(application, voter, department, "approve")
    application.refresh_from_db()
    return application


def _codes(documents) -> list[str]:
    return sorted(d.document_type.code for d in documents)


@pytest.mark.django_db
def test_every_field_of_the_last_approval_and_the_customer_record_is_prefilled_and_marked():
    source = _approved(uploaded_days_ago=10, licence_expires=TODAY + datetime.timedelta(days=365))
    customer = source.customer
    # Changed on the record since the approval: the record is the newer word.
    customer.industry = Industry.objects.get(code="IT")
    customer.credit_limit, customer.payment_terms_days = Decimal("800000"), PaymentTerms.NET_45
    customer.save()
    review = application_open_review(customer=customer, reason="Escalated alert")

    overridden = {"industry_id": customer.industry_id, "requested_credit_limit": Decimal("800000.00"),
                  "requested_payment_terms": PaymentTerms.NET_45}
    for field in COPIED_FIELDS:
        assert getattr(review, field) == overridden.get(field, getattr(source, field)), field
    assert review.kind == "review" and review.state == State.DRAFT and review.created_by == customer.sales_owner
    assert sorted(review.carried_over) == sorted(field.removesuffix("_id") for field in COPIED_FIELDS)
    assert review.carried_over["registration_date"] == "2012-05-17"
    assert review.carried_over["industry"] == str(customer.industry_id)
    assert list(review.financials.values_list("fiscal_year", flat=True)) == list(
        source.financials.values_list("fiscal_year", flat=True)
    )
    assert list(review.contacts.values_list("name", flat=True)) == ["李娜"]
    assert Customer.objects.get(pk=customer.pk).status == CustomerStatus.UNDER_REVIEW


@pytest.mark.django_db
def test_a_customer_without_an_approved_application_gets_what_its_record_knows(sales):
    customer = Customer.objects.create(
        name="宁波海曙贸易有限公司", credit_code="91110000802100433B", customer_type="sme",
        industry=Industry.objects.get(code="TRADE"), credit_limit=Decimal("300000"),
        payment_terms_days=PaymentTerms.NET_30, sales_owner=sales,
    )
    review = application_open_review(customer=customer, reason="Escalated alert")
    assert (review.legal_name_zh, review.legal_name_en, review.credit_code, review.customer_type, review.industry,
            review.requested_credit_limit, review.requested_payment_terms) == (
        "宁波海曙贸易有限公司", "", "91110000802100433B", "sme", customer.industry, Decimal("300000.00"), 30,
    )
    assert review.carried_over == {
        "legal_name_zh": "宁波海曙贸易有限公司", "credit_code": "91110000802100433B", "customer_type": "sme",
        "industry": str(customer.industry_id), "requested_credit_limit": "300000.00", "requested_payment_terms": "30",
    }
    assert review.documents.count() == 0


@pytest.mark.django_db
def test_documents_within_their_validity_carry_over_as_accepted_copies():
    # 100 days: statements (15 months) and the tax certificate (12) still valid, the bank reference
    # (3 months) not; the licence is valid for 30 more days; the ID has no expiry recorded: asked again.
    source = _approved(uploaded_days_ago=100, licence_expires=TODAY + datetime.timedelta(days=30))
    review = application_open_review(customer=source.customer, reason="Escalated alert")

    carried = list(review.documents.select_related("document_type", "carried_from"))
    assert _codes(carried) == ["business_licence", "financial_statements", "tax_certificate"]
    for copy in carried:
        original = copy.carried_from
        assert original.application_id == source.pk
        assert (copy.status, copy.is_current, copy.version, copy.sha256) == (
            DocumentStatus.ACCEPTED, True, 1, original.sha256
        )
        assert copy.file.name != original.file.name  # its own file
        with copy.file.open("rb") as a, original.file.open("rb") as b:
            assert a.read() == b.read()
    assert carried[0].expires_on == TODAY + datetime.timedelta(days=30)

    from onboarding.selectors import document_checklist

    needed = sorted(line.name for line in document_checklist(review) if line.required and not line.documents)
    assert needed == sorted(["Bank reference", "Legal representative ID"])


@pytest.mark.django_db
def test_expired_documents_do_not_carry_over():
    # 16 months: the statements are too old; the licence expired yesterday.
    source = _approved(uploaded_days_ago=487, licence_expires=TODAY - datetime.timedelta(days=1))
    review = application_open_review(customer=source.customer, reason="Escalated alert")
    assert review.documents.count() == 0


@pytest.mark.django_db
def test_the_validity_boundaries():
    from onboarding.services import document_still_valid

    source = _approved(uploaded_days_ago=0, licence_expires=TODAY)
    assert source.state == State.APPROVED and source.customer is not None
    statements = source.documents.get(document_type__code="financial_statements")
    licence = source.documents.get(document_type__code="business_licence")
    assert document_still_valid(licence, today=TODAY) is True  # valid through its expiry date
    assert document_still_valid(licence, today=TODAY + datetime.timedelta(days=1)) is False
    uploaded = timezone.localdate(statements.uploaded_at)
    fifteen_months = services_add_months(uploaded, 15)
    assert document_still_valid(statements, today=fifteen_months) is True
    assert document_still_valid(statements, today=fifteen_months + datetime.timedelta(days=1)) is False


def services_add_months(start, months):
    from onboarding.selectors import add_months

    return add_months(start, months)


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "banner", "hint"), [
    ("en", "fields were carried over from the customer record or its last approval",
     "Carried over from the customer record or its last approval: please check it."),
    ("zh-hans", "项信息沿用自客户档案或上次批准的申请", "沿用自客户档案或上次批准的申请，请核对。"),
])
def test_the_owner_sees_what_was_carried_over_until_changing_it(client, language, banner, hint):
    source = _approved(uploaded_days_ago=10, licence_expires=None)
    review = application_open_review(customer=source.customer, reason="Escalated alert")
    client.force_login(review.created_by)
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    page = client.get(reverse("onboarding:application_edit", args=[review.pk]))
    html = page.content.decode()
    assert banner in html
    form = page.context["form"]
    assert sorted(form.carried_over) == sorted(field.removesuffix("_id") for field in COPIED_FIELDS)
    assert str(form.fields["legal_representative"].help_text) == hint
    assert 'value="2012-05-17"' in html  # the carried-over date reaches the browser's date field

    review.legal_representative = "张伟"
    review.save()
    form = client.get(reverse("onboarding:application_edit", args=[review.pk])).context["form"]
    assert "legal_representative" not in form.carried_over
    assert "registration_date" in form.carried_over


@pytest.mark.django_db
def test_the_reviewer_records_the_expiry_date_when_accepting(client, reviewer):
    application = advance(ApplicationFactory(), State.DOCUMENT_REVIEW)
    licence = application.documents.get(document_type__code="business_licence")
    client.force_login(reviewer)
    page = client.get(reverse("onboarding:document_review", args=[application.pk])).content.decode()
    assert f'name="expires_on" id="expires-{licence.pk}"' in page
    client.post(reverse("onboarding:document_review_action", args=[licence.pk]),
                {"decision": "accept", "expires_on": "2031-06-30"})
    licence.refresh_from_db()
    assert (licence.status, licence.expires_on) == (DocumentStatus.ACCEPTED, datetime.date(2031, 6, 30))
