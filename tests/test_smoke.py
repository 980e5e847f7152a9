import pytest

from onboarding.enums import State
from onboarding.models import StateChange
from tests.factories import advance


@pytest.mark.django_db
def test_application_reaches_committee_review_through_real_transitions(application):
    advanced = advance(application, State.COMMITTEE_REVIEW)
    assert advanced.state == State.COMMITTEE_REVIEW
    assert list(StateChange.objects.filter(application=application).values_list("transition", flat=True)) == [
        "submit", "pass_documents", "pass_background_check",
    ]
