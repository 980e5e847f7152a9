"""The weekly work report lists only what waits for its reader, in the reader's language."""

import re

import pytest
from django.core import mail

from accounts.roles import Role
from monitoring.reports import report_week, work_reports_send
from tests.factories import ApplicationFactory, advance, user_with

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]")


def _body(user) -> str:
    return next(m.body for m in mail.outbox if user.email in m.to)


def test_sales_weekly_email_lists_only_the_readers_own_applications_in_english():
    alice = user_with(Role.SALES, username="alice", language="en")
    bob = user_with(Role.SALES, username="bob", language="zh-hans")
    mine = ApplicationFactory(created_by=alice, legal_name_zh="", legal_name_en="Alice Trading Co., Ltd.")
    theirs = ApplicationFactory(created_by=bob, legal_name_zh="", legal_name_en="Bob Foods Co., Ltd.")

    work_reports_send(week=report_week())

    english = _body(alice)
    assert mine.reference in english and "Alice Trading Co., Ltd." in english
    assert theirs.reference not in english and "Bob Foods" not in english
    assert "Waiting: 1" in english
    assert f"{mine.reference} Alice Trading Co., Ltd. · Draft · 0 days" in english
    assert CJK.findall(english) == []

    chinese = _body(bob)
    assert theirs.reference in chinese and mine.reference not in chinese
    assert "草稿" in chinese
    for word in ("Draft", "Waiting", "Your queue", "Applications", "days"):
        assert word not in chinese


def test_reviewers_queue_leaves_out_what_segregation_of_duties_keeps_them_from():
    owner = user_with(Role.SALES, username="owner")
    # Both roles: she created one application, so it does not wait for her as a reviewer.
    both = user_with(Role.SALES, Role.DOCUMENT_REVIEWER, username="both", language="en")
    hers = advance(ApplicationFactory(created_by=both), "document_review")
    other = advance(ApplicationFactory(created_by=owner), "document_review")

    work_reports_send(week=report_week())

    reviewer_mail = next(
        m.body for m in mail.outbox if both.email in m.to and "Document reviewer" in m.subject
    )
    assert other.reference in reviewer_mail
    assert hers.reference not in reviewer_mail
    assert "Waiting: 1" in reviewer_mail
