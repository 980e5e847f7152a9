"""A person with two roles who may not act on a page is told why, on that page (segregation of duties)."""

import pytest
from django.urls import reverse

from accounts.roles import Role
from onboarding import services as onboarding_services
from onboarding.enums import State
from tests.approvals.conftest import in_committee
from tests.factories import ApplicationFactory, accept_all_documents, advance, user_with

pytestmark = pytest.mark.django_db

NOTICE = 'class="alert alert-warning segregation-notice"'


def _page(client, user, url) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_document_review_page_tells_a_reviewer_who_created_the_application(client):
    both = user_with(Role.SALES, Role.DOCUMENT_REVIEWER, username="sam")
    application = advance(ApplicationFactory(created_by=both), State.DOCUMENT_REVIEW)
    page = _page(client, both, reverse("onboarding:document_review", args=[application.pk]))
    assert NOTICE in page
    assert "You created this application: segregation of duties keeps you from this stage." in page
    colleague = user_with(Role.DOCUMENT_REVIEWER, username="rita")
    assert NOTICE not in _page(client, colleague, reverse("onboarding:document_review", args=[application.pk]))


def test_background_check_page_tells_an_investigator_who_reviewed_the_documents(client):
    both = user_with(Role.DOCUMENT_REVIEWER, Role.INVESTIGATOR, username="dora")
    application = advance(ApplicationFactory(), State.DOCUMENT_REVIEW)
    accept_all_documents(application, both)  # she reviewed the documents; a colleague passes them on
    onboarding_services.application_transition(
        application_id=application.pk, transition="pass_documents", actor=user_with(Role.DOCUMENT_REVIEWER),
    )
    page = _page(client, both, reverse("screening:application_screen", args=[application.pk]))
    assert NOTICE in page
    assert "You reviewed the documents of this application: segregation of duties keeps you from this stage." in page


def test_committee_page_tells_an_approver_who_investigated(client, people):
    investigator_and_approver = user_with(Role.INVESTIGATOR, Role.APPROVER_LEGAL, username="ines")
    application = in_committee({**people, "ivan": investigator_and_approver})
    page = _page(client, investigator_and_approver, reverse("approvals:review", args=[application.pk]))
    assert NOTICE in page
    assert "You investigated this application: you cannot vote on it." in page
    assert NOTICE not in _page(client, people["leo"], reverse("approvals:review", args=[application.pk]))
