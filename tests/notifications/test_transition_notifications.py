"""Each onboarding transition notifies exactly the people who must act next."""

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.models import Notification
from onboarding import notifications
from onboarding.enums import State
from onboarding.models import Application, StateChange
from onboarding.services import TransitionRefused, application_transition
from tests.factories import accept_all_documents, advance, upload_required_documents

pytestmark = pytest.mark.django_db


def _last_pk() -> int:
    last = Notification.objects.order_by("-pk").first()
    return last.pk if last else 0


def _take(application, transition, actor, reason="") -> set[str]:
    """Take a real transition; return the usernames it notified."""
    before = _last_pk()
    application_transition(application_id=application.pk, transition=transition, actor=actor, reason=reason)
    return set(Notification.objects.filter(pk__gt=before).values_list("recipient__username", flat=True))


def _committee_change(application, transition, reason="") -> set[str]:
    """Committee moves are taken by the approvals app's rule (its guards); the receiver is
    called directly with the history row that transition writes."""
    before = _last_pk()
    change = StateChange.objects.create(
        application=application, transition=transition, from_state=State.COMMITTEE_REVIEW,
        to_state=State.RETURNED if transition == "return_for_information" else State.APPROVED, actor=None,
        reason=reason,
    )
    notifications.notify_on_transition(sender=Application, application=application, change=change)
    return set(Notification.objects.filter(pk__gt=before).values_list("recipient__username", flat=True))


def test_submit_notifies_active_document_reviewers_except_creator(people, owned):
    upload_required_documents(owned)
    assert _take(owned, "submit", people["alice"]) == {"rita", "rex"}


def test_resubmit_notifies_active_document_reviewers_except_creator(people, owned):
    advance(owned, State.RETURNED, reviewer=people["rex"])
    assert _take(owned, "resubmit", people["alice"]) == {"rita", "rex"}


def test_pass_documents_notifies_investigators_except_creator_and_document_reviewer(people, owned):
    advance(owned, State.DOCUMENT_REVIEW)
    accept_all_documents(owned, people["rita"])
    assert _take(owned, "pass_documents", people["rita"]) == {"ivan", "iris"}


def test_return_for_information_notifies_sales_owner(people, owned):
    advance(owned, State.DOCUMENT_REVIEW)
    assert _take(owned, "return_for_information", people["rex"], reason="Licence is blurred") == {"alice"}


def test_reject_by_investigator_notifies_sales_owner(people, owned):
    advance(owned, State.BACKGROUND_CHECK, reviewer=people["rex"])
    assert _take(owned, "reject", people["ivan"], reason="Shell company") == {"alice"}


def test_withdraw_in_document_review_notifies_nobody_when_nobody_is_assigned(people, owned):
    advance(owned, State.DOCUMENT_REVIEW)
    # The sales owner is the one withdrawing: nobody is told of their own action.
    assert _take(owned, "withdraw", people["alice"]) == set()


def test_withdraw_in_background_check_notifies_the_document_reviewer(people, owned):
    advance(owned, State.BACKGROUND_CHECK, reviewer=people["rex"])
    assert _take(owned, "withdraw", people["alice"]) == {"rex"}


def test_withdraw_after_investigation_notifies_document_reviewer_and_investigator(people, owned):
    # Returned by the investigator: both the document reviewer and the investigator are on record.
    advance(owned, State.BACKGROUND_CHECK, reviewer=people["rex"])
    _take(owned, "return_for_information", people["ivan"], reason="Which plant?")
    assert _take(owned, "withdraw", people["alice"]) == {"rex", "ivan"}


@pytest.mark.parametrize("transition", ["approve", "committee_reject", "return_for_information"])
def test_committee_outcome_notifies_sales_owner(people, owned, transition):
    advance(owned, State.BACKGROUND_CHECK, reviewer=people["rex"])
    assert _committee_change(owned, transition, reason="Questions") == {"alice"}


def test_pass_background_check_is_left_to_approvals(people, owned):
    change = StateChange(
        application=owned, transition="pass_background_check", from_state=State.BACKGROUND_CHECK,
        to_state=State.COMMITTEE_REVIEW, actor=people["ivan"],
    )
    assert notifications.transition_recipients(owned, change) == []


def test_submit_message_names_the_application_and_links_to_it(people, owned):
    advance(owned, State.DOCUMENT_REVIEW)
    notification = Notification.objects.get(recipient=people["rex"])
    assert notification.verb == f"{owned.reference} {owned.display_name} is waiting for document review"
    assert notification.url == reverse("onboarding:application_detail", args=[owned.pk])


def test_message_is_in_the_recipients_language(people, owned):
    people["rex"].language = "zh-hans"
    people["rex"].save(update_fields=["language"])
    with translation.override("en"):
        advance(owned, State.DOCUMENT_REVIEW)
    assert Notification.objects.get(recipient=people["rex"]).verb == (
        f"{owned.reference} {owned.display_name} 等待资料审核"
    )
    assert Notification.objects.get(recipient=people["rita"]).verb == (
        f"{owned.reference} {owned.display_name} is waiting for document review"
    )


def test_return_message_carries_the_reason(people, owned):
    advance(owned, State.DOCUMENT_REVIEW)
    _take(owned, "return_for_information", people["rex"], reason="Licence is\nblurred")
    assert Notification.objects.get(recipient=people["alice"]).verb == (
        f"{owned.reference} {owned.display_name} was returned to you for more information: Licence is blurred"
    )


def test_refused_transition_notifies_nobody(people, owned):
    with pytest.raises(TransitionRefused):
        # Not submitted yet: the reviewer cannot pass the documents.
        application_transition(application_id=owned.pk, transition="pass_documents", actor=people["rex"])
    assert Notification.objects.count() == 0


def test_transition_emails_are_sent_after_commit(people, owned, django_capture_on_commit_callbacks, mailoutbox):
    upload_required_documents(owned)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        application_transition(application_id=owned.pk, transition="submit", actor=people["alice"])
        assert mailoutbox == []
    assert len(callbacks) >= 1
    assert sorted(message.to[0] for message in mailoutbox) == ["rex@example.com", "rita@example.com"]
