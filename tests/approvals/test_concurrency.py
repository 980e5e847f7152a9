"""The last two votes cast at the same moment on PostgreSQL: one decision, one customer, one history row."""

import threading

import pytest
from django.db import connection, connections

from accounts.roles import Role
from approvals import services
from approvals.models import Round, Vote
from onboarding.enums import State
from onboarding.models import Application, Customer, StateChange
from tests.factories import ApplicationFactory, advance, user_with

RACES = 20


def _race(round_id: int, voters: list[tuple[object, str]]) -> list[object]:
    application_id = Round.objects.get(pk=round_id).application_id
    barrier = threading.Barrier(len(voters))
    results: list[object] = [None] * len(voters)

    def run(index: int, voter, department: str) -> None:
        try:
            barrier.wait()
            results[index] = services.vote_cast(application_id=application_id, round_id=round_id, voter=voter,
                                                department=department,
                                                decision="approve")
        except services.VoteRefused as refused:
            results[index] = refused
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, v, d)) for i, (v, d) in enumerate(voters)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def _people():
    return {
        "owner": user_with(Role.SALES), "reviewer": user_with(Role.DOCUMENT_REVIEWER),
        "investigator": user_with(Role.INVESTIGATOR), "fay": user_with(Role.APPROVER_FINANCE),
        "leo": user_with(Role.APPROVER_LEGAL), "bea": user_with(Role.APPROVER_BUSINESS),
    }


def _in_committee(people) -> Application:
    return advance(ApplicationFactory(created_by=people["owner"]), State.COMMITTEE_REVIEW,
                   reviewer=people["reviewer"], investigator=people["investigator"])


def _assert_decided_once(application: Application) -> None:
    application = Application.objects.get(pk=application.pk)
    assert application.state == State.APPROVED
    assert StateChange.objects.filter(application=application, transition="approve").count() == 1
    assert Customer.objects.filter(credit_code=application.credit_code).count() == 1
    assert application.customer.history.count() == 1
    assert Round.objects.filter(application=application, outcome="approved").count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_majority_last_two_votes_together_decide_once():
    """Majority without a veto: finance approved; legal and business approve at once. The first
    decides, the second finds the round decided and is refused. (With a veto, the approval would
    wait for the veto holder, and both votes would count.)"""
    assert connection.vendor == "postgresql", "the race must run on PostgreSQL (row locks)"
    people = _people()
    services.committee_policy_save(tier="A", departments=["finance", "legal", "business"], rule="majority",
                                   veto_departments=[], warning=False, actor=user_with(Role.RISK_MANAGER))
    for _ in range(RACES):
        application = _in_committee(people)
        round = Round.objects.get(application=application)
        services.vote_cast(application_id=round.application_id, round_id=round.pk, voter=people["fay"],
                           department="finance", decision="approve")

        results = _race(round.pk, [(people["leo"], "legal"), (people["bea"], "business")])

        votes = [r for r in results if isinstance(r, Vote)]
        refused = [r for r in results if isinstance(r, services.VoteRefused)]
        assert (len(votes), len(refused)) == (1, 1)
        assert refused[0].messages == [
            "This round has already been decided (Approved): your vote was not recorded."
        ]
        assert Vote.objects.filter(round=round).count() == 2
        _assert_decided_once(application)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_unanimous_last_two_votes_together_both_count_and_decide_once():
    """Unanimous: both last votes are needed; both are recorded, the later one decides, once."""
    assert connection.vendor == "postgresql", "the race must run on PostgreSQL (row locks)"
    people = _people()
    rosa = user_with(Role.RISK_MANAGER)
    services.committee_policy_save(tier="A", departments=["finance", "legal", "business"], rule="unanimous",
                                   veto_departments=[], warning=False, actor=rosa)
    for _ in range(RACES):
        application = _in_committee(people)
        round = Round.objects.get(application=application)
        services.vote_cast(application_id=round.application_id, round_id=round.pk, voter=people["fay"],
                           department="finance", decision="approve")

        results = _race(round.pk, [(people["leo"], "legal"), (people["bea"], "business")])

        assert [type(r).__name__ for r in results] == ["Vote", "Vote"]
        assert Vote.objects.filter(round=round).count() == 3
        _assert_decided_once(application)
