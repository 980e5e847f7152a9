"""Cases cited in a scorecard version's change note: the draft author's picker, frozen once published."""

import pytest
from django.urls import reverse

from accounts.roles import Role
from analysis.cases import case_create
from analysis.models import CaseCitation
from screening.selectors import published_version
from screening.services import scorecard_copy, scorecard_publish
from tests.factories import user_with
from tests.monitoring.factories import admitted_customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting(people):
    customer = admitted_customer(owner=people["alice"], name="引用案例客户有限公司")
    failure = case_create(actor=people["rosa"], customer=customer, kind="failure", title="Concentration missed",
                          analysis="Top customer 70%.", caught_by="", lessons="", tags="", published_to=["sales"])
    success = case_create(actor=people["rosa"], customer=customer, kind="success", title="Paid on time",
                          analysis="Fine.", caught_by="", lessons="", tags="", published_to=[])
    draft = scorecard_copy(version=published_version(), actor=people["rosa"])
    return draft, failure, success


def post(client, url, data):
    """The messages of this POST alone: its redirect is followed, so the page shows (and uses up) them."""
    response = client.post(url, data, follow=True)
    assert response.redirect_chain and response.status_code == 200
    return [str(m) for m in response.context["messages"]]


def test_the_author_cites_and_removes_cases_and_the_published_version_links_them(client, people, setting):
    draft, failure, success = setting
    url = reverse("analysis:version_cases", args=[draft.pk])
    page = reverse("screening:scorecard_detail", args=[draft.pk])
    client.force_login(people["rosa"])
    text = client.get(page).content.decode()
    assert 'id="cite-case"' in text and "No case is cited yet." in text
    assert f'<option value="{failure.pk}">Concentration missed</option>' in text
    response = client.post(url, {"case": failure.pk, "action": "cite"})
    assert response.status_code == 302 and response["Location"] == page
    assert client.get(page).status_code == 200  # shows (and uses up) the message
    assert post(client, url, {"case": success.pk, "action": "cite"}) == ["The case is cited in the change note."]
    assert post(client, url, {"case": failure.pk, "action": "cite"}) == ["“Concentration missed” is already cited."]
    assert list(CaseCitation.objects.filter(version=draft).values_list("case_id", flat=True)) == [failure.pk,
                                                                                                 success.pk]
    assert post(client, url, {"case": success.pk, "action": "remove"}) == ["The case is no longer cited."]
    assert post(client, url, {"case": success.pk, "action": "remove"}) == [
        "That case is not cited in this version."]
    text = client.get(page).content.decode()
    assert f'href="{reverse("analysis:case_detail", args=[failure.pk])}">Concentration missed</a>' in text
    assert f'<option value="{failure.pk}">' not in text and f'<option value="{success.pk}">Paid on time' in text
    # Published by another risk manager: the citation stays, linked; nothing can be added or removed.
    checker = user_with(Role.RISK_MANAGER, username="rex")
    scorecard_publish(version_id=draft.pk, actor=checker)
    text = client.get(page).content.decode()
    assert f'href="{reverse("analysis:case_detail", args=[failure.pk])}">Concentration missed</a>' in text
    assert 'id="cite-case"' not in text and 'value="remove"' not in text
    assert post(client, url, {"case": success.pk, "action": "cite"}) == [
        f"Version {draft.number} is no longer a draft: its cited cases are final."]
    assert post(client, url, {"case": failure.pk, "action": "remove"}) == [
        f"Version {draft.number} is no longer a draft: its cited cases are final."]
    assert CaseCitation.objects.filter(version=draft).count() == 1


@pytest.mark.parametrize("value", ["abc", "²", "0", "-3", "99999999", "1\x00", ""])
def test_a_bad_or_unknown_case_id_is_refused_with_a_message(client, people, setting, value):
    draft, _failure, _success = setting
    client.force_login(people["rosa"])
    assert post(client, reverse("analysis:version_cases", args=[draft.pk]), {"case": value, "action": "cite"}) == [
        "Choose a case from the library."]
    assert not CaseCitation.objects.exists()


def test_only_the_drafts_author_may_cite_and_only_by_post(client, people, setting):
    draft, failure, _success = setting
    url = reverse("analysis:version_cases", args=[draft.pk])
    other = user_with(Role.RISK_MANAGER, username="rex")
    for user, status in ((other, 403), (people["alice"], 403), (people["fay"], 403)):
        client.force_login(user)
        assert client.post(url, {"case": failure.pk, "action": "cite"}).status_code == status
    client.force_login(people["rosa"])
    assert client.get(url).status_code == 405
    assert client.post(reverse("analysis:version_cases", args=[999999]), {"case": failure.pk}).status_code == 404
    assert not CaseCitation.objects.exists()
    # The other risk manager sees the panel (no picker) on the draft's page.
    client.force_login(other)
    text = client.get(reverse("screening:scorecard_detail", args=[draft.pk])).content.decode()
    assert 'id="version-cases"' not in text  # nothing cited and not theirs to cite: no panel


def test_the_panel_reads_in_chinese(client, people, setting):
    draft, _failure, _success = setting
    client.force_login(people["rosa"])
    text = client.get(reverse("screening:scorecard_detail", args=[draft.pk]),
                      headers={"Accept-Language": "zh-hans"}).content.decode()
    assert "变更说明中引用的案例" in text and "尚未引用任何案例。" in text and ">引用案例</label>" in text
    assert "选择案例…" in text
