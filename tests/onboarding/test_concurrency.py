"""Two people acting at once on one application: exactly one wins, the other is told."""

import threading

import pytest
from django.db import connection, connections, transaction
from django_fsm import ConcurrentTransition

from accounts.roles import Role
from onboarding import services
from onboarding.enums import State
from onboarding.models import Application, StateChange
from tests.factories import ApplicationFactory, accept_all_documents, advance, user_with

RACES = 50


def _race(application_id: int, moves: list[tuple[str, object]]) -> list[object]:
    barrier = threading.Barrier(len(moves))
    results: list[object] = [None] * len(moves)

    def run(index: int, transition: str, actor) -> None:
        try:
            barrier.wait()
            results[index] = services.application_transition(
                application_id=application_id, transition=transition, actor=actor, reason="race",
                expected_state=State.DOCUMENT_REVIEW,
            )
        except services.TransitionRefused as refused:
            results[index] = refused
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, t, a)) for i, (t, a) in enumerate(moves)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_conflicting_transitions_one_winner_per_race():
    assert connection.vendor == "postgresql", "the race must run on PostgreSQL (row locks)"
    first, second = user_with(Role.DOCUMENT_REVIEWER), user_with(Role.DOCUMENT_REVIEWER)
    for _ in range(RACES):
        application = advance(ApplicationFactory(), State.DOCUMENT_REVIEW)
        accept_all_documents(application, first)
        results = _race(application.pk, [("pass_documents", first), ("reject", second)])

        winners = [r for r in results if isinstance(r, StateChange)]
        losers = [r for r in results if isinstance(r, services.TransitionRefused)]
        assert len(winners) == 1 and len(losers) == 1
        final = Application.objects.get(pk=application.pk)
        assert final.state == winners[0].to_state
        assert StateChange.objects.filter(application=application).exclude(transition="submit").count() == 1
        assert losers[0].messages == [
            f"Someone else has just acted on this application: it is now “{final.get_state_display()}”. "
            "Nothing was changed."
        ]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_double_click_takes_the_transition_once():
    reviewer = user_with(Role.DOCUMENT_REVIEWER)
    application = advance(ApplicationFactory(), State.DOCUMENT_REVIEW)
    accept_all_documents(application, reviewer)
    results = _race(application.pk, [("pass_documents", reviewer), ("pass_documents", reviewer)])
    assert sorted(type(r).__name__ for r in results) == ["StateChange", "TransitionRefused"]
    assert StateChange.objects.filter(application=application, transition="pass_documents").count() == 1


@pytest.mark.django_db
def test_concurrent_transition_mixin_refuses_a_stale_save(application, sales):
    """Without the row lock, django-fsm-2's ConcurrentTransitionMixin still refuses the second save."""
    advance(application, State.DRAFT)
    first = Application.objects.get(pk=application.pk)
    stale = Application.objects.get(pk=application.pk)
    first.withdraw()
    first.save()
    stale.withdraw()
    with pytest.raises(ConcurrentTransition), transaction.atomic():
        stale.save()
    assert Application.objects.get(pk=application.pk).state == State.WITHDRAWN
