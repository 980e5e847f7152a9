"""The approver's review screen, the vote form, the committee queue and the policy screens."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.context_processors import navigation
from accounts.roles import Role
from approvals.models import CommitteePolicy, Round, Vote
from onboarding.enums import State
from onboarding.models import Application
from tests.approvals.conftest import cast, in_committee

pytestmark = pytest.mark.django_db


def _review(client, user, application):
    client.force_login(user)
    return client.get(reverse("approvals:review", args=[application.pk]))


def _vote(client, user, application, **data):
    client.force_login(user)
    payload = {
        "round": Round.objects.get(application=application, closed_at__isnull=True).pk,
        "conditions-TOTAL_FORMS": "1", "conditions-INITIAL_FORMS": "0",
        "conditions-MIN_NUM_FORMS": "0", "conditions-MAX_NUM_FORMS": "1000",
        **data,
    }
    return client.post(reverse("approvals:vote", args=[application.pk]), payload)


# --- Review screen ---

@pytest.mark.parametrize(("who", "status"), [("bob", 404), ("nora", 404), ("alice", 403), ("rita", 403),
                                             ("fay", 200), ("rosa", 200)])
def test_review_screen_access(client, people, committee_app, who, status):
    assert _review(client, people[who], committee_app).status_code == status


def test_review_screen_shows_the_application_at_a_glance_and_the_vote_form(client, people, committee_app):
    page = _review(client, people["fay"], committee_app).content.decode()
    # Key ratios of the factory's statement: 80/150 liabilities to assets, 70/40 current, 9/120 margin.
    assert "<th>Debt ratio</th><td class=\"text-end\">53.3%</td>" in page
    assert "<th>Current ratio</th><td class=\"text-end\">1.75</td>" in page
    assert "<th>Net margin</th><td class=\"text-end\">7.5%</td>" in page
    assert 'id="score-breakdown"' in page
    assert 'class="border rounded p-2 mb-2 interview-record"' in page
    assert reverse("onboarding:document_download", args=[committee_app.documents.first().pk]) in page
    assert 'id="vote-form"' in page
    assert '<option value="finance" selected>Finance</option>' in page
    assert '<option value="legal"' not in page
    assert 'id="tier-warning"' not in page


def test_review_screen_of_tier_d_shows_the_prominent_warning(client, people):
    application = in_committee(people, tax_rating="D")
    page = _review(client, people["fay"], application).content.decode()
    assert 'id="tier-warning"' in page
    assert "Warning: tier D — high risk." in page


def test_review_screen_tells_an_excluded_approver_why_there_is_no_form(client, people, committee_app):
    people["ivan"].groups.add(Group.objects.get(name=Role.APPROVER_FINANCE))
    page = _review(client, people["ivan"], committee_app).content.decode()
    assert 'id="vote-form"' not in page
    assert "<li>You investigated this application: you cannot vote on it.</li>" in page


def test_review_screen_read_only_for_a_risk_manager(client, people, committee_app):
    page = _review(client, people["rosa"], committee_app).content.decode()
    assert 'id="vote-form"' not in page
    assert "You do not vote in this round." in page


# --- Voting through the form ---

def test_vote_form_records_a_conditional_approval(client, people, committee_app):
    due = datetime.date.today() + datetime.timedelta(days=90)
    response = _vote(client, people["fay"], committee_app, department="finance", decision="approve_with_conditions",
                     reason="Lower limit until audited", credit_limit="500000", payment_terms_days="45",
                     **{"conditions-0-text": "Audited statements", "conditions-0-due_date": due.isoformat()})
    assert response.status_code == 302
    vote = Vote.objects.get()
    assert (vote.voter, vote.department, vote.decision, vote.credit_limit, vote.payment_terms_days) == (
        people["fay"], "finance", "approve_with_conditions", Decimal("500000.00"), 45
    )
    assert list(vote.conditions.values_list("text", "due_date")) == [("Audited statements", due)]
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == ["Your vote was recorded."]


def test_vote_form_deciding_vote_says_the_outcome(client, people, committee_app):
    cast(committee_app, people["fay"], "finance", "approve")
    cast(committee_app, people["bea"], "business", "approve")
    response = _vote(client, people["leo"], committee_app, department="legal", decision="approve")
    assert [str(m) for m in response.wsgi_request._messages] == [
        "Your vote was recorded.", "The committee approved the application: the customer is admitted.",
    ]
    assert Application.objects.get(pk=committee_app.pk).state == State.APPROVED


def test_vote_form_reject_without_reason_is_an_error(client, people, committee_app):
    response = _vote(client, people["fay"], committee_app, department="finance", decision="reject", reason="")
    assert response.status_code == 400
    assert "Please give a reason (required for every decision but a plain approval)." in response.content.decode()
    assert Vote.objects.count() == 0


def test_vote_form_refusal_from_the_service_is_shown(client, people, committee_app):
    response = _vote(client, people["fay"], committee_app, department="finance", decision="approve_with_conditions",
                     reason="More", credit_limit="900000", payment_terms_days="30")
    assert response.status_code == 400
    assert "The credit limit cannot exceed the requested 800,000 CNY." in response.content.decode()
    assert Vote.objects.count() == 0


def test_vote_after_the_round_was_decided_is_told(client, people, committee_app):
    round = Round.objects.get(application=committee_app)
    cast(committee_app, people["fay"], "finance", "approve")
    cast(committee_app, people["leo"], "legal", "approve")
    client.force_login(people["bea"])
    response = client.post(reverse("approvals:vote", args=[committee_app.pk]),
                           {"round": round.pk, "department": "business", "decision": "approve"})
    assert response.status_code == 302
    assert [str(m) for m in response.wsgi_request._messages] == ["There is no open committee round."]
    assert Vote.objects.count() == 2


@pytest.mark.parametrize(("who", "status"), [("bob", 404), ("alice", 403), ("rita", 403)])
def test_vote_by_outsider_or_wrong_role_refused(client, people, committee_app, who, status):
    response = _vote(client, people[who], committee_app, department="finance", decision="approve")
    assert response.status_code == status
    assert Vote.objects.count() == 0


def test_vote_requires_post(client, people, committee_app):
    client.force_login(people["fay"])
    assert client.get(reverse("approvals:vote", args=[committee_app.pk])).status_code == 405


# --- Queue ---

def test_queue_lists_rounds_awaiting_my_department(client, people, committee_app):
    client.force_login(people["fay"])
    response = client.get(reverse("approvals:queue"))
    assert [r.application for r in response.context["mine"]] == [committee_app]
    assert response.context["others"] == []

    cast(committee_app, people["fay"], "finance", "approve")
    response = client.get(reverse("approvals:queue"))
    assert response.context["mine"] == []
    assert [r.application for r in response.context["others"]] == [committee_app]


@pytest.mark.parametrize(("who", "status"), [("bob", 403), ("rita", 403), ("nora", 403), ("rosa", 200)])
def test_queue_access(client, people, who, status):
    client.force_login(people[who])
    assert client.get(reverse("approvals:queue")).status_code == status


def test_queue_query_count_does_not_grow(client, people, django_assert_num_queries):
    client.force_login(people["fay"])
    application = in_committee(people)
    cast(application, people["leo"], "legal", "approve")
    client.get(reverse("approvals:queue"))  # warm the session
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("approvals:queue"))
    for _ in range(2):
        cast(in_committee(people), people["bea"], "business", "approve")
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(reverse("approvals:queue"))
    assert len(response.context["mine"]) == 3


# --- Committee panel on the application page ---

def test_application_page_panel_names_voters_for_staff_only(client, people, committee_app):
    cast(committee_app, people["fay"], "finance", "approve")
    client.force_login(people["leo"])
    page = client.get(reverse("onboarding:application_detail", args=[committee_app.pk])).content.decode()
    voter = f"· {people['fay']} ·"
    assert 'id="committee"' in page and voter in page and "Review and vote" in page
    client.force_login(people["alice"])
    page = client.get(reverse("onboarding:application_detail", args=[committee_app.pk])).content.decode()
    assert 'id="committee"' in page and voter not in page and "Review and vote" not in page


# --- Policies ---

@pytest.mark.parametrize(("who", "status"), [("rosa", 200), ("fay", 403), ("bob", 403)])
def test_policy_list_access(client, people, who, status):
    client.force_login(people[who])
    assert client.get(reverse("approvals:policy_list")).status_code == status


def test_risk_manager_edits_a_policy(client, people):
    client.force_login(people["rosa"])
    response = client.post(reverse("approvals:policy_edit", args=["C"]), {
        "departments": ["finance", "legal"], "rule": "majority", "veto_departments": ["legal"], "warning": "on",
    })
    assert response.status_code == 302
    policy = CommitteePolicy.objects.get(tier="C")
    assert (policy.departments, policy.rule, policy.veto_departments, policy.warning, policy.updated_by) == (
        ["finance", "legal"], "majority", ["legal"], True, people["rosa"]
    )
    assert policy.history.first().history_user == people["rosa"]


def test_policy_veto_must_be_a_voting_department(client, people):
    client.force_login(people["rosa"])
    response = client.post(reverse("approvals:policy_edit", args=["C"]), {
        "departments": ["finance"], "rule": "unanimous", "veto_departments": ["legal"],
    })
    assert response.status_code == 400
    assert "Only a department that votes can have a veto." in response.content.decode()
    assert CommitteePolicy.objects.get(tier="C").departments == ["finance", "legal", "business"]


def test_policy_edit_by_approver_refused_and_unknown_tier_404(client, people):
    client.force_login(people["fay"])
    assert client.post(reverse("approvals:policy_edit", args=["C"]), {"departments": ["finance"],
                                                                      "rule": "majority"}).status_code == 403
    client.force_login(people["rosa"])
    assert client.get(reverse("approvals:policy_edit", args=["E"])).status_code == 404


def test_navigation_links_by_role(rf, people):
    shown = {}
    for who in ("fay", "alice", "rita", "rosa", "ivan"):
        request = rf.get("/")
        request.user = people[who]
        labels = [str(label) for label, _url in navigation(request)["nav_items"]]
        shown[who] = ("Committee" in labels, "Customers" in labels, "Watchlists" in labels, "Watchlist search" in labels)
    assert shown == {"fay": (True, True, False, False), "alice": (False, True, False, False),
                     "rita": (False, False, False, False), "rosa": (True, True, True, False),
                     "ivan": (False, False, False, True)}
