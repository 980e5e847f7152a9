"""Every transition from every state, for each kind of actor: legal moves succeed, the rest are refused."""

import pytest
from django.db import transaction

from accounts.roles import Role
from onboarding import services
from onboarding.enums import State
from onboarding.models import Application, StateChange
from tests.factories import (
    ApplicationFactory,
    accept_all_documents,
    advance,
    prepare_background_check,
    upload_required_documents,
    user_with,
)

ACTORS = ("owner", "other_sales", "reviewer", "investigator", "approver", "risk_manager", "system")
OPEN = ("draft", "document_review", "background_check", "committee_review", "returned")
LEGAL = {
    ("submit", "draft", "owner"),
    ("resubmit", "returned", "owner"),
    ("pass_documents", "document_review", "reviewer"),
    ("pass_background_check", "background_check", "investigator"),
    ("return_for_information", "document_review", "reviewer"),
    ("return_for_information", "background_check", "investigator"),
    # Not even the system leaves committee review without a settled round (approvals' guard):
    # approve, committee_reject and the committee's return are refused here, called directly.
    ("reject", "document_review", "reviewer"),
    ("reject", "background_check", "investigator"),
    *(("withdraw", state, "owner") for state in OPEN),
}
TARGET = {
    "submit": "document_review", "resubmit": "document_review", "pass_documents": "background_check",
    "pass_background_check": "committee_review", "return_for_information": "returned", "reject": "rejected",
    "approve": "approved", "committee_reject": "rejected", "withdraw": "withdrawn",
}
STATES = ("draft", "document_review", "background_check", "committee_review", "returned", "approved", "rejected",
          "withdrawn")


def _in_state(state: str, people: dict) -> Application:
    application = ApplicationFactory(created_by=people["owner"])
    if state == "approved":
        from approvals.services import vote_cast

        application = advance(application, State.COMMITTEE_REVIEW, **people)
        for role, department in ((Role.APPROVER_FINANCE, "finance"), (Role.APPROVER_LEGAL, "legal")):
            vote_cast(application_id=application.pk, voter=user_with(role), department=department, decision="approve")
        return Application.objects.get(pk=application.pk)
    return advance(application, State(state), **people)


class _Rollback(Exception):
    pass


@pytest.mark.django_db
@pytest.mark.parametrize("actor_name", ACTORS)
@pytest.mark.parametrize("state", STATES)
def test_transition_table(state, actor_name):
    """For one state and one actor, try every transition (each in a savepoint that is rolled back)."""
    people = {
        "owner": user_with(Role.SALES),
        "reviewer": user_with(Role.DOCUMENT_REVIEWER),
        "investigator": user_with(Role.INVESTIGATOR),
    }
    actors = {
        **people,
        "other_sales": user_with(Role.SALES),
        "approver": user_with(Role.APPROVER_FINANCE),
        "risk_manager": user_with(Role.RISK_MANAGER),
        "system": None,
    }
    application = _in_state(state, people)
    if state == "draft":
        upload_required_documents(application)
    if state == "document_review":
        accept_all_documents(application, people["reviewer"])
    if state == "background_check":
        prepare_background_check(application, people["investigator"])
    history_before = StateChange.objects.filter(application=application).count()

    outcomes = {}
    for transition in services.TRANSITIONS:
        try:
            with transaction.atomic():
                try:
                    change = services.application_transition(
                        application_id=application.pk, transition=transition, actor=actors[actor_name],
                        reason="because", as_system=actor_name == "system",
                    )
                except services.TransitionRefused:
                    outcomes[transition] = ("refused", Application.objects.get(pk=application.pk).state,
                                            StateChange.objects.filter(application=application).count())
                else:
                    outcomes[transition] = ((change.from_state, change.to_state),
                                            Application.objects.get(pk=application.pk).state,
                                            StateChange.objects.filter(application=application).count())
                raise _Rollback
        except _Rollback:
            pass

    expected = {
        transition: ((state, TARGET[transition]), TARGET[transition], history_before + 1)
        if (transition, state, actor_name) in LEGAL else ("refused", state, history_before)
        for transition in services.TRANSITIONS
    }
    assert outcomes == expected


@pytest.mark.django_db
def test_history_row_records_from_to_actor_reason(application, reviewer):
    advanced = advance(application, State.DOCUMENT_REVIEW)
    services.application_transition(application_id=advanced.pk, transition="return_for_information",
                                    actor=reviewer, reason="营业执照不清晰")
    change = StateChange.objects.filter(application=application).last()
    assert (change.transition, change.from_state, change.to_state, change.actor, change.reason) == (
        "return_for_information", "document_review", "returned", reviewer, "营业执照不清晰"
    )


@pytest.mark.django_db
def test_creator_holding_reviewer_role_cannot_review_own_application():
    owner = user_with(Role.SALES, Role.DOCUMENT_REVIEWER)
    application = advance(ApplicationFactory(created_by=owner), State.DOCUMENT_REVIEW)
    accept_all_documents(application, user_with(Role.DOCUMENT_REVIEWER))
    with pytest.raises(services.TransitionRefused) as refused:
        services.application_transition(application_id=application.pk, transition="pass_documents", actor=owner)
    assert refused.value.messages == ["You created this application: segregation of duties keeps you from this stage."]


@pytest.mark.django_db
def test_document_reviewer_cannot_investigate_same_application():
    both = user_with(Role.DOCUMENT_REVIEWER, Role.INVESTIGATOR)
    application = advance(ApplicationFactory(), State.BACKGROUND_CHECK, reviewer=both)
    assert application.document_reviewer == both
    with pytest.raises(services.TransitionRefused):
        services.application_transition(application_id=application.pk, transition="reject", actor=both,
                                        reason="x")


@pytest.mark.django_db
def test_reason_required_to_return_or_reject(application, reviewer):
    advance(application, State.DOCUMENT_REVIEW)
    for transition in ("return_for_information", "reject"):
        with pytest.raises(services.TransitionRefused) as refused:
            services.application_transition(application_id=application.pk, transition=transition,
                                            actor=reviewer, reason="  ")
        assert refused.value.messages == ["Please give a reason."]


@pytest.mark.django_db
def test_submit_lists_what_is_missing(sales):
    application = ApplicationFactory(created_by=sales, complete=False, legal_name_zh="", legal_name_en="",
                                     tax_rating="")
    with pytest.raises(services.TransitionRefused) as refused:
        services.application_transition(application_id=application.pk, transition="submit", actor=sales)
    messages = refused.value.messages
    assert "The legal name (Chinese or English) is missing." in messages
    assert "“tax credit rating” is missing." in messages
    assert "The financial statements of the last fiscal year are missing." in messages
    assert "Add at least one contact." in messages
    assert "Required document missing: Business licence." in messages


@pytest.mark.django_db
def test_pass_documents_requires_every_required_document_accepted(application, reviewer):
    advance(application, State.DOCUMENT_REVIEW)
    first = application.documents.order_by("pk").first()
    services.document_review(document_id=first.pk, actor=reviewer, accept=False, reason="过期")
    with pytest.raises(services.TransitionRefused) as refused:
        services.application_transition(application_id=application.pk, transition="pass_documents", actor=reviewer)
    assert f"{first.document_type.name_en} is required and not accepted." in refused.value.messages


@pytest.mark.django_db
def test_stale_expected_state_is_refused_with_current_state(application, sales):
    advance(application, State.DOCUMENT_REVIEW)
    with pytest.raises(services.TransitionRefused) as refused:
        services.application_transition(application_id=application.pk, transition="withdraw", actor=sales,
                                        expected_state="draft")
    assert refused.value.messages == [
        "Someone else has just acted on this application: it is now “Document review”. Nothing was changed."
    ]
