"""Who may disposition hits, the reason, finality, concurrency, and the signal after commit."""

import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse

from accounts.roles import Role
from onboarding.enums import State
from onboarding.services import application_transition
from tests.factories import ApplicationFactory, advance, user_with
from tests.watchlists.conftest import import_list
from watchlists.enums import Disposition, Subject
from watchlists.models import ScreeningHit
from watchlists.services import hit_disposition, screen_application
from watchlists.signals import hit_dispositioned

pytestmark = pytest.mark.django_db


def _legal_rep_hit(application) -> ScreeningHit:
    return ScreeningHit.objects.get(application=application, subject=Subject.LEGAL_REPRESENTATIVE)


def _post(client, hit, htmx=False, **data):
    return client.post(reverse("watchlists:hit_disposition", args=[hit.pk]),
                       {"disposition": "false_positive", "reason": "Different birth date", **data},
                       headers={"HX-Request": "true"} if htmx else {})


def test_investigator_dispositions_a_hit(listed_application, investigator, client):
    hit = _legal_rep_hit(listed_application)
    client.force_login(investigator)
    response = _post(client, hit)
    assert response.status_code == 302
    assert response["Location"] == reverse("onboarding:application_detail", args=[listed_application.pk]) + \
        "#watchlist-hits"
    hit.refresh_from_db()
    assert (hit.disposition, hit.reason, hit.dispositioned_by) == (
        Disposition.FALSE_POSITIVE, "Different birth date", investigator
    )
    assert hit.dispositioned_at is not None


def test_disposition_htmx_answers_with_the_panel(listed_application, investigator, client):
    hit = _legal_rep_hit(listed_application)
    client.force_login(investigator)
    response = _post(client, hit, disposition="true_match", reason="Same ID card", htmx=True)
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<section id="watchlist-hits"')
    assert "Same ID card" in body and "True match" in body


def test_outsider_cannot_disposition(listed_application, other_sales, client):
    client.force_login(other_sales)
    assert _post(client, _legal_rep_hit(listed_application)).status_code == 404


def test_anonymous_is_sent_to_login(listed_application, client):
    response = _post(client, _legal_rep_hit(listed_application))
    assert (response.status_code, response["Location"].startswith(reverse("login"))) == (302, True)


@pytest.mark.parametrize("role", [Role.RISK_MANAGER, Role.DOCUMENT_REVIEWER, Role.APPROVER_LEGAL])
def test_wrong_role_cannot_disposition(listed_application, client, role):
    client.force_login(user_with(role))
    hit = _legal_rep_hit(listed_application)
    assert _post(client, hit).status_code == 403
    hit.refresh_from_db()
    assert hit.disposition == Disposition.PENDING


def test_creator_cannot_disposition_even_as_investigator(db, reviewer, client):
    creator = user_with(Role.SALES, Role.INVESTIGATOR)
    import_list("P-9,王建国,,CN,TEST,person")
    application = advance(ApplicationFactory(created_by=creator), State.BACKGROUND_CHECK, reviewer=reviewer)
    screen_application(application_id=application.pk)
    hit = _legal_rep_hit(application)
    with pytest.raises(PermissionDenied):
        hit_disposition(hit_id=hit.pk, actor=creator, disposition="false_positive", reason="Mine")
    client.force_login(creator)
    assert _post(client, hit).status_code == 403


def test_document_reviewer_cannot_disposition_even_as_investigator(db, sales, client):
    both = user_with(Role.DOCUMENT_REVIEWER, Role.INVESTIGATOR)
    import_list("P-9,王建国,,CN,TEST,person")
    application = advance(ApplicationFactory(created_by=sales), State.BACKGROUND_CHECK, reviewer=both)
    screen_application(application_id=application.pk)
    client.force_login(both)
    assert _post(client, _legal_rep_hit(application)).status_code == 403


def test_no_disposition_outside_background_check(listed_application, investigator, other_investigator):
    for hit in ScreeningHit.objects.filter(application=listed_application):
        hit_disposition(hit_id=hit.pk, actor=investigator, disposition="false_positive", reason="Other person")
    application_transition(application_id=listed_application.pk, transition="return_for_information",
                           actor=investigator, reason="More papers")
    hit = ScreeningHit.objects.filter(application=listed_application).first()
    ScreeningHit.objects.filter(pk=hit.pk).update(disposition=Disposition.PENDING)
    with pytest.raises(PermissionDenied):
        hit_disposition(hit_id=hit.pk, actor=other_investigator, disposition="true_match", reason="Late")


def test_reason_is_required(listed_application, investigator, client):
    hit = _legal_rep_hit(listed_application)
    with pytest.raises(ValidationError) as raised:
        hit_disposition(hit_id=hit.pk, actor=investigator, disposition="true_match", reason="  ")
    assert raised.value.messages == ["Please give the reason for this disposition."]
    client.force_login(investigator)
    response = _post(client, hit, reason="", htmx=True)
    assert "Choose false positive or true match, and give the reason." in response.content.decode()
    hit.refresh_from_db()
    assert hit.disposition == Disposition.PENDING


def test_disposition_must_be_a_verdict(listed_application, investigator):
    with pytest.raises(ValidationError):
        hit_disposition(hit_id=_legal_rep_hit(listed_application).pk, actor=investigator, disposition="pending",
                        reason="Unsure")


def test_disposition_is_post_only(listed_application, investigator, client):
    client.force_login(investigator)
    response = client.get(reverse("watchlists:hit_disposition", args=[_legal_rep_hit(listed_application).pk]))
    assert response.status_code == 405


def test_second_disposition_is_refused_with_a_clear_message(listed_application, investigator, other_investigator,
                                                            client):
    hit = _legal_rep_hit(listed_application)
    hit_disposition(hit_id=hit.pk, actor=investigator, disposition="true_match", reason="Same ID card")
    with pytest.raises(ValidationError) as raised:
        hit_disposition(hit_id=hit.pk, actor=other_investigator, disposition="false_positive", reason="No")
    assert raised.value.messages == [
        f"This hit has already been dispositioned as “True match” by {investigator}. Nothing was changed."
    ]
    client.force_login(other_investigator)
    response = _post(client, hit, htmx=True)
    assert "already been dispositioned" in response.content.decode()
    hit.refresh_from_db()
    assert (hit.disposition, hit.dispositioned_by) == (Disposition.TRUE_MATCH, investigator)


def test_hit_dispositioned_is_sent_after_commit(listed_application, investigator,
                                                django_capture_on_commit_callbacks):
    received = []

    def receiver(sender, hit, **kwargs):
        received.append((hit.pk, hit.disposition))

    hit_dispositioned.connect(receiver)
    try:
        hit = _legal_rep_hit(listed_application)
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            hit_disposition(hit_id=hit.pk, actor=investigator, disposition="true_match", reason="Same ID card")
        assert received == []  # not before the commit
        for callback in callbacks:
            callback()
        assert received == [(hit.pk, Disposition.TRUE_MATCH)]
    finally:
        hit_dispositioned.disconnect(receiver)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_dispositions_exactly_one_wins(sales, reviewer, investigator, other_investigator):
    import_list("P-9,王建国,,CN,TEST,person")
    application = advance(ApplicationFactory(created_by=sales), State.BACKGROUND_CHECK, reviewer=reviewer)
    screen_application(application_id=application.pk)
    hit = _legal_rep_hit(application)
    barrier = threading.Barrier(2)
    outcomes = []

    def act(user, verdict):
        try:
            barrier.wait()
            hit_disposition(hit_id=hit.pk, actor=user, disposition=verdict, reason=f"{user} says {verdict}")
            outcomes.append("won")
        except ValidationError as error:
            outcomes.append(error.messages[0])
        finally:
            connection.close()

    threads = [threading.Thread(target=act, args=(investigator, "true_match")),
               threading.Thread(target=act, args=(other_investigator, "false_positive"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    hit.refresh_from_db()
    assert sorted(outcome == "won" for outcome in outcomes) == [False, True]
    loser = next(outcome for outcome in outcomes if outcome != "won")
    assert loser.startswith("This hit has already been dispositioned as")
    assert hit.reason == f"{hit.dispositioned_by} says {hit.disposition}"
