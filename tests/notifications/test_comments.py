"""Comments with @mentions: who may comment, who is recorded and notified, and how the body renders."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.template import Context, Template
from django.urls import reverse

from accounts.models import Notification, User
from accounts.roles import Role
from onboarding import comments, permissions
from onboarding.models import Comment
from onboarding.templatetags.comment_tags import comment_body
from tests.factories import user_with

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _notified(**filters) -> dict[str, str]:
    return dict(Notification.objects.filter(**filters).values_list("recipient__username", "verb"))


# --- the service --------------------------------------------------------------------------


def test_mention_is_recorded_and_notifies_the_person_mentioned(people, owned):
    comment = comments.comment_create(application=owned, author=people["rita"], body="@rex please check the licence")
    assert [user.username for user in comment.mentions.all()] == ["rex"]
    label = f"{owned.reference} {owned.display_name}"
    assert _notified() == {
        "rex": f"{people['rita']} mentioned you on {label}",
        "alice": f"{people['rita']} commented on {label}",
    }
    assert Notification.objects.get(recipient=people["rex"]).url == (
        reverse("onboarding:application_detail", args=[owned.pk]) + f"#comment-{comment.pk}"
    )


def test_mention_of_an_outsider_is_neither_recorded_nor_notified(people, owned):
    comment = comments.comment_create(application=owned, author=people["rita"], body="@bob @rick @nora have a look")
    assert list(comment.mentions.all()) == []
    assert set(_notified()) == {"alice"}


def test_mentioned_sales_owner_gets_only_the_mention(people, owned):
    comments.comment_create(application=owned, author=people["rex"], body="@alice which plant is this?")
    assert list(_notified()) == ["alice"]
    assert "mentioned you" in _notified()["alice"]


def test_sales_owners_own_comment_notifies_nobody_but_mentions(people, owned):
    comments.comment_create(application=owned, author=people["alice"], body="Uploaded again. @alice @rosa")
    assert set(_notified()) == {"rosa"}


def test_mentions_parse_punctuation_and_ignore_email_addresses(people, owned):
    comment = comments.comment_create(
        application=owned, author=people["alice"], body="Ask @rita. Or write to ivan@example.com, (@iris)",
    )
    assert sorted(user.username for user in comment.mentions.all()) == ["iris", "rita"]


def test_outsider_cannot_comment(people, owned):
    with pytest.raises(PermissionDenied):
        comments.comment_create(application=owned, author=people["bob"], body="hello")
    assert Comment.objects.count() == 0


@pytest.mark.parametrize("body", ["", "   \n "])
def test_empty_comment_is_refused(people, owned, body):
    with pytest.raises(ValidationError):
        comments.comment_create(application=owned, author=people["rita"], body=body)


def test_too_long_comment_is_refused(people, owned):
    with pytest.raises(ValidationError):
        comments.comment_create(application=owned, author=people["rita"], body="x" * 4001)


def test_mention_email_goes_after_commit(people, owned, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        comments.comment_create(application=owned, author=people["rita"], body="@rex see above")
    assert sorted(message.to[0] for message in mailoutbox) == ["alice@example.com", "rex@example.com"]


# --- rendering ----------------------------------------------------------------------------


def test_body_is_escaped_and_mentions_are_badges(people, owned):
    comment = comments.comment_create(
        application=owned, author=people["rita"], body='<script>alert("x")</script>\n@rex & @bob',
    )
    assert str(comment_body(comment)) == (
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;<br>"
        '<span class="badge rounded-pill text-bg-info mention">@rex</span> &amp; @bob'
    )


def test_panel_tag_renders_comments_form_and_script(people, owned, rf):
    comments.comment_create(application=owned, author=people["rita"], body="first <b>bold</b>")
    html = Template("{% load comment_tags %}{% comments_panel application user %}").render(
        Context({"application": owned, "user": people["rex"], "csrf_token": "token123"})
    )
    assert "first &lt;b&gt;bold&lt;/b&gt;" in html
    assert reverse("onboarding:comment_add", args=[owned.pk]) in html
    assert reverse("onboarding:comment_mention_suggestions", args=[owned.pk]) in html
    assert 'value="token123"' in html
    assert "js/mentions.js" in html


@pytest.mark.parametrize("count", [1, 6])
def test_panel_query_count_does_not_grow_with_comments(people, owned, count, django_assert_num_queries):
    for number in range(count):
        comments.comment_create(application=owned, author=people["rita"], body=f"{number} @rex @ivan")
    template = Template("{% load comment_tags %}{% comments_panel application user %}")
    # comments with authors, their mentions, the viewer's roles (can_view)
    with django_assert_num_queries(3):
        template.render(Context({"application": owned, "user": people["rex"]}))


# --- completion -----------------------------------------------------------------------------


def test_viewers_query_agrees_with_can_view(people, owned):
    viewers = set(comments.application_viewers(owned))
    for user in User.objects.all():
        assert (user in viewers) == permissions.can_view(user, owned), user.username


def test_suggestions_match_username_prefix_among_viewers(client, people, owned):
    client.force_login(people["alice"])
    response = client.get(reverse("onboarding:comment_mention_suggestions", args=[owned.pk]), {"q": "ri"})
    assert response.status_code == 200
    assert [row["username"] for row in response.json()["results"]] == ["rita"]


def test_suggestions_match_names(client, people, owned):
    user_with(Role.INVESTIGATOR, username="wjg", first_name="建国", last_name="王")
    user_with(Role.INVESTIGATOR, username="jsmith", first_name="John", last_name="Smith")
    client.force_login(people["rita"])
    url = reverse("onboarding:comment_mention_suggestions", args=[owned.pk])
    assert client.get(url, {"q": "王建"}).json()["results"] == [{"username": "wjg", "name": "建国 王"}]
    assert [row["username"] for row in client.get(url, {"q": "smi"}).json()["results"]] == ["jsmith"]
    assert [row["username"] for row in client.get(url, {"q": "@john s"}).json()["results"]] == ["jsmith"]


def test_suggestions_leave_out_outsiders_and_inactive_users(client, people, owned):
    client.force_login(people["rita"])
    url = reverse("onboarding:comment_mention_suggestions", args=[owned.pk])
    assert [row["username"] for row in client.get(url, {"q": "r"}).json()["results"]] == ["rex", "rita", "rosa"]
    assert client.get(url, {"q": "bo"}).json()["results"] == []
    assert client.get(url, {"q": "no"}).json()["results"] == []


def test_suggestions_are_limited_to_ten(client, people, owned):
    for number in range(12):
        user_with(Role.INVESTIGATOR, username=f"inv{number:02d}")
    client.force_login(people["rita"])
    response = client.get(reverse("onboarding:comment_mention_suggestions", args=[owned.pk]), {"q": "inv"})
    assert [row["username"] for row in response.json()["results"]] == [f"inv{number:02d}" for number in range(10)]


@pytest.mark.parametrize("who", ["bob", "nora"])
def test_suggestions_for_outsider_or_wrong_role_are_404(client, people, owned, who):
    client.force_login(people[who])
    response = client.get(reverse("onboarding:comment_mention_suggestions", args=[owned.pk]), {"q": "r"})
    assert response.status_code == 404


def test_suggestions_require_login(client, owned):
    response = client.get(reverse("onboarding:comment_mention_suggestions", args=[owned.pk]), {"q": "r"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_suggestions_are_get_only(client, people, owned):
    client.force_login(people["rita"])
    assert client.post(reverse("onboarding:comment_mention_suggestions", args=[owned.pk])).status_code == 405


# --- adding a comment --------------------------------------------------------------------


def test_add_comment_redirects_to_the_comments_of_the_page(client, people, owned):
    client.force_login(people["rita"])
    response = client.post(reverse("onboarding:comment_add", args=[owned.pk]), {"body": "Looks fine @rex"})
    assert response.status_code == 302
    assert response["Location"] == reverse("onboarding:application_detail", args=[owned.pk]) + "#comments"
    comment = Comment.objects.get()
    assert (comment.author, comment.body) == (people["rita"], "Looks fine @rex")


def test_add_comment_with_htmx_returns_the_updated_panel(client, people, owned):
    comments.comment_create(application=owned, author=people["rex"], body="earlier")
    client.force_login(people["rita"])
    response = client.post(reverse("onboarding:comment_add", args=[owned.pk]), {"body": "later @rex"}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("earlier") < html.index("later")
    assert '<span class="badge rounded-pill text-bg-info mention">@rex</span>' in html
    assert 'id="comments"' in html
    assert "js/mentions.js" not in html


def test_add_empty_comment_with_htmx_shows_the_error(client, people, owned):
    client.force_login(people["rita"])
    response = client.post(reverse("onboarding:comment_add", args=[owned.pk]), {"body": "  "}, **HTMX)
    assert response.status_code == 200
    assert "Please write a comment." in response.content.decode()
    assert Comment.objects.count() == 0


def test_sales_owner_can_comment(client, people, owned):
    client.force_login(people["alice"])
    client.post(reverse("onboarding:comment_add", args=[owned.pk]), {"body": "Answered @rita"})
    assert list(Comment.objects.values_list("author__username", flat=True)) == ["alice"]


@pytest.mark.parametrize("who", ["bob", "nora"])
def test_outsider_or_wrong_role_cannot_comment(client, people, owned, who):
    client.force_login(people[who])
    response = client.post(reverse("onboarding:comment_add", args=[owned.pk]), {"body": "hello @alice"})
    assert response.status_code == 404
    assert Comment.objects.count() == 0
    assert Notification.objects.count() == 0


def test_add_comment_is_post_only(client, people, owned):
    client.force_login(people["rita"])
    assert client.get(reverse("onboarding:comment_add", args=[owned.pk])).status_code == 405
    assert Comment.objects.count() == 0


def test_add_comment_requires_login(client, owned):
    response = client.post(reverse("onboarding:comment_add", args=[owned.pk]), {"body": "hi"})
    assert response.status_code == 302
    assert Comment.objects.count() == 0
