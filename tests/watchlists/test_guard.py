"""The guard on pass_background_check: screening finished, every hit dispositioned."""

import pytest

from onboarding.enums import State
from onboarding.services import TransitionRefused, application_transition
from tests.factories import ApplicationFactory, advance, prepare_background_check
from tests.watchlists.conftest import import_list
from watchlists.checks import hits_dispositioned
from watchlists.models import ScreeningHit, ScreeningRun
from watchlists.services import hit_disposition

pytestmark = pytest.mark.django_db


def test_guard_refuses_before_screening_has_finished(sales, reviewer):
    application = advance(ApplicationFactory(created_by=sales), State.BACKGROUND_CHECK, reviewer=reviewer)
    assert hits_dispositioned(application) == ["Watchlist screening has not finished yet; try again in a moment."]


def test_guard_refuses_with_pending_hits(listed_application, investigator):
    assert hits_dispositioned(listed_application) == [
        "2 watchlist hits are waiting for a disposition (false positive or true match)."
    ]
    hit_disposition(hit_id=ScreeningHit.objects.filter(application=listed_application).first().pk,
                    actor=investigator, disposition="false_positive", reason="Other person")
    assert hits_dispositioned(listed_application) == [
        "1 watchlist hit is waiting for a disposition (false positive or true match)."
    ]


def test_transition_is_refused_with_the_guard_message(listed_application, investigator):
    prepare_background_check(listed_application, investigator)
    with pytest.raises(TransitionRefused) as refused:
        application_transition(application_id=listed_application.pk, transition="pass_background_check",
                               actor=investigator)
    assert "2 watchlist hits are waiting for a disposition (false positive or true match)." in refused.value.messages


def test_transition_passes_once_every_hit_is_dispositioned(listed_application, investigator):
    prepare_background_check(listed_application, investigator)
    for hit in ScreeningHit.objects.filter(application=listed_application):
        hit_disposition(hit_id=hit.pk, actor=investigator, disposition="false_positive", reason="Other person")
    assert hits_dispositioned(listed_application) == []
    change = application_transition(application_id=listed_application.pk, transition="pass_background_check",
                                    actor=investigator)
    assert change.to_state == State.COMMITTEE_REVIEW


def test_guard_needs_a_screening_since_entering_background_check_again(db, sales, reviewer, investigator):
    import_list("X-1,Nobody Listed,,,,company")
    application = advance(ApplicationFactory(created_by=sales), State.BACKGROUND_CHECK, reviewer=reviewer)
    prepare_background_check(application, investigator)
    assert hits_dispositioned(application) == []
    application_transition(application_id=application.pk, transition="return_for_information", actor=investigator,
                           reason="Missing papers")
    application_transition(application_id=application.pk, transition="resubmit", actor=sales)
    application_transition(application_id=application.pk, transition="pass_documents", actor=reviewer)
    application.refresh_from_db()
    assert ScreeningRun.objects.filter(application=application).count() == 1
    assert hits_dispositioned(application) == ["Watchlist screening has not finished yet; try again in a moment."]
