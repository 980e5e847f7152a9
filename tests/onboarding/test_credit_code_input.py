"""Issue 11: credit codes as people type them, the region-digit rule, and non-standard codes
entered by the sales owner with a reason and accepted by the document reviewer (through the
screens)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from onboarding.enums import State
from onboarding.models import Application
from onboarding.validators import (
    credit_code_check_char,
    normalise_credit_code,
    validate_credit_code,
    validate_nonstandard_credit_code,
)
from tests.factories import accept_all_documents, advance
from tests.onboarding.test_application_form import _form_data

PILOT_CODE = "91350211M0000XUF46"  # an early pilot code: legally valid, fails the check digit


@pytest.mark.parametrize(
    "typed",
    ["9135-0100-M000-100Y-43", "9135 0100 M000 100Y 43", "９１３５０１００Ｍ０００１００Ｙ４３",
     "９１３５　０１００－Ｍ０００ １００ｙ４３", " 91350100m000100y43 ", "91350100—M000100Y43"],
)
def test_typed_and_pasted_forms_are_normalised_before_validation(typed):
    assert normalise_credit_code(typed) == "91350100M000100Y43"
    validate_credit_code(typed)


def _with_check_char(body: str) -> str:
    return body + credit_code_check_char(body)


def test_region_code_must_be_digits_and_the_error_names_the_rule():
    code = _with_check_char("91A50100M000100Y4")  # a letter in the region code, check digit right
    with pytest.raises(ValidationError) as error:
        validate_credit_code(code)
    assert error.value.code == "region"
    assert error.value.messages == [
        "Characters 3 to 8 of a unified social credit code are the region code and must be digits; "
        "here they are A50100."
    ]


@pytest.mark.parametrize(
    ("code", "rule"),
    [("91350100M000100Y4", "length"), ("91350100I000100Y43", "charset"), ("9135010AM000100Y43", "region"),
     ("91350100M000100Y44", "check_digit"), (PILOT_CODE, "check_digit")],
)
def test_each_failed_rule_has_its_code(code, rule):
    with pytest.raises(ValidationError) as error:
        validate_credit_code(code)
    assert error.value.code == rule


def test_nonstandard_codes_are_checked_for_form_only():
    validate_nonstandard_credit_code(PILOT_CODE)
    validate_nonstandard_credit_code("9135 0211-m0000xuf46")
    with pytest.raises(ValidationError) as error:
        validate_nonstandard_credit_code("91350211M0000XUF4")
    assert error.value.code == "length"
    with pytest.raises(ValidationError) as error:
        validate_nonstandard_credit_code("91350211M0000XUF4#")
    assert error.value.code == "charset"


@pytest.mark.django_db
def test_form_refuses_the_pilot_code_without_a_reason(client, sales):
    client.force_login(sales)
    response = client.post(reverse("onboarding:application_create"), _form_data(credit_code=PILOT_CODE, save="1"))
    assert response.context["form"].errors["credit_code"] == [
        "The check digit does not match: please check the code for a typing error."
    ]
    assert Application.objects.count() == 0


@pytest.mark.django_db
def test_form_saves_typed_code_normalised(client, sales):
    client.force_login(sales)
    client.post(reverse("onboarding:application_create"), _form_data(credit_code="９１３５-0100 M000 100Y43", save="1"))
    assert Application.objects.get().credit_code == "91350100M000100Y43"


@pytest.mark.django_db
def test_reason_without_code_is_refused(client, sales):
    client.force_login(sales)
    response = client.post(reverse("onboarding:application_create"),
                           _form_data(credit_code="", credit_code_nonstandard_reason="pilot code", save="1"))
    assert response.context["form"].errors["credit_code"] == ["Give the non-standard credit code the reason is for."]


@pytest.mark.django_db
def test_nonstandard_code_path_through_the_screens(client, sales, reviewer):
    # 1. The sales owner enters the pilot code with a reason.
    client.force_login(sales)
    client.post(reverse("onboarding:application_create"), _form_data(
        credit_code="9135 0211 M000 0XUF46", credit_code_nonstandard_reason="Pilot code issued by Xiamen in 2015.",
        save="1",
    ))
    application = Application.objects.get()
    assert (application.credit_code, application.credit_code_nonstandard) == (PILOT_CODE, True)
    page = client.get(reverse("onboarding:application_detail", args=[application.pk])).content.decode()
    assert "not machine-verified" in page and "not yet accepted by the document reviewer" in page

    # 2. Submitted; the document reviewer cannot pass the documents before accepting the code.
    application = advance(application, State.DOCUMENT_REVIEW)
    accept_all_documents(application, reviewer)
    client.force_login(reviewer)
    review_url = reverse("onboarding:document_review", args=[application.pk])
    page = client.get(review_url).content.decode()
    assert "Accept the non-standard credit code" in page
    assert f"The non-standard credit code {PILOT_CODE} must be accepted by the document reviewer." in page
    response = client.post(reverse("onboarding:application_transition", args=[application.pk]),
                           {"transition": "pass_documents", "expected_state": State.DOCUMENT_REVIEW}, follow=True)
    assert Application.objects.get(pk=application.pk).state == State.DOCUMENT_REVIEW
    assert f"The non-standard credit code {PILOT_CODE} must be accepted by the document reviewer." in [
        str(m) for m in response.context["messages"]
    ]

    # 3. The sales owner cannot accept it; the reviewer does, explicitly (POST).
    accept_url = reverse("onboarding:credit_code_accept", args=[application.pk])
    assert client.get(accept_url).status_code == 405
    client.force_login(sales)
    response = client.post(accept_url, follow=True)
    assert [str(m) for m in response.context["messages"]] == ["You cannot review this application now."]
    assert Application.objects.get(pk=application.pk).credit_code_accepted_by is None
    client.force_login(reviewer)
    response = client.post(accept_url, follow=True)
    assert [str(m) for m in response.context["messages"]] == ["The non-standard credit code is accepted."]
    application.refresh_from_db()
    assert application.credit_code_accepted_by == reviewer and application.credit_code_accepted_at is not None

    # 4. Now the documents pass; the application still says the code was not machine-verified.
    client.post(reverse("onboarding:application_transition", args=[application.pk]),
                {"transition": "pass_documents", "expected_state": State.DOCUMENT_REVIEW})
    assert Application.objects.get(pk=application.pk).state == State.BACKGROUND_CHECK
    page = client.get(reverse("onboarding:application_detail", args=[application.pk])).content.decode()
    assert "not machine-verified" in page and f"accepted by {reviewer}" in page


@pytest.mark.django_db
def test_accepting_a_machine_verified_code_is_refused(client, sales, reviewer, application):
    application = advance(application, State.DOCUMENT_REVIEW)
    client.force_login(reviewer)
    response = client.post(reverse("onboarding:credit_code_accept", args=[application.pk]), follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "This application's credit code was machine-verified: there is nothing to accept."
    ]


@pytest.mark.django_db
def test_changing_the_code_drops_the_acceptance(client, sales, reviewer):
    client.force_login(sales)
    client.post(reverse("onboarding:application_create"), _form_data(
        credit_code=PILOT_CODE, credit_code_nonstandard_reason="Pilot code.", save="1"))
    application = Application.objects.get()
    Application.objects.filter(pk=application.pk).update(credit_code_accepted_by=reviewer)
    client.post(reverse("onboarding:application_edit", args=[application.pk]), _form_data(
        credit_code=PILOT_CODE, credit_code_nonstandard_reason="Pilot code of Xiamen.", save="1",
        **{"fin-INITIAL_FORMS": "1", "contact-INITIAL_FORMS": "1", "fin-0-id": application.financials.get().pk,
           "contact-0-id": application.contacts.get().pk}))
    assert Application.objects.get(pk=application.pk).credit_code_accepted_by is None
