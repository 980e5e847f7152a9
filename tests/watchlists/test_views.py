"""The risk managers' pages (lists, import, search) and the hits panel on the application page."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import Role
from tests.factories import user_with
from tests.watchlists.conftest import import_list
from watchlists.enums import Disposition
from watchlists.models import ScreeningHit
from watchlists.services import hit_disposition

pytestmark = pytest.mark.django_db


def _upload(text: str, name: str = "list.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


# --- Lists ---

def test_source_list_shows_lists_to_risk_manager(sample_list, risk_manager, client):
    client.force_login(risk_manager)
    response = client.get(reverse("watchlists:source_list"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Test list" in body and ">4<" in body


@pytest.mark.parametrize("role", [Role.INVESTIGATOR, Role.SALES, Role.APPROVER_FINANCE])
def test_source_list_refused_to_wrong_role(db, client, role):
    client.force_login(user_with(role))
    assert client.get(reverse("watchlists:source_list")).status_code == 403


def test_source_list_sends_anonymous_to_login(db, client):
    response = client.get(reverse("watchlists:source_list"))
    assert (response.status_code, response["Location"].startswith(reverse("login"))) == (302, True)


def test_source_list_query_count_is_the_same_for_1_and_3_lists(db, risk_manager, client):
    client.force_login(risk_manager)
    import_list("A-1,Acme,,,,company", source="One")
    with CaptureQueriesContext(connection) as one:
        assert client.get(reverse("watchlists:source_list")).status_code == 200
    import_list("A-1,Acme,,,,company", source="Two")
    import_list("A-1,Acme,,,,company", source="Three")
    with CaptureQueriesContext(connection) as three:
        assert client.get(reverse("watchlists:source_list")).status_code == 200
    assert len(one) == len(three)


# --- Import ---

# The import page and its jobs: tests/watchlists/test_import_jobs.py


# --- Search ---

@pytest.mark.parametrize("role", [Role.RISK_MANAGER, Role.INVESTIGATOR])
def test_search_page_lists_matches(sample_list, client, role):
    client.force_login(user_with(role))
    response = client.get(reverse("watchlists:search"), {"q": "Wei Zhang"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "张伟" in body and "100.0" in body and "P-1" in body


def test_search_page_says_when_nothing_matches(sample_list, risk_manager, client):
    client.force_login(risk_manager)
    response = client.get(reverse("watchlists:search"), {"q": "Nobody At All"})
    assert "No entry scores 85.0 or more." in response.content.decode()


@pytest.mark.parametrize("role", [Role.SALES, Role.APPROVER_LEGAL])
def test_search_page_refused_to_wrong_role(db, client, role):
    client.force_login(user_with(role))
    assert client.get(reverse("watchlists:search"), {"q": "Acme"}).status_code == 403


# --- The panel on the application page ---

def _detail(client, application):
    return client.get(reverse("onboarding:application_detail", args=[application.pk]))


def test_panel_shows_hits_and_form_to_the_investigator(listed_application, investigator, client):
    client.force_login(investigator)
    body = _detail(client, listed_application).content.decode()
    assert 'id="watchlist-hits"' in body
    assert "2 to disposition" in body
    assert len(re.findall(r'id="hit-[0-9]+-reason"', body)) == 2
    assert "Sanctions P-9" in body


def test_panel_shows_dispositions_without_form_to_risk_manager(listed_application, investigator, risk_manager,
                                                               client):
    hit = ScreeningHit.objects.filter(application=listed_application).first()
    hit_disposition(hit_id=hit.pk, actor=investigator, disposition=Disposition.TRUE_MATCH, reason="Same ID card")
    client.force_login(risk_manager)
    body = _detail(client, listed_application).content.decode()
    assert 'id="watchlist-hits"' in body and "Same ID card" in body and str(investigator) in body
    assert re.search(r'id="hit-[0-9]+-reason"', body) is None


def test_panel_is_not_shown_to_the_sales_owner(listed_application, sales, client):
    client.force_login(sales)
    response = _detail(client, listed_application)
    assert response.status_code == 200
    assert 'id="watchlist-hits"' not in response.content.decode()


def test_panel_query_count_is_the_same_for_1_and_3_hits(listed_application, investigator, client, sales, reviewer):
    from onboarding.enums import State
    from tests.factories import ApplicationFactory, advance
    from watchlists.services import screen_application

    client.force_login(investigator)
    import_list("Q-1,王建国,,CN,T,person", source="Second")
    import_list("Q-2,王建国,,CN,T,person", source="Third")
    one_hit = advance(ApplicationFactory(created_by=sales, legal_representative="王建国", legal_name_zh="甲",
                                         legal_name_en=""), State.BACKGROUND_CHECK, reviewer=reviewer)
    ScreeningHit.objects.all().delete()
    screen_application(application_id=one_hit.pk)
    ScreeningHit.objects.exclude(entry__external_id="Q-1").delete()
    with CaptureQueriesContext(connection) as one:
        _detail(client, one_hit)
    screen_application(application_id=one_hit.pk)
    assert ScreeningHit.objects.filter(application=one_hit).count() == 3
    with CaptureQueriesContext(connection) as three:
        _detail(client, one_hit)
    assert len(one) == len(three)
