"""A scorecard draft that waits for publication tells the other risk managers; its author is told why not them."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accounts.models import Notification
from accounts.roles import Role
from screening import services
from screening.models import Band, ScorecardVersion
from tests.factories import user_with

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(risk_manager):
    return services.scorecard_copy(version=ScorecardVersion.objects.get(status="published"), actor=risk_manager)


def test_asking_for_publication_notifies_every_other_risk_manager_once(
    client, draft, risk_manager, other_risk_manager, django_capture_on_commit_callbacks,
):
    third = user_with(Role.RISK_MANAGER, username="rick")
    user_with(Role.RISK_MANAGER, username="gone", is_active=False)
    client.force_login(risk_manager)
    url = reverse("screening:scorecard_ask_publication", args=[draft.pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, follow=True)

    notified = Notification.objects.filter(message__code="screening.draft_awaits_publication")
    assert sorted(n.recipient.username for n in notified) == sorted([other_risk_manager.username, third.username])
    assert {n.url for n in notified} == {reverse("screening:scorecard_detail", args=[draft.pk])}
    assert notified.first().text == (
        f"{risk_manager} asks you to check and publish scorecard draft version {draft.number} (maker-checker)."
    )
    assert "2 risk managers were asked to publish this draft." in response.content.decode()
    assert sorted(address for m in mail.outbox for address in m.to) == sorted([other_risk_manager.email, third.email])

    again = client.post(url, follow=True)  # a double click tells nobody twice
    assert notified.count() == 2
    assert "The other risk managers were already asked to publish this draft." in again.content.decode()
    page = client.get(reverse("screening:scorecard_detail", args=[draft.pk])).content.decode()
    assert "Publication asked for" in page


def test_only_the_author_asks_and_only_a_publishable_draft(draft, risk_manager, other_risk_manager):
    with pytest.raises(PermissionDenied):
        services.scorecard_publication_request(version_id=draft.pk, actor=other_risk_manager)
    criterion = draft.criteria.filter(weight__gt=0).first()
    Band.objects.filter(criterion=criterion).delete()
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.scorecard_publication_request(version_id=draft.pk, actor=risk_manager)
    assert not Notification.objects.exists()


def test_author_is_told_on_the_page_why_they_cannot_publish(client, draft, risk_manager, other_risk_manager):
    client.force_login(risk_manager)
    page = client.get(reverse("screening:scorecard_detail", args=[draft.pk])).content.decode()
    assert "segregation-notice" in page
    assert "You wrote this draft: a different risk manager must check and publish it (maker-checker)." in page
    assert 'id="ask-publication"' in page
    client.force_login(other_risk_manager)
    page = client.get(reverse("screening:scorecard_detail", args=[draft.pk])).content.decode()
    assert "segregation-notice" not in page and "Publish" in page


def test_outsiders_cannot_ask(client, draft, sales):
    client.force_login(sales)
    assert client.post(reverse("screening:scorecard_ask_publication", args=[draft.pk])).status_code == 403
    assert client.get(reverse("screening:scorecard_ask_publication", args=[draft.pk])).status_code == 405
