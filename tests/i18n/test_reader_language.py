"""Stored text is read in the reader's language: notifications and history entries follow a switch.

Every built-in message is stored as a code with parameters (``accounts.messages``). The tests
write them through the real services in English, switch the reader to 简体中文 and read them
back (and the other way round): no word of the other language may remain, apart from the
parameters that are data (references, company and person names, numbers).
"""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from accounts import messages as stored
from accounts.models import Notification
from accounts.roles import Role
from monitoring import services as monitoring_services
from onboarding import services as onboarding_services
from onboarding.enums import State
from onboarding.models import Customer, StateChange
from screening import services as screening_services
from screening.models import ScorecardVersion
from tests.approvals.conftest import cast, in_committee
from tests.factories import ApplicationFactory, advance, user_with

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]")
ENGLISH_WORD = re.compile(r"[A-Za-z]{2,}")


def english_words(text: str, data: list[str]) -> list[str]:
    """The Latin-letter words of ``text`` once the data it quotes (names, references) is taken out."""
    for value in sorted(data, key=len, reverse=True):
        text = text.replace(value, " ")
    return ENGLISH_WORD.findall(text)


def read(user, language: str) -> list[str]:
    with translation.override(language):
        return [n.text for n in Notification.objects.filter(recipient=user).order_by("pk")]


@pytest.fixture
def people(db):
    return {
        "alice": user_with(Role.SALES, username="alice", first_name="Alice", last_name=""),
        "rita": user_with(Role.DOCUMENT_REVIEWER, username="rita", first_name="Rita", last_name=""),
        "ivan": user_with(Role.INVESTIGATOR, username="ivan", first_name="Ivan", last_name=""),
        "fay": user_with(Role.APPROVER_FINANCE, username="fay", first_name="Fay", last_name=""),
        "leo": user_with(Role.APPROVER_LEGAL, username="leo", first_name="Leo", last_name=""),
        "bea": user_with(Role.APPROVER_BUSINESS, username="bea", first_name="Bea", last_name=""),
        "rosa": user_with(Role.RISK_MANAGER, username="rosa", first_name="Rosa", last_name=""),
        "rick": user_with(Role.RISK_MANAGER, username="rick", first_name="Rick", last_name=""),
    }


def _company(people, n: int):
    # Only an English name: in the Chinese reading, the name is data, taken out before the check.
    return ApplicationFactory(created_by=people["alice"], legal_name_zh="", legal_name_en=f"Acme {n}")


def test_every_registered_message_has_both_languages():
    """Each code renders without the other language's letters (its parameters aside)."""
    samples = {"reference": "APP-000001", "name": "Acme", "reason": "#1", "tier": "A", "number": 2,
               "author": "Rosa", "actor": "Rosa", "count": 3, "customer": "Acme", "id": 7, "user": "Rosa",
               "status": stored.choice("onboarding.customer_status", "suspended"),
               "department": stored.choice("approvals.department", "legal"),
               "decision": stored.choice("approvals.decision", "request_information"),
               "indicator": stored.choice("monitoring.indicator", "score_drop"),
               "job": stored.choice("monitoring.job_kind", "reevaluation"),
               "votes": stored.joined([stored.message("approvals.vote", department=stored.choice(
                   "approvals.department", "finance"), decision=stored.choice("approvals.decision", "reject"))])}
    data = ["APP-000001", "Acme", "Rosa", "#1"]
    codes = sorted(stored._catalogue)
    assert len(codes) >= 20
    for code in codes:
        message = stored.Message(code, samples)
        with translation.override("en"):
            english = str(message)
        with translation.override("zh-hans"):
            chinese = str(message)
        assert english and CJK.findall(english) == [], (code, english)
        # The Chinese reading keeps only data in Latin letters ("A" is a tier, "APP" a reference).
        assert [w for w in english_words(chinese, data) if w not in {"APP"}] == [], (code, chinese)


def test_transition_and_comment_notifications_follow_the_readers_language(people, client):
    application = advance(_company(people, 1), State.DOCUMENT_REVIEW)
    onboarding_services.application_transition(
        application_id=application.pk, transition="return_for_information", actor=people["rita"], reason="#12",
    )
    from onboarding.comments import comment_create

    comment_create(application=application, author=people["rita"], body="@alice #3")
    ref = application.reference
    assert read(people["alice"], "en") == [
        f"{ref} Acme 1 was returned to you for more information: #12",
        f"Rita mentioned you on {ref} Acme 1",
    ]
    assert read(people["alice"], "zh-hans") == [
        f"{ref} Acme 1 已退回给您补充信息：#12",
        f"Rita 在 {ref} Acme 1 中提到了您",
    ]
    # The page and the e-mail render in the reader's language of the moment.
    people["alice"].language = "zh-hans"
    people["alice"].save(update_fields=["language"])
    client.force_login(people["alice"])
    page = client.get(reverse("notification_list")).content.decode()
    assert f"{ref} Acme 1 已退回给您补充信息：#12" in page
    assert "was returned to you" not in page
    notification = Notification.objects.filter(recipient=people["alice"]).order_by("pk").first()
    email = onboarding_email(notification)
    assert "已退回给您补充信息" in email.body and "was returned" not in email.body


def onboarding_email(notification):
    from accounts.services import notification_email

    notification.recipient.refresh_from_db()
    return notification_email(notification)


def test_committee_summary_is_read_in_each_readers_language(people, client):
    """Finance voted in English, legal in Chinese: the summary and the notification read in one language."""
    application = in_committee(people, legal_name_zh="", legal_name_en="Acme 2")
    with translation.override("en"):
        cast(application, people["fay"], "finance", "approve")
    with translation.override("zh-hans"):
        cast(application, people["leo"], "legal", "request_information", reason="#4")
    change = StateChange.objects.get(application=application, transition="return_for_information")
    with translation.override("en"):
        assert change.reason_text == "Legal (Request information): #4"
        assert read(people["alice"], "en")[-1] == (
            f"{application.reference} Acme 2 was returned to you for more information: Legal (Request information): #4"
        )
    with translation.override("zh-hans"):
        assert change.reason_text == "法务（要求补充资料）：#4"
        assert read(people["alice"], "zh-hans")[-1] == (
            f"{application.reference} Acme 2 已退回给您补充信息：法务（要求补充资料）：#4"
        )
    # The approvers' round notification too.
    assert read(people["fay"], "zh-hans") == [
        f"{application.reference} Acme 2 等待您的审批投票（A 级，第 1 轮）"
    ]
    # The application page's history shows the reason in the reader's language.
    people["rosa"].language = "en"
    people["rosa"].save(update_fields=["language"])
    client.force_login(people["rosa"])
    page = client.get(reverse("onboarding:application_detail", args=[application.pk])).content.decode()
    assert "Legal (Request information): #4" in page and "法务（要求补充资料）" not in page


def test_customer_history_and_monitoring_notifications_follow_the_language(people):
    application = in_committee(people, legal_name_zh="", legal_name_en="Acme 3")
    cast(application, people["fay"], "finance", "approve")
    cast(application, people["leo"], "legal", "approve")  # tier A: a majority with the veto holder settles it
    customer = Customer.objects.get(applications=application)
    from monitoring.models import Alert

    alert = Alert.objects.create(customer=customer, indicator="score_drop", severity="warning", evidence=[])
    monitoring_services.alert_acknowledge(alert_id=alert.pk, actor=people["rick"], assignee=people["rosa"])
    monitoring_services.alert_escalate(alert_id=alert.pk, actor=people["rosa"], note="#5")

    assert read(people["rosa"], "en") == ["Rick assigned 1 alert(s) to you."]
    assert read(people["rosa"], "zh-hans") == ["Rick 将 1 条预警分配给了您。"]
    with translation.override("en"):
        english = read(people["alice"], "en")[-1]
    assert english == "A re-review of Acme 3 was opened after an alert: please update and submit it."
    chinese = read(people["alice"], "zh-hans")[-1]
    assert CJK.search(chinese) and english_words(chinese, ["Acme"]) == []

    reasons = [record.history_change_reason for record in customer.history.order_by("history_date", "history_id")]
    with translation.override("en"):
        english = [stored.render_stored(r) for r in reasons]
    with translation.override("zh-hans"):
        chinese = [stored.render_stored(r) for r in reasons]
    assert f"{application.reference} approved" in english, english
    assert english[-1] == f"Alert #{alert.pk} escalated by Rosa"
    for text in english:
        assert CJK.findall(text) == [], text
    for text in chinese:
        assert english_words(text, [application.reference, "Rosa"]) == [], text


def test_draft_awaiting_publication_notification_reads_in_each_language(people):
    draft = screening_services.scorecard_copy(
        version=ScorecardVersion.objects.get(status="published"), actor=people["rosa"]
    )
    screening_services.scorecard_publication_request(version_id=draft.pk, actor=people["rosa"])
    assert read(people["rick"], "en") == [
        f"Rosa asks you to check and publish scorecard draft version {draft.number} (maker-checker)."
    ]
    assert read(people["rick"], "zh-hans") == [f"Rosa 请您复核并发布评分卡草稿第 {draft.number} 版（双人复核）。"]


def test_plain_text_notifications_still_work(people):
    from accounts.services import notify

    notify(recipients=[people["alice"]], verb="Briefing ready", url="/x/")
    assert read(people["alice"], "zh-hans") == ["Briefing ready"]
    assert Notification.objects.get(recipient=people["alice"]).message is None
