"""Control characters and bad ids on the onboarding screens: a form error or a 400, never a 500."""

import pytest
from django.urls import reverse

from onboarding.models import Application, Comment

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
CONTROL = "This text contains a control character ({}), which cannot be stored. Remove it and try again."


@pytest.mark.parametrize(("body", "character"), [("fine\x00@rita", "U+0000"), ("bell\x07", "U+0007"),
                                                  ("del\x7f", "U+007F"), ("c1\x85", "U+0085")])
def test_control_character_in_a_comment_is_a_form_error_and_nothing_is_saved(client, reviewer, application, body,
                                                                             character):
    client.force_login(reviewer)
    response = client.post(reverse("onboarding:comment_add", args=[application.pk]), {"body": body}, **HTMX)
    assert response.status_code == 200
    assert f'<div class="invalid-feedback">{CONTROL.format(character)}</div>' in response.content.decode()
    assert Comment.objects.count() == 0


def test_nul_in_a_comment_without_htmx_is_a_message(client, reviewer, application):
    client.force_login(reviewer)
    response = client.post(reverse("onboarding:comment_add", args=[application.pk]), {"body": "a\x00b"}, follow=True)
    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == [CONTROL.format("U+0000")]
    assert Comment.objects.count() == 0


def test_comment_with_tabs_and_line_breaks_is_saved(client, reviewer, application):
    client.force_login(reviewer)
    client.post(reverse("onboarding:comment_add", args=[application.pk]), {"body": "Two points:\r\n\t1. licence"})
    assert list(Comment.objects.values_list("body", flat=True)) == ["Two points:\r\n\t1. licence"]


def test_empty_comment_keeps_its_message(client, reviewer, application):
    client.force_login(reviewer)
    response = client.post(reverse("onboarding:comment_add", args=[application.pk]), {"body": " "}, **HTMX)
    assert "Please write a comment." in response.content.decode()


@pytest.mark.parametrize("query", ["ri\x00", "\x00", "r\x1b"])
def test_control_character_in_the_mention_search_is_a_400_with_no_results(client, reviewer, application, query):
    client.force_login(reviewer)
    response = client.get(reverse("onboarding:comment_mention_suggestions", args=[application.pk]), {"q": query})
    assert response.status_code == 400
    character = "U+001B" if "\x1b" in query else "U+0000"
    assert response.json() == {"results": [], "error": CONTROL.format(character)}


def test_mention_search_still_answers_a_plain_query(client, reviewer, application):
    client.force_login(reviewer)
    response = client.get(reverse("onboarding:comment_mention_suggestions", args=[application.pk]), {"q": "ri"})
    assert [row["username"] for row in response.json()["results"]] == ["rita"]


def test_nul_in_the_application_form_is_a_field_error(client, sales, application):
    client.force_login(sales)
    response = client.post(reverse("onboarding:application_edit", args=[application.pk]), {
        "legal_name_zh": "华东\x00机械", "credit_code": "9111\x00", "fin-TOTAL_FORMS": "0", "fin-INITIAL_FORMS": "0",
        "contact-TOTAL_FORMS": "0", "contact-INITIAL_FORMS": "0",
    })
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["legal_name_zh"] == [CONTROL.format("U+0000")]
    assert form.errors["credit_code"] == [CONTROL.format("U+0000")]
    assert Application.objects.get(pk=application.pk).legal_name_zh == application.legal_name_zh


@pytest.mark.parametrize("exclude", ["²", "9" * 5000, "x\x00y", "0"])
def test_credit_code_check_ignores_an_exclude_that_is_not_an_id(client, sales, application, exclude):
    client.force_login(sales)
    response = client.get(reverse("onboarding:credit_code_check"),
                          {"credit_code": application.credit_code, "exclude": exclude})
    assert response.status_code == 200
    assert [c.pk for c in response.context["conflicts"].applications] == [application.pk]


@pytest.mark.parametrize("query", ["华东\x00", "\x01"])
def test_control_character_in_the_list_search_is_ignored_with_an_error(client, risk_manager, application, query):
    client.force_login(risk_manager)
    response = client.get(reverse("onboarding:application_list"), {"q": query})
    assert response.status_code == 200
    assert response.context["filter"].form.errors["q"] == [CONTROL.format("U+0000" if "\x00" in query else "U+0001")]
    assert [a.pk for a in response.context["page"]] == [application.pk]
