"""Bad input to the committee screens: a form error or a message, never a 500."""

import pytest

from approvals.models import CommitteePolicy, Vote
from tests.approvals.test_committee_views import _vote

pytestmark = pytest.mark.django_db

CONTROL = "This text contains a control character (U+0000), which cannot be stored. Remove it and try again."


def test_nul_in_a_vote_reason_is_a_form_error(client, people, committee_app):
    response = _vote(client, people["fay"], committee_app, department="finance", decision="reject", reason="no\x00")
    assert response.status_code == 400
    assert response.context["form"].errors["reason"] == [CONTROL]
    assert Vote.objects.count() == 0


@pytest.mark.parametrize("round_id", ["9" * 25, "99999999999999999999", "²", "x\x00y"])
def test_vote_for_a_round_that_is_not_an_id_is_refused(client, people, committee_app, round_id):
    response = _vote(client, people["fay"], committee_app, round=round_id, department="finance", decision="approve")
    assert response.status_code == 400
    assert Vote.objects.count() == 0


def test_vote_for_a_round_beyond_64_bits_is_refused_as_not_the_open_round(client, people, committee_app):
    response = _vote(client, people["fay"], committee_app, round="9" * 25, department="finance", decision="approve")
    assert [str(m) for m in response.context["messages"]] == [
        "The committee round you saw is no longer the open one: your vote was not recorded. "
        "Please read the application again."
    ]


@pytest.mark.parametrize("departments", ["5", '{"finance": 1}', '"finance"', '[["finance"]]', "[1]"])
def test_admin_committee_policy_with_departments_that_are_not_a_list_is_a_form_error(admin_client, departments):
    policy = CommitteePolicy.objects.get(tier="A")
    response = admin_client.post(f"/admin/approvals/committeepolicy/{policy.pk}/change/", {
        "tier": "A", "rule": policy.rule, "departments": departments, "veto_departments": "[]",
    })
    assert response.status_code == 200
    assert "Unknown department." in response.content.decode()
    assert CommitteePolicy.objects.get(tier="A").departments == policy.departments
