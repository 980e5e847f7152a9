"""Pages in 简体中文: the onboarding and project-level catalogues are complete, compiled and used."""

import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.roles import Role
from tests.factories import ApplicationFactory, user_with

CATALOGUES = [
    settings.BASE_DIR / "onboarding" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po",
    settings.BASE_DIR / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po",
]
PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[sdifr]|%%|\{\w+\}")


def _entries(path: Path) -> list[dict[str, str]]:
    """Parse a .po file into entries (msgid, msgid_plural, msgstr, flags); enough for these checks."""
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        entry: dict[str, str] = {"flags": ""}
        key = None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"] += line
            elif line.startswith("#"):
                continue
            elif m := re.match(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[0\])?) (\".*\")$", line):
                key = m.group(1).replace("[0]", "")
                entry[key] = _unquote(m.group(2))
            elif line.startswith('"') and key:
                entry[key] += _unquote(line)
        if entry.get("msgid"):
            entries.append(entry)
    return entries


def _unquote(quoted: str) -> str:
    return quoted[1:-1].encode("raw_unicode_escape").decode("unicode_escape")


@pytest.fixture
def chinese_sales(db):
    return user_with(Role.SALES, username="lihua", language="zh-hans")


@pytest.mark.parametrize("path", CATALOGUES, ids=["onboarding", "project"])
def test_catalogue_has_no_untranslated_or_fuzzy_entry(path):
    entries = _entries(path)
    assert entries
    assert [e["msgid"] for e in entries if not e.get("msgstr")] == []
    assert [e["msgid"] for e in entries if "fuzzy" in e["flags"]] == []


@pytest.mark.parametrize("path", CATALOGUES, ids=["onboarding", "project"])
def test_catalogue_keeps_every_placeholder(path):
    wrong = [
        e["msgid"] for e in _entries(path)
        if sorted(PLACEHOLDER.findall(e.get("msgid_plural", e["msgid"]))) != sorted(PLACEHOLDER.findall(e["msgstr"]))
    ]
    assert wrong == []


@pytest.mark.parametrize("path", CATALOGUES, ids=["onboarding", "project"])
def test_compiled_catalogue_matches_its_source(path):
    with open(path.with_suffix(".mo"), "rb") as mo:
        compiled = gettext.GNUTranslations(mo)._catalog  # gettext offers no public way to list a .mo's entries
    source = {}
    for e in _entries(path):
        msgid = f"{e['msgctxt']}\x04{e['msgid']}" if "msgctxt" in e else e["msgid"]
        source[(msgid, 0) if "msgid_plural" in e else msgid] = e["msgstr"]
    compiled.pop("", None)
    assert compiled == source


@pytest.mark.django_db
def test_new_application_form_is_in_chinese(client, chinese_sales):
    client.force_login(chinese_sales)
    html = client.get(reverse("onboarding:application_create")).content.decode()
    for chinese in ["新建准入申请", "统一社会信用代码", "法定代表人", "注册资本", "纳税信用等级", "征信评分",
                    "申请授信额度", "申请账期", "财务状况", "添加联系人", "保存草稿", "保存并提交", "退出登录"]:
        assert chinese in html, chinese
    for english in ["New application", "Unified social credit code", "Legal representative", "Registered capital",
                    "Tax credit rating", "Save draft", "Save and submit", "Log out"]:
        assert english not in html, english


@pytest.mark.django_db
def test_form_errors_and_flash_messages_are_in_chinese(client, chinese_sales):
    client.force_login(chinese_sales)
    url = reverse("onboarding:application_create")
    management = {
        "fin-TOTAL_FORMS": "1", "fin-INITIAL_FORMS": "0", "fin-MIN_NUM_FORMS": "1", "fin-MAX_NUM_FORMS": "3",
        "contact-TOTAL_FORMS": "1", "contact-INITIAL_FORMS": "0", "contact-MIN_NUM_FORMS": "1",
        "contact-MAX_NUM_FORMS": "5",
    }
    invalid = client.post(url, {**management, "credit_code": "91350100M000100Y44", "save": "1"})
    assert [str(m) for m in invalid.context["messages"]] == ["请更正以下错误。"]
    assert invalid.context["form"].errors["credit_code"] == ["校验码不符，请检查代码是否输入有误。"]
    saved = client.post(url, {**management, "legal_name_zh": "半成品有限公司", "save": "1"}, follow=True)
    assert [str(m) for m in saved.context["messages"]] == ["草稿已保存。"]


@pytest.mark.django_db
def test_my_applications_list_is_in_chinese(client, chinese_sales):
    ApplicationFactory(created_by=chinese_sales, legal_name_zh="杭州云帆科技有限公司")
    client.force_login(chinese_sales)
    html = client.get(reverse("onboarding:my_applications")).content.decode()
    for chinese in ["我的申请", "新建准入申请", "统一社会信用代码", "客户类型", "客户经理", "提交日期", "截止日期",
                    "草稿", "仅显示已超期", "杭州云帆科技有限公司"]:
        assert chinese in html, chinese
    for english in ["My applications", "New application", "Credit code", "Customer type", "Sales owner",
                    "Deadline", "Overdue only", ">Draft<"]:
        assert english not in html, english


@pytest.mark.django_db
def test_application_detail_is_in_chinese(client, chinese_sales):
    application = ApplicationFactory(created_by=chinese_sales)
    client.force_login(chinese_sales)
    html = client.get(reverse("onboarding:application_detail", args=[application.pk])).content.decode()
    for chinese in ["企业基本信息", "经营情况", "信用记录", "联系人与授信申请", "资料", "您可执行的操作"]:
        assert chinese in html, chinese
    for english in ["Company identity", "Business background", "Credit record", "Your actions"]:
        assert english not in html, english


@pytest.mark.django_db
def test_english_user_still_sees_english(client):
    sales = user_with(Role.SALES, username="alice", language="en")
    client.force_login(sales)
    html = client.get(reverse("onboarding:application_create")).content.decode()
    assert "Unified social credit code" in html
    assert "统一社会信用代码" not in html


@pytest.mark.django_db
def test_wrong_role_is_refused_the_chinese_form(client):
    reviewer = user_with(Role.DOCUMENT_REVIEWER, username="rita", language="zh-hans")
    client.force_login(reviewer)
    assert client.get(reverse("onboarding:application_create")).status_code == 403


@pytest.mark.django_db
def test_outsider_is_sent_to_the_chinese_sign_in_page(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    response = client.get(reverse("onboarding:my_applications"), follow=True)
    assert response.redirect_chain == [(f"{reverse('login')}?next={reverse('onboarding:my_applications')}", 302)]
    html = response.content.decode()
    assert "登录 Vetted" in html
    assert "Sign in to Vetted" not in html
