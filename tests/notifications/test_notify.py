"""accounts.services.notify and the e-mail task: who gets a row, who gets an e-mail, in which language, once."""

import smtplib

import pytest
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy

from accounts.models import Notification
from accounts.roles import Role
from accounts.services import notify
from accounts.tasks import send_notification_emails
from tests.factories import user_with

pytestmark = pytest.mark.django_db

# A string with a Chinese translation in the accounts catalogue.
VERB = format_lazy(gettext_lazy("{reference} {name} is waiting for document review"), reference="APP-000012",
                   name="华东机械有限公司")


@pytest.fixture
def readers(db):
    return {
        "en": user_with(Role.DOCUMENT_REVIEWER, username="en_reader", language="en"),
        "zh": user_with(Role.DOCUMENT_REVIEWER, username="zh_reader", language="zh-hans"),
        "default": user_with(Role.DOCUMENT_REVIEWER, username="default_reader", language=""),
        "opted_out": user_with(Role.DOCUMENT_REVIEWER, username="opted_out", email_notifications=False),
        "no_address": user_with(Role.DOCUMENT_REVIEWER, username="no_address", email=""),
        "inactive": user_with(Role.DOCUMENT_REVIEWER, username="inactive", is_active=False),
    }


def test_notify_creates_one_row_per_distinct_active_recipient(readers, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        created = notify(recipients=[readers["en"], readers["en"], readers["zh"], readers["inactive"]],
                         verb=VERB, url="/applications/12/")
    assert sorted(n.recipient.username for n in created) == ["en_reader", "zh_reader"]
    assert Notification.objects.count() == 2
    assert len(callbacks) == 1


def test_notify_without_recipients_creates_and_queues_nothing(readers, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert notify(recipients=[readers["inactive"]], verb=VERB, url="") == []
    assert Notification.objects.count() == 0
    assert callbacks == []


def test_notify_stores_each_message_in_the_recipients_language(readers, settings):
    settings.LANGUAGE_CODE = "en"
    notify(recipients=[readers["en"], readers["zh"], readers["default"]], verb=VERB, url="/applications/12/")
    verbs = dict(Notification.objects.values_list("recipient__username", "verb"))
    assert verbs == {
        "en_reader": "APP-000012 华东机械有限公司 is waiting for document review",
        "zh_reader": "APP-000012 华东机械有限公司 等待资料审核",
        "default_reader": "APP-000012 华东机械有限公司 is waiting for document review",
    }


def test_notify_truncates_a_long_message_to_the_field(readers):
    notify(recipients=[readers["en"]], verb="x" * 400, url="")
    assert len(Notification.objects.get().verb) == 300


def test_email_goes_only_to_opted_in_users_with_an_address(readers, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=list(readers.values()), verb=VERB, url="/applications/12/")
    assert sorted(message.to[0] for message in mailoutbox) == [
        "default_reader@example.com", "en_reader@example.com", "zh_reader@example.com",
    ]
    emailed = set(Notification.objects.filter(emailed_at__isnull=False).values_list("recipient__username", flat=True))
    assert emailed == {"default_reader", "en_reader", "zh_reader"}


def test_email_is_written_in_the_recipients_language_with_an_absolute_link(
    readers, django_capture_on_commit_callbacks, mailoutbox, settings
):
    settings.SITE_URL = "https://vetted.example.com/"
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[readers["en"], readers["zh"]], verb=VERB, url="/applications/12/")
    by_address = {message.to[0]: message for message in mailoutbox}
    english, chinese = by_address["en_reader@example.com"], by_address["zh_reader@example.com"]
    assert english.subject == "[Vetted] APP-000012 华东机械有限公司 is waiting for document review"
    assert chinese.subject == "[Vetted] APP-000012 华东机械有限公司 等待资料审核"
    assert "Open it in Vetted: https://vetted.example.com/applications/12/" in english.body
    assert "在 Vetted 中打开：https://vetted.example.com/applications/12/" in chinese.body
    assert "https://vetted.example.com/preferences/" in chinese.body
    assert english.body.startswith("Hello User")


def test_email_link_defaults_to_local_site(readers, django_capture_on_commit_callbacks, mailoutbox, settings):
    del settings.SITE_URL
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[readers["en"]], verb=VERB, url="/applications/12/")
    assert "http://127.0.0.1:8000/applications/12/" in mailoutbox[0].body


def test_email_task_run_twice_sends_once(readers, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        created = notify(recipients=[readers["en"], readers["zh"]], verb=VERB, url="/applications/12/")
    ids = [n.pk for n in created]
    assert len(mailoutbox) == 2
    assert send_notification_emails(notification_ids=ids) == 0
    send_notification_emails.delay(notification_ids=ids)
    assert len(mailoutbox) == 2


def test_email_turned_off_after_notify_is_not_sent(readers, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(recipients=[readers["en"]], verb=VERB, url="")
    readers["en"].email_notifications = False
    readers["en"].save(update_fields=["email_notifications"])
    callbacks[0]()
    assert mailoutbox == []


def test_email_failure_releases_the_claim_so_a_retry_sends(readers, mailoutbox, settings):
    created = notify(recipients=[readers["en"]], verb=VERB, url="")
    ids = [n.pk for n in created]
    settings.EMAIL_BACKEND = "tests.notifications.failing_backend.FailingBackend"
    with pytest.raises(smtplib.SMTPServerDisconnected):
        send_notification_emails(notification_ids=ids)
    assert Notification.objects.get().emailed_at is None
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert send_notification_emails(notification_ids=ids) == 1
    assert [message.to for message in mailoutbox] == [["en_reader@example.com"]]


def test_email_task_has_an_explicit_name():
    assert send_notification_emails.name == "accounts.send_notification_emails"
