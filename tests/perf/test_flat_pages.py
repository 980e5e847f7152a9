"""The hot pages stay flat as history grows: the same queries for 5 and for 50 rows of history,
no count over a whole table, segregation of duties in one query (issue 16). No timing."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from approvals.models import Round, Vote
from approvals.selectors import policy_for_tier
from onboarding import participation
from onboarding.enums import State
from onboarding.models import StateChange
from onboarding.participation import Stage
from tests.approvals.conftest import cast, in_committee
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


def _queries(client, url) -> list[str]:
    client.get(url)  # warm: the session's refresh and per-process caches
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return [q["sql"] for q in captured]


def _history(people, n: int) -> None:
    """``n`` decided applications of alice's with a closed round and a vote each and a state change:
    what years of work leave behind."""
    applications = ApplicationFactory.create_batch(n, created_by=people["alice"], complete=False)
    policy = policy_for_tier("A").snapshot(tier="A", evaluated=True)
    now = timezone.now()
    rounds = Round.objects.bulk_create(
        Round(application=a, number=1, policy=policy, closed_at=now, outcome="approved") for a in applications
    )
    Vote.objects.bulk_create(Vote(round=r, department="finance", voter=people["fay"], decision="approve") for r in rounds)
    StateChange.objects.bulk_create(
        StateChange(application=a, transition="submit", from_state=State.DRAFT, to_state=State.DOCUMENT_REVIEW,
                    actor=people["alice"]) for a in applications
    )


def test_committee_queue_queries_do_not_grow_with_open_rounds_or_history(client, people):
    client.force_login(people["fay"])
    first = in_committee(people)
    cast(first, people["leo"], "legal", "approve")
    _history(people, 5)
    before = _queries(client, reverse("approvals:queue"))
    for _ in range(2):
        cast(in_committee(people), people["bea"], "business", "approve")
    _history(people, 50)
    after = _queries(client, reverse("approvals:queue"))
    assert len(after) == len(before)
    response = client.get(reverse("approvals:queue"))
    assert len(response.context["mine"]) + len(response.context["others"]) == 3


@pytest.mark.parametrize(("who", "url_name"), [("fay", "approvals:review"), ("rosa", "onboarding:application_detail")])
def test_review_screen_and_application_page_queries_do_not_grow_with_history(client, people, who, url_name):
    application = in_committee(people)
    cast(application, people["leo"], "legal", "approve")
    client.force_login(people[who])
    url = reverse(url_name, args=[application.pk])
    _history(people, 5)
    before = _queries(client, url)
    _history(people, 50)
    StateChange.objects.bulk_create(
        StateChange(application=application, transition="note", from_state=State.COMMITTEE_REVIEW,
                    to_state=State.COMMITTEE_REVIEW, actor=people["rosa"]) for _ in range(45)
    )
    after = _queries(client, url)
    assert len(after) == len(before)


def test_segregation_of_duties_is_one_union_query_whatever_the_number_of_applications(people):
    def queries(n: int) -> list[str]:
        applications = ApplicationFactory.create_batch(n, created_by=people["alice"], complete=False)
        with CaptureQueriesContext(connection) as captured:
            participation.prime(applications, people["fay"].pk, Stage.COMMITTEE)
        return [q["sql"] for q in captured]

    five, fifty = queries(5), queries(50)
    assert len(five) == len(fifty)
    # onboarding's and screening's acts in one UNION ALL; only providers answering with a set
    # (watchlists' hit dispositions) add a query of their own.
    union = [q for q in five if "UNION ALL" in q]
    assert len(union) == 1 and len(five) <= 2
    for table in ("onboarding_application", "onboarding_historicaldocument", "onboarding_statechange",
                  "screening_interview", "screening_sitevisit", "screening_thirdpartyreport",
                  "screening_sitevisitphoto", "screening_evaluation"):
        assert f'"{table}"' in union[0]


def test_segregation_acts_found_through_the_union(people):
    application = in_committee(people)
    acts = participation.acts_before(application, people["alice"].pk, Stage.COMMITTEE)
    assert [act.kind for act in acts] == ["created"]
    application = in_committee(people)
    kinds = [act.kind for act in participation.acts_before(application, people["rita"].pk, Stage.COMMITTEE)]
    assert kinds == ["reviewed_documents"]
    application = in_committee(people)
    kinds = [act.kind for act in participation.acts_before(application, people["ivan"].pk, Stage.COMMITTEE)]
    assert kinds == ["investigated"]
    assert participation.acts_before(application, people["fay"].pk, Stage.COMMITTEE) == []


HOT_PAGES = [
    ("alice", "onboarding:my_applications", False),
    ("rita", "onboarding:queue", False),
    ("rosa", "onboarding:application_list", False),
    ("fay", "approvals:queue", False),
    ("fay", "approvals:review", True),
    ("rosa", "onboarding:application_detail", True),
    ("rosa", "approvals:customer_list", False),
    ("rosa", "monitoring:dashboard", False),
    ("rosa", "monitoring:alert_list", False),
]


@pytest.mark.parametrize(("who", "url_name", "with_pk"), HOT_PAGES)
def test_no_hot_page_counts_or_aggregates_a_whole_table(client, people, who, url_name, with_pk):
    application = in_committee(people)
    _history(people, 5)
    client.force_login(people[who])
    url = reverse(url_name, args=[application.pk]) if with_pk else reverse(url_name)
    for sql in _queries(client, url):
        if not re.search(r"\b(COUNT|SUM|AVG|MAX|MIN)\(", sql):
            continue
        # The one count left: the signed-in user's unread notifications, on (recipient, read_at).
        # The chart of All applications groups the open applications only (state IN …, indexed).
        unread = '"accounts_notification"."recipient_id" = ' in sql and '"read_at" IS NULL' in sql
        open_chart = 'FROM "onboarding_application"' in sql and '"state" IN (' in sql and "GROUP BY" in sql
        assert unread or open_chart, sql


def test_submitted_date_filter_takes_whole_local_days(client, people):
    day = datetime.date(2026, 3, 1)
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    inside = [ApplicationFactory(created_by=people["alice"], submitted_at=start, complete=False),
              ApplicationFactory(created_by=people["alice"], submitted_at=start + datetime.timedelta(hours=23, minutes=59),
                                 complete=False)]
    ApplicationFactory(created_by=people["alice"], submitted_at=start - datetime.timedelta(seconds=1), complete=False)
    ApplicationFactory(created_by=people["alice"], submitted_at=start + datetime.timedelta(days=1), complete=False)
    client.force_login(people["rosa"])
    response = client.get(reverse("onboarding:application_list"), {"submitted_from": "2026-03-01",
                                                                    "submitted_to": "2026-03-01"})
    assert sorted(a.pk for a in response.context["page"]) == sorted(a.pk for a in inside)
    sql = _queries(client, reverse("onboarding:application_list") + "?submitted_from=2026-03-01")
    listing = [q for q in sql if 'FROM "onboarding_application"' in q and "LIMIT" in q]
    assert listing and all("::date" not in q and "AT TIME ZONE" not in q for q in listing)


def test_committee_queue_rows_escape_names_and_speak_the_users_language(client, people):
    application = in_committee(people, legal_name_zh="<b>恶意</b>公司")
    cast(application, people["leo"], "legal", "approve")
    client.force_login(people["fay"])
    html = client.get(reverse("approvals:queue")).content.decode()
    assert "&lt;b&gt;恶意&lt;/b&gt;公司" in html and "<b>恶意</b>" not in html
    assert f'href="{reverse("approvals:review", args=[application.pk])}">{application.reference}</a>' in html
    assert 'class="badge text-bg-success">Legal</span>' in html and "waiting for" in html
    people["fay"].language = "zh-hans"
    people["fay"].save(update_fields=["language"])
    html = client.get(reverse("approvals:queue")).content.decode()
    assert "waiting for" not in html and "Legal</span>" not in html
