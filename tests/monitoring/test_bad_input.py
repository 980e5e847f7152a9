"""Bad input to the monitoring screens is a message, never a 500: alert notes, customer ids, cursors."""

import pytest
from django.urls import reverse
from django.utils import translation

from monitoring import runs
from monitoring.enums import AlertStatus, Scope
from monitoring.models import Alert, AlertEvent, JobRun
from tests.monitoring.factories import admitted_customer, set_credit

pytestmark = pytest.mark.django_db

CONTROL = "This text contains a control character ({}), which cannot be stored. Remove it and try again."


@pytest.fixture
def alert(people) -> Alert:
    customer = admitted_customer()
    set_credit(customer, litigation_count=2)
    runs.work(run_id=runs.plan_run(scope=Scope.DUE).pk, budget=60)
    return Alert.objects.get(customer=customer)


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


@pytest.mark.parametrize("action", ["alert_resolve", "alert_escalate"])
@pytest.mark.parametrize(("note", "character"), [("checked\x00ok", "U+0000"), ("checked\x1bok", "U+001B")])
def test_control_character_in_an_alert_note_is_a_message(client, people, alert, action, note, character):
    client.force_login(people["rosa"])
    response = client.post(reverse(f"monitoring:{action}", args=[alert.pk]), {"note": note}, follow=True)
    assert response.status_code == 200
    assert _messages(response) == [CONTROL.format(character)]
    alert.refresh_from_db()
    assert (alert.status, alert.note) == (AlertStatus.OPEN, "")
    assert not AlertEvent.objects.filter(alert=alert).exists()


def test_alert_note_message_is_in_the_users_language(client, people, alert):
    people["rosa"].language = "zh-hans"
    people["rosa"].save(update_fields=["language"])
    client.force_login(people["rosa"])
    response = client.post(reverse("monitoring:alert_resolve", args=[alert.pk]), {"note": "a\x00b"}, follow=True)
    assert _messages(response) == ["此文本包含控制字符（U+0000），无法保存。请删除后重试。"]
    translation.activate("en")


def test_alert_note_with_tab_and_newlines_is_kept(client, people, alert):
    client.force_login(people["rosa"])
    client.post(reverse("monitoring:alert_resolve", args=[alert.pk]), {"note": "Called the CFO:\r\n\tpaid."})
    alert.refresh_from_db()
    assert (alert.status, alert.note) == (AlertStatus.RESOLVED, "Called the CFO:\r\n\tpaid.")


def test_empty_note_keeps_the_services_message(client, people, alert):
    client.force_login(people["rosa"])
    response = client.post(reverse("monitoring:alert_escalate", args=[alert.pk]), {"note": ""}, follow=True)
    assert _messages(response) == ["Please say why the alert is escalated."]


@pytest.mark.parametrize("value", ["abc", "x\x00y", "²", "9" * 25, "-3", "1.5"])
def test_reevaluate_with_a_customer_that_is_not_a_number_is_a_message(client, people, value):
    client.force_login(people["rosa"])
    runs_before = JobRun.objects.count()
    response = client.post(reverse("monitoring:reevaluate"), {"customer": value})
    assert response.status_code == 302
    assert response["Location"] == reverse("monitoring:dashboard")
    response = client.get(response["Location"])
    assert _messages(response) == [
        "The customer to re-evaluate was not given as a customer number; nothing was re-evaluated."
    ]
    assert JobRun.objects.count() == runs_before


def test_reevaluate_with_an_unknown_customer_number_is_a_404(client, people):
    client.force_login(people["rosa"])
    assert client.post(reverse("monitoring:reevaluate"), {"customer": "987654321"}).status_code == 404


@pytest.mark.parametrize("cursor", ["after", "before"])
@pytest.mark.parametrize("value", ["²", "9" * 5000, "x\x00y", "-1"])
def test_alert_list_ignores_a_cursor_that_is_not_an_id(client, people, alert, cursor, value):
    client.force_login(people["rosa"])
    response = client.get(reverse("monitoring:alert_list"), {cursor: value})
    assert response.status_code == 200
    assert [row.pk for row in response.context["rows"]] == [alert.pk]
