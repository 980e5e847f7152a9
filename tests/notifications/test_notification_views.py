"""The bell, the notification list, mark as read, open, and preferences."""

import pytest
from django.urls import reverse

from accounts.models import Notification
from accounts.services import notify

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def rita(people):
    return people["rita"]


@pytest.fixture
def mine(rita):
    return notify(recipients=[rita], verb="APP-000001 East is waiting for document review", url="/applications/1/")[0]


def _unread(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def test_bell_shows_unread_count(client, rita, people):
    notify(recipients=[rita], verb="one", url="")
    notify(recipients=[rita, people["rex"]], verb="two", url="")
    client.force_login(rita)
    response = client.get(reverse("notification_list"))
    assert b'data-unread-count="2"' in response.content


def test_bell_without_unread_shows_no_badge(client, rita):
    client.force_login(rita)
    response = client.get(reverse("notification_list"))
    assert b"data-unread-count" not in response.content
    assert b'id="notification-bell"' in response.content


def test_list_shows_only_mine_newest_first_with_unread_highlighted(client, rita, people):
    notify(recipients=[rita], verb="first", url="")
    notify(recipients=[people["rex"]], verb="someone else's", url="")
    second = notify(recipients=[rita], verb="second", url="")[0]
    Notification.objects.filter(verb="first").update(read_at=second.created_at)
    client.force_login(rita)
    response = client.get(reverse("notification_list"))
    page = response.context["page_obj"]
    assert [n.verb for n in page.object_list] == ["second", "first"]
    assert response.content.count(b"notification-unread") == 1
    assert b"someone else" not in response.content


def test_list_paginates_twenty_per_page(client, rita):
    for number in range(25):
        notify(recipients=[rita], verb=f"n{number}", url="")
    client.force_login(rita)
    assert len(client.get(reverse("notification_list")).context["page_obj"].object_list) == 20
    assert [n.verb for n in client.get(reverse("notification_list") + "?page=2").context["page_obj"]] == [
        "n4", "n3", "n2", "n1", "n0",
    ]


def test_list_requires_login(client):
    response = client.get(reverse("notification_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("rows", [1, 30])
def test_list_query_count_does_not_grow_with_rows(client, rita, rows, django_assert_num_queries):
    for number in range(rows):
        notify(recipients=[rita], verb=f"n{number}", url="/applications/1/")
    client.force_login(rita)
    # session, user, has an authenticator app (two-factor middleware), paginator count, roles
    # (menu), unread count (bell), page rows; no session save (renewed only once a minute has
    # passed: accounts.middleware.SessionRefreshMiddleware)
    with django_assert_num_queries(7):
        response = client.get(reverse("notification_list"))
    assert response.status_code == 200


def test_mark_read_marks_my_notification(client, rita, mine):
    client.force_login(rita)
    response = client.post(reverse("notification_read", args=[mine.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("notification_list")
    mine.refresh_from_db()
    assert mine.read_at is not None


def test_mark_read_with_htmx_returns_the_item_and_the_bell(client, rita, mine):
    notify(recipients=[rita], verb="another", url="")
    client.force_login(rita)
    response = client.post(reverse("notification_read", args=[mine.pk]), **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="notification-{mine.pk}"' in html
    assert "notification-unread" not in html
    assert 'hx-swap-oob="true"' in html
    assert 'data-unread-count="1"' in html


def test_mark_read_of_someone_elses_notification_is_404(client, people, mine):
    client.force_login(people["rex"])
    response = client.post(reverse("notification_read", args=[mine.pk]))
    assert response.status_code == 404
    mine.refresh_from_db()
    assert mine.read_at is None


def test_mark_read_by_wrong_role_is_404(client, people, mine):
    client.force_login(people["nora"])
    assert client.post(reverse("notification_read", args=[mine.pk])).status_code == 404
    assert _unread(mine.recipient) == 1


def test_mark_read_is_post_only(client, rita, mine):
    client.force_login(rita)
    assert client.get(reverse("notification_read", args=[mine.pk])).status_code == 405
    assert _unread(rita) == 1


def test_mark_read_requires_login(client, mine):
    response = client.post(reverse("notification_read", args=[mine.pk]))
    assert response.status_code == 302
    assert _unread(mine.recipient) == 1


def test_open_marks_read_and_follows_the_link(client, rita, mine):
    client.force_login(rita)
    response = client.post(reverse("notification_open", args=[mine.pk]))
    assert response.status_code == 302
    assert response["Location"] == "/applications/1/"
    assert _unread(rita) == 0


def test_open_of_someone_elses_notification_is_404(client, people, mine):
    client.force_login(people["bob"])
    assert client.post(reverse("notification_open", args=[mine.pk])).status_code == 404
    assert _unread(mine.recipient) == 1


def test_open_does_not_follow_a_link_off_the_site(client, rita):
    notification = notify(recipients=[rita], verb="x", url="https://evil.example/phish")[0]
    client.force_login(rita)
    response = client.post(reverse("notification_open", args=[notification.pk]))
    assert response["Location"] == reverse("notification_list")


def test_open_is_post_only(client, rita, mine):
    client.force_login(rita)
    assert client.get(reverse("notification_open", args=[mine.pk])).status_code == 405
    assert _unread(rita) == 1


def test_mark_all_read_marks_only_mine(client, rita, people):
    notify(recipients=[rita, people["rex"]], verb="one", url="")
    notify(recipients=[rita], verb="two", url="")
    client.force_login(rita)
    response = client.post(reverse("notification_read_all"))
    assert response.status_code == 302
    assert _unread(rita) == 0
    assert _unread(people["rex"]) == 1


def test_mark_all_read_with_htmx_returns_the_list_and_the_bell(client, rita):
    notify(recipients=[rita], verb="one", url="")
    client.force_login(rita)
    response = client.post(reverse("notification_read_all"), {"page": "1"}, **HTMX)
    html = response.content.decode()
    assert 'id="notification-list"' in html
    assert 'hx-swap-oob="true"' in html
    assert "data-unread-count" not in html
    assert "notification-unread" not in html


def test_mark_all_read_is_post_only(client, rita, mine):
    client.force_login(rita)
    assert client.get(reverse("notification_read_all")).status_code == 405
    assert _unread(rita) == 1


def test_preferences_page_shows_current_choices(client, rita):
    client.force_login(rita)
    response = client.get(reverse("notification_preferences"))
    assert response.status_code == 200
    assert response.context["form"].initial == {"email_notifications": True, "language": "en"}


def test_preferences_turn_email_off_and_pick_chinese(client, rita):
    client.force_login(rita)
    response = client.post(reverse("notification_preferences"), {"language": "zh-hans"})
    assert response.status_code == 302
    rita.refresh_from_db()
    assert (rita.email_notifications, rita.language) == (False, "zh-hans")
    assert response.cookies["django_language"].value == "zh-hans"


def test_preferences_turn_email_back_on(client, rita):
    rita.email_notifications = False
    rita.save(update_fields=["email_notifications"])
    client.force_login(rita)
    client.post(reverse("notification_preferences"), {"email_notifications": "on", "language": "en"})
    rita.refresh_from_db()
    assert (rita.email_notifications, rita.language) == (True, "en")


def test_preferences_refuse_an_unknown_language(client, rita):
    client.force_login(rita)
    response = client.post(reverse("notification_preferences"), {"language": "fr"})
    assert response.status_code == 200
    assert response.context["form"].errors["language"]
    rita.refresh_from_db()
    assert (rita.email_notifications, rita.language) == (True, "")


def test_preferences_require_login(client):
    response = client.post(reverse("notification_preferences"), {"language": "en"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
