"""The approvals catalogue is complete, and the committee and customer pages read in Chinese."""

import gettext
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.models import Notification
from tests.approvals.conftest import cast, in_committee
from tests.i18n.test_chinese_pages import PLACEHOLDER, _entries

CATALOGUE = settings.BASE_DIR / "approvals" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def test_catalogue_complete_with_placeholders_and_compiled():
    entries = _entries(CATALOGUE)
    assert [e["msgid"] for e in entries if not e.get("msgstr") or "fuzzy" in e["flags"]] == []
    assert [
        e["msgid"] for e in entries
        if sorted(PLACEHOLDER.findall(e.get("msgid_plural", e["msgid"]))) != sorted(PLACEHOLDER.findall(e["msgstr"]))
    ] == []
    with open(CATALOGUE.with_suffix(".mo"), "rb") as mo:
        compiled = gettext.GNUTranslations(mo)._catalog  # gettext offers no public way to list a .mo's entries
    compiled.pop("", None)
    assert len(compiled) == len(entries)


@pytest.mark.django_db
def test_review_screen_and_vote_messages_in_chinese(client, people):
    for name in ("fay", "alice"):
        people[name].language = "zh-hans"
        people[name].save(update_fields=["language"])
    application = in_committee(people, tax_rating="D")
    assert Notification.objects.get(recipient=people["fay"]).verb == (
        f"{application.reference} {application.display_name} 等待您的审批投票（D 级，第 1 轮）"
    )
    client.force_login(people["fay"])
    page = client.get(reverse("approvals:review", args=[application.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = page.content.decode()
    for text in ("审批委员会审议", "警示：D 级——高风险。", "关键财务比率", "资产负债率", "您的投票", "附条件批准",
                 "提交投票", "第 1 轮", "尚未投票"):
        assert text in html, text

    cast(application, people["fay"], "finance", "approve")
    response = client.post(reverse("approvals:vote", args=[application.pk]), {
        "round": application.committee_rounds.get().pk, "department": "finance", "decision": "approve",
    }, follow=True)
    assert [str(m) for m in response.context["messages"]] == ["您已在本轮投过票（代表财务），投票一经提交不可更改。"]


@pytest.mark.django_db
def test_customers_page_in_chinese(client, people):
    people["rosa"].language = "zh-hans"
    people["rosa"].save(update_fields=["language"])
    application = in_committee(people)
    cast(application, people["fay"], "finance", "approve_with_conditions", reason="降低额度",
         credit_limit=Decimal("500000"), payment_terms_days=30)
    cast(application, people["leo"], "legal", "approve")
    client.force_login(people["rosa"])
    html = client.get(reverse("approvals:customer_list")).content.decode()
    for text in ("客户", "信用额度（元）", "未满足条件", "下次复审", "仅显示复审已超期", "正常"):
        assert text in html, text
