"""Committee minutes (page and PDF, in Chinese and English) and the work report page (same figures as the e-mail)."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from accounts.roles import Role
from monitoring.reports import _email, department_report, reader_queue, report_week
from tests.approvals.conftest import cast, in_committee
from tests.factories import user_with
from tests.training.conftest import pass_role


@pytest.fixture
def people(db):
    return {
        "alice": user_with(Role.SALES, username="alice"), "rita": user_with(Role.DOCUMENT_REVIEWER, username="rita"),
        "ivan": user_with(Role.INVESTIGATOR, username="ivan"), "fay": user_with(Role.APPROVER_FINANCE, username="fay"),
        "leo": user_with(Role.APPROVER_LEGAL, username="leo"), "bea": user_with(Role.APPROVER_BUSINESS, username="bea"),
        "rosa": user_with(Role.RISK_MANAGER, username="rosa"),
    }


@pytest.fixture
def decided_round(people):
    application = in_committee(people)
    cast(application, people["fay"], "finance", "approve")
    cast(application, people["leo"], "legal", "reject", reason="涉诉案件未结 pending lawsuit")
    from approvals.models import Round
    return Round.objects.get(application=application)


def _pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


@pytest.mark.parametrize("language, words", [
    ("en", ["Committee minutes", "Finance", "Legal", "Business", "Reject", "Approve"]),
    ("zh-hans", ["审批会议纪要", "财务", "法务", "业务", "拒绝", "批准", "原因", "投票"]),
])
def test_minutes_pdf_has_the_votes_and_reasons(decided_round, people, client, language, words):
    people["rosa"].language = language
    people["rosa"].save(update_fields=["language"])
    client.force_login(people["rosa"])
    page = client.get(f"/training/minutes/{decided_round.pk}/")
    assert page.status_code == 200 and "涉诉案件未结 pending lawsuit" in page.content.decode()
    response = client.get(f"/training/minutes/{decided_round.pk}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = _pdf_text(response.content)
    assert "涉诉案件未结 pending lawsuit" in text
    assert decided_round.application.reference in text
    for word in words:
        assert word in text, word


def test_minutes_are_not_for_sales_and_an_open_round_has_none(decided_round, people, client):
    client.force_login(people["alice"])
    assert client.get(f"/training/minutes/{decided_round.pk}/").status_code == 403
    client.force_login(people["rosa"])
    assert client.get("/training/minutes/999999/pdf/").status_code == 404


def test_work_report_page_shows_the_e_mails_figures(people, client, django_capture_on_commit_callbacks):
    from onboarding.enums import State
    from tests.factories import ApplicationFactory, advance
    advance(ApplicationFactory(created_by=people["alice"]), State.BACKGROUND_CHECK, reviewer=people["rita"])
    pass_role(people["ivan"], Role.INVESTIGATOR)
    week = report_week()
    report = reader_queue(department_report(Role.INVESTIGATOR, week), people["ivan"])
    body = _email(people["ivan"], report).body
    client.force_login(people["ivan"])
    page = client.get("/training/reports/", {"department": "investigator", "week": week.isoformat()}).content.decode()
    for name in ("received", "decided", "submitted", "approved", "rejected", "queue", "overdue", "alerts_total"):
        assert f'data-figure="{name}">{getattr(report, name)}<' in page
    assert f"Waiting: {report.queue}" in body and report.queue == 1
    title, figures = report.sections[0]
    assert str(title) in body and str(title) in page
    for label, value in figures:
        assert f"- {label}: {value}" in body
        assert f"<dt class=\"col-sm-6\">{label}</dt><dd class=\"col-sm-6\">{value}</dd>" in page
    assert ("Members with all required training", "1 / 1") in [(str(a), b) for a, b in figures]


def test_work_report_only_for_own_department_and_bad_week_is_an_error(people, client):
    client.force_login(people["ivan"])
    assert client.get("/training/reports/", {"department": "approver_finance"}).status_code == 200  # falls back
    page = client.get("/training/reports/", {"week": "1800-01-01"}).content.decode()
    assert "Choose a week between 2000 and 2100." in page
    client.force_login(user_with(username="nobody"))
    assert client.get("/training/reports/").status_code == 403


def test_overview_and_csv(people, client):
    pass_role(people["ivan"], Role.INVESTIGATOR)
    client.force_login(people["rosa"])
    page = client.get("/training/overview/").content.decode()
    assert 'data-chart="' in page and 'data-user="ivan"' in page
    csv = client.get("/training/overview.csv", {"department": "investigator"}).content.decode("utf-8-sig")
    lines = csv.strip().splitlines()
    assert lines[0].startswith("Department,Person,Required")
    assert "Investigator,ivan,1,1,0,0,0,0" in lines
    client.force_login(people["ivan"])
    assert client.get("/training/overview/").status_code == 403


def test_a_decided_round_links_to_its_minutes_only_for_those_who_may_read_them(decided_round, people, client):
    link = f'href="/training/minutes/{decided_round.pk}/"'
    url = f"/applications/{decided_round.application.pk}/"
    client.force_login(people["rosa"])
    page = client.get(url)
    assert page.status_code == 200 and f"round-{decided_round.number}" in page.content.decode()
    assert link in page.content.decode()
    client.force_login(people["alice"])  # the sales owner sees the round but may not read the minutes
    page = client.get(url)
    assert page.status_code == 200 and f"round-{decided_round.number}" in page.content.decode()
    assert link not in page.content.decode()


def test_department_overview_reads_a_fixed_number_of_queries_whatever_its_size(people):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from training.selectors import department_overview

    pass_role(people["ivan"], Role.INVESTIGATOR)
    with CaptureQueriesContext(connection) as one:
        rows = department_overview(Role.INVESTIGATOR)
    assert [(r.user.username, r.required, r.passed) for r in rows] == [("ivan", 1, 1)]
    for n in range(3):
        user_with(Role.INVESTIGATOR, username=f"new{n}")
    with CaptureQueriesContext(connection) as four:
        rows = department_overview(Role.INVESTIGATOR)
    assert [(r.user.username, r.required, r.passed) for r in rows] == [
        ("ivan", 1, 1), ("new0", 1, 0), ("new1", 1, 0), ("new2", 1, 0)]
    assert len(four) == len(one)
