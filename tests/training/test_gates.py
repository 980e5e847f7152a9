"""Required training gates every gated action: refused without a pass (naming the course, with a link),
allowed with it; expiry and waivers; briefings that must be acknowledged."""

from __future__ import annotations

import datetime
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.roles import Role
from approvals.services import VoteRefused
from onboarding import services as onboarding
from onboarding.enums import State
from onboarding.services import TransitionRefused
from screening import services as screening
from screening.models import ScorecardVersion
from tests.factories import ApplicationFactory, accept_all_documents, advance, prepare_background_check, user_with
from tests.training.conftest import pass_role
from training import services
from training.models import Attempt, Course, RequiredTraining
from watchlists.models import ScreeningHit

Refused = (TransitionRefused, ValidationError, VoteRefused)


def _messages(error) -> str:
    return " ".join(str(m) for m in getattr(error, "messages", [str(error)]))


def _draft(sales):
    app = ApplicationFactory(created_by=sales)
    from tests.factories import upload_required_documents
    upload_required_documents(app)
    return app


def setup_submit(people):
    app = _draft(people["sales"])
    return people["sales"], lambda: onboarding.application_transition(
        application_id=app.pk, transition="submit", actor=people["sales"])


def setup_resubmit(people):
    app = advance(ApplicationFactory(created_by=people["sales"]), State.RETURNED, reviewer=people["reviewer"])
    return people["sales"], lambda: onboarding.application_transition(
        application_id=app.pk, transition="resubmit", actor=people["sales"])


def setup_document_review(people):
    app = advance(ApplicationFactory(created_by=people["sales"]), State.DOCUMENT_REVIEW)
    document = app.documents.filter(is_current=True).first()
    return people["reviewer"], lambda: onboarding.document_review(document_id=document.pk, actor=people["reviewer"],
                                                                  accept=True)


def setup_pass_documents(people):
    app = advance(ApplicationFactory(created_by=people["sales"]), State.DOCUMENT_REVIEW)
    accept_all_documents(app, people["reviewer2"])
    return people["reviewer"], lambda: onboarding.application_transition(
        application_id=app.pk, transition="pass_documents", actor=people["reviewer"])


def setup_return(people):
    app = advance(ApplicationFactory(created_by=people["sales"]), State.DOCUMENT_REVIEW)
    return people["reviewer"], lambda: onboarding.application_transition(
        application_id=app.pk, transition="return_for_information", actor=people["reviewer"], reason="missing")


def setup_reject(people):
    app = advance(ApplicationFactory(created_by=people["sales"]), State.DOCUMENT_REVIEW)
    return people["reviewer"], lambda: onboarding.application_transition(
        application_id=app.pk, transition="reject", actor=people["reviewer"], reason="fake licence")


def setup_investigation_record(people):
    app = advance(ApplicationFactory(created_by=people["sales"]), State.BACKGROUND_CHECK, reviewer=people["reviewer"])
    return people["investigator"], lambda: screening.interview_record(
        application=app, actor=people["investigator"], date=datetime.date(2026, 1, 5), participants="CFO",
        business_model="Direct", management="Stable", findings="None")


def setup_hit_disposition(people):
    app = advance(ApplicationFactory(created_by=people["sales"]), State.BACKGROUND_CHECK, reviewer=people["reviewer"])
    from watchlists.models import WatchlistSource
    from watchlists.services import hit_disposition
    source = WatchlistSource.objects.create(name="Test list")
    hit = ScreeningHit.objects.create(application=app, source=source, entry_external_id="X1", entry_name="Bad Co",
                                      subject="company_name_en", query_name="Bad", matched_name="Bad Co", score=92)
    return people["investigator"], lambda: hit_disposition(
        hit_id=hit.pk, actor=people["investigator"], disposition="false_positive", reason="other company")


def setup_pass_background_check(people):
    app = advance(ApplicationFactory(created_by=people["sales"]), State.BACKGROUND_CHECK, reviewer=people["reviewer"])
    prepare_background_check(app, people["investigator2"])
    return people["investigator"], lambda: onboarding.application_transition(
        application_id=app.pk, transition="pass_background_check", actor=people["investigator"])


def setup_vote(people):
    app = advance(ApplicationFactory(created_by=people["sales"]), State.COMMITTEE_REVIEW, reviewer=people["reviewer"],
                  investigator=people["investigator2"])
    from approvals.services import vote_cast
    return people["finance"], lambda: vote_cast(application_id=app.pk, voter=people["finance"], department="finance",
                                                decision="approve")


def setup_scorecard_publish(people):
    published = ScorecardVersion.objects.get(status="published")
    draft = screening.scorecard_copy(version=published, actor=people["risk2"])
    return people["risk"], lambda: screening.scorecard_publish(version_id=draft.pk, actor=people["risk"])


SETUPS = {
    "submit": (setup_submit, Role.SALES), "resubmit": (setup_resubmit, Role.SALES),
    "document_review": (setup_document_review, Role.DOCUMENT_REVIEWER),
    "pass_documents": (setup_pass_documents, Role.DOCUMENT_REVIEWER),
    "return_for_information": (setup_return, Role.DOCUMENT_REVIEWER), "reject": (setup_reject, Role.DOCUMENT_REVIEWER),
    "investigation_record": (setup_investigation_record, Role.INVESTIGATOR),
    "hit_disposition": (setup_hit_disposition, Role.INVESTIGATOR),
    "pass_background_check": (setup_pass_background_check, Role.INVESTIGATOR),
    "vote": (setup_vote, Role.APPROVER_FINANCE), "scorecard_publish": (setup_scorecard_publish, Role.RISK_MANAGER),
}


@pytest.fixture
def people(db):
    people = {
        "sales": user_with(Role.SALES, username="sally"), "reviewer": user_with(Role.DOCUMENT_REVIEWER, username="rita"),
        "reviewer2": user_with(Role.DOCUMENT_REVIEWER, username="rex"),
        "investigator": user_with(Role.INVESTIGATOR, username="ivan"),
        "investigator2": user_with(Role.INVESTIGATOR, username="iris"),
        "finance": user_with(Role.APPROVER_FINANCE, username="fay"), "risk": user_with(Role.RISK_MANAGER, username="rosa"),
        "risk2": user_with(Role.RISK_MANAGER, username="ruth"),
    }
    return people


@pytest.mark.parametrize("action", list(SETUPS))
def test_gated_action_refused_without_training_and_allowed_with_it(action, people, training_on):
    setup, role = SETUPS[action]
    training_on.TRAINING_REQUIRED = False  # build the situation with the gate off
    actor, act = setup(people)
    training_on.TRAINING_REQUIRED = True
    course = Course.objects.get(requirements__role=role)
    with pytest.raises(Refused) as refused:
        act()
    text = _messages(refused.value)
    assert course.title in text
    assert f'href="/training/courses/{course.pk}/"' in text
    pass_role(actor, role)
    act()  # no exception: the action is taken


def test_every_gated_action_has_a_test():
    from accounts.gates import ACTIONS
    assert set(SETUPS) == set(ACTIONS)


def test_gate_off_lets_everyone_act(people, settings):
    settings.TRAINING_REQUIRED = False
    _actor, act = setup_submit(people)
    act()


def test_expired_pass_is_refused_again(people, training_on):
    actor, act = setup_submit(people)
    pass_role(actor, Role.SALES)
    requirement = RequiredTraining.objects.get(role=Role.SALES)
    Attempt.objects.filter(user=actor).update(created_at=timezone.now() - timedelta(days=requirement.valid_days + 1))
    with pytest.raises(TransitionRefused) as refused:
        act()
    assert "expired" in _messages(refused.value)


def test_waiver_lets_a_person_act_and_revoking_it_does_not(people, training_on):
    admin = user_with(Role.ADMIN, username="adam")
    actor, act = setup_submit(people)
    course = Course.objects.get(requirements__role=Role.SALES)
    with pytest.raises(ValidationError):
        services.waiver_grant(user=actor, course=course, reason="  ", actor=admin)
    waiver = services.waiver_grant(user=actor, course=course, reason="Trained on paper", actor=admin)
    assert (waiver.reason, waiver.granted_by) == ("Trained on paper", admin)
    services.waiver_revoke(waiver=waiver, actor=admin)
    with pytest.raises(TransitionRefused):
        act()
    services.waiver_grant(user=actor, course=course, reason="Trained on paper", actor=admin)
    act()


def test_only_an_admin_waives(people):
    from django.core.exceptions import PermissionDenied
    course = Course.objects.get(requirements__role=Role.SALES)
    with pytest.raises(PermissionDenied):
        services.waiver_grant(user=people["sales"], course=course, reason="x", actor=people["risk"])


def test_refusal_in_the_page_is_a_message_with_the_link_never_a_500(people, training_on, client):
    app = _draft(people["sales"])
    client.force_login(people["sales"])
    response = client.post(f"/applications/{app.pk}/transition/",
                           {"transition": "submit", "expected_state": "draft"}, follow=True)
    assert response.status_code == 200
    course = Course.objects.get(requirements__role=Role.SALES)
    page = response.content.decode()
    assert f'<a href="/training/courses/{course.pk}/">' in page
    app.refresh_from_db()
    assert app.state == State.DRAFT
