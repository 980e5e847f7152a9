"""The committee cannot be outrun or bypassed: the round comes from the URL, and leaving committee
review needs a settled round of that application, whoever calls the transition and however."""

import pytest
from django.urls import reverse
from django_fsm import TransitionNotAllowed

from approvals import services
from approvals.models import Round, Vote
from onboarding import services as onboarding_services
from onboarding.enums import State
from onboarding.models import Application, StateChange, StateWriteRefused
from tests.approvals.conftest import cast, in_committee, open_round

pytestmark = pytest.mark.django_db

NOT_SETTLED = "Only the committee's decision can take this action: no settled round of this application calls for it."


def _post_vote(client, user, application, round_id, **data):
    client.force_login(user)
    payload = {
        "round": round_id,
        "conditions-TOTAL_FORMS": "1", "conditions-INITIAL_FORMS": "0",
        "conditions-MIN_NUM_FORMS": "0", "conditions-MAX_NUM_FORMS": "1000",
        **data,
    }
    return client.post(reverse("approvals:vote", args=[application.pk]), payload)


def test_vote_with_another_applications_round_id_changes_neither(client, people):
    """Posted on one application's page with another's round id: nothing is recorded anywhere."""
    shown = in_committee(people)
    other = in_committee(people)
    cast(other, people["fay"], "finance", "approve")
    foreign_round = open_round(other)

    response = _post_vote(client, people["bea"], shown, foreign_round.pk, department="business", decision="approve")

    assert response.status_code == 400
    assert [str(m) for m in response.wsgi_request._messages] == [
        "The committee round you saw is no longer the open one: your vote was not recorded. "
        "Please read the application again."
    ]
    assert Vote.objects.filter(round=foreign_round).count() == 1
    assert Vote.objects.filter(round__application=shown).count() == 0
    assert Application.objects.get(pk=other.pk).state == State.COMMITTEE_REVIEW


def test_vote_service_refuses_a_round_of_another_application(people):
    shown = in_committee(people)
    other = in_committee(people)
    with pytest.raises(services.VoteRefused):
        services.vote_cast(application_id=shown.pk, round_id=open_round(other).pk, voter=people["fay"],
                           department="finance", decision="approve")
    assert Vote.objects.count() == 0


def test_vote_without_a_round_id_goes_to_the_urls_application(client, people):
    shown = in_committee(people)
    other = in_committee(people)
    vote = services.vote_cast(application_id=shown.pk, voter=people["fay"], department="finance", decision="approve")
    assert (vote.round.application_id, Vote.objects.filter(round__application=other).count()) == (shown.pk, 0)


@pytest.mark.parametrize("transition", ["approve", "committee_reject", "return_for_information"])
def test_system_cannot_leave_committee_review_without_a_settled_round(people, transition):
    application = in_committee(people)
    with pytest.raises(onboarding_services.TransitionRefused) as refused:
        onboarding_services.application_transition(
            application_id=application.pk, transition=transition, actor=None, reason="forced",
            expected_state=State.COMMITTEE_REVIEW, as_system=True,
        )
    assert refused.value.messages == [NOT_SETTLED]
    assert Application.objects.get(pk=application.pk).state == State.COMMITTEE_REVIEW
    assert not StateChange.objects.filter(application=application, transition=transition).exists()


def test_a_round_settled_one_way_does_not_allow_the_other(people):
    """A rejected round cannot be turned into an approval by calling the transition."""
    application = in_committee(people)
    round = open_round(application)
    Round.objects.filter(pk=round.pk).update(outcome="rejected", closed_at=round.opened_at)  # as if decided
    with pytest.raises(onboarding_services.TransitionRefused) as refused:
        onboarding_services.application_transition(
            application_id=application.pk, transition="approve", actor=None, as_system=True,
        )
    assert refused.value.messages == [NOT_SETTLED]


def test_model_transition_method_is_guarded_too(people):
    """Calling django-fsm's method directly (not through the service) runs the same guard."""
    application = Application.objects.get(pk=in_committee(people).pk)
    with pytest.raises(TransitionNotAllowed):
        application.approve()
    assert application.state == State.COMMITTEE_REVIEW


def test_state_field_cannot_be_assigned(people):
    application = Application.objects.get(pk=in_committee(people).pk)
    with pytest.raises(AttributeError):
        application.state = State.APPROVED
    application.refresh_from_db()  # reading it back stays possible
    assert application.state == State.COMMITTEE_REVIEW


def test_state_cannot_be_bulk_written(people):
    application = in_committee(people)
    with pytest.raises(StateWriteRefused):
        Application.objects.filter(pk=application.pk).update(state=State.APPROVED)
    with pytest.raises(StateWriteRefused):
        Application.objects.bulk_update([application], ["state"])
    assert Application.objects.get(pk=application.pk).state == State.COMMITTEE_REVIEW


def test_waiting_for_the_veto_is_shown_on_the_review_screen(client, people):
    application = in_committee(people)
    cast(application, people["fay"], "finance", "approve")
    cast(application, people["bea"], "business", "approve")
    client.force_login(people["leo"])
    page = client.get(reverse("approvals:review", args=[application.pk])).content.decode()
    assert "An approval waits for the vote of Legal, which can veto." in page
