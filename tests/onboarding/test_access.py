"""Per-object access: sales A cannot list, open, download from or act on sales B's application."""

import pytest
from django.urls import reverse

from onboarding.enums import State
from onboarding.models import Application
from tests.factories import ApplicationFactory, advance, upload_required_documents


@pytest.fixture
def bobs_application(other_sales):
    application = ApplicationFactory(created_by=other_sales, legal_name_zh="鲍勃贸易有限公司")
    upload_required_documents(application)
    return application


@pytest.mark.django_db
def test_sales_lists_only_their_own(client, sales, application, bobs_application):
    client.force_login(sales)
    response = client.get(reverse("onboarding:my_applications"))
    assert [a.pk for a in response.context["page"]] == [application.pk]
    assert "鲍勃贸易有限公司" not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["application_detail", "application_edit", "document_review", "application_audit"])
def test_sales_cannot_open_anothers_application(client, sales, bobs_application, name):
    client.force_login(sales)
    assert client.get(reverse(f"onboarding:{name}", args=[bobs_application.pk])).status_code in (403, 404)


@pytest.mark.django_db
def test_sales_cannot_download_or_change_anothers_documents(client, sales, bobs_application):
    client.force_login(sales)
    document = bobs_application.documents.first()
    assert client.get(reverse("onboarding:document_download", args=[document.pk])).status_code == 404
    assert client.post(reverse("onboarding:document_remove", args=[document.pk])).status_code == 404
    assert bobs_application.documents.count() == 5


@pytest.mark.django_db
def test_sales_cannot_act_on_anothers_application(client, sales, bobs_application):
    client.force_login(sales)
    response = client.post(reverse("onboarding:application_transition", args=[bobs_application.pk]),
                           {"transition": "withdraw", "expected_state": "draft", "reason": ""})
    assert response.status_code == 404
    assert Application.objects.get(pk=bobs_application.pk).state == State.DRAFT


@pytest.mark.django_db
def test_sales_cannot_list_all_or_see_queue(client, sales):
    client.force_login(sales)
    assert client.get(reverse("onboarding:application_list")).status_code == 403
    assert client.get(reverse("onboarding:queue")).status_code == 403


@pytest.mark.django_db
def test_wrong_role_cannot_take_transition_through_the_view(client, investigator, application):
    advance(application, State.DOCUMENT_REVIEW)
    client.force_login(investigator)
    response = client.post(reverse("onboarding:application_transition", args=[application.pk]),
                           {"transition": "pass_documents", "expected_state": "document_review"}, follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "You are not allowed to take this action on this application."
    ]
    assert Application.objects.get(pk=application.pk).state == State.DOCUMENT_REVIEW


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["application_transition", "document_upload"])
def test_state_changes_are_post_only(client, sales, application, name):
    client.force_login(sales)
    assert client.get(reverse(f"onboarding:{name}", args=[application.pk])).status_code == 405


@pytest.mark.django_db
def test_forged_request_without_csrf_token_is_refused(sales, application):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(sales)
    response = client.post(reverse("onboarding:application_transition", args=[application.pk]),
                           {"transition": "withdraw", "expected_state": "draft"})
    assert response.status_code == 403
    assert Application.objects.get(pk=application.pk).state == State.DRAFT


@pytest.mark.django_db
def test_audit_trail_only_for_risk_managers(client, sales, risk_manager, reviewer, application):
    url = reverse("onboarding:application_audit", args=[application.pk])
    client.force_login(sales)
    assert client.get(url).status_code == 403
    client.force_login(reviewer)
    assert client.get(url).status_code == 403
    client.force_login(risk_manager)
    response = client.get(url)
    assert response.status_code == 200
    assert application.legal_name_zh in response.content.decode()
