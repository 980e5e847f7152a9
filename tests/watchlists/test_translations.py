"""The watchlists catalogue in 简体中文 is complete, keeps its placeholders, and is used."""



import pytest
from django.conf import settings
from django.urls import reverse

from tests.i18n.test_chinese_pages import PLACEHOLDER, _entries
from watchlists.enums import Disposition

CATALOGUE = settings.BASE_DIR / "watchlists" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def test_catalogue_is_complete_and_keeps_placeholders():
    entries = _entries(CATALOGUE)
    assert len(entries) > 100
    for entry in entries:
        assert entry.get("msgstr"), entry["msgid"]
        assert "fuzzy" not in entry["flags"], entry["msgid"]
        assert sorted(PLACEHOLDER.findall(entry["msgid"])) == sorted(PLACEHOLDER.findall(entry["msgstr"])), entry


def test_catalogue_is_compiled():
    assert CATALOGUE.with_suffix(".mo").stat().st_mtime >= CATALOGUE.stat().st_mtime - 1


@pytest.mark.django_db
def test_hits_panel_in_chinese(listed_application, investigator, client):
    investigator.language = "zh-hans"
    investigator.save(update_fields=["language"])
    client.force_login(investigator)
    body = client.get(reverse("onboarding:application_detail", args=[listed_application.pk])).content.decode()
    assert "名单筛查" in body and "2 条待处置" in body and "误报" in body
    assert "法定代表人: “王建国”" in body


def test_disposition_labels_are_translatable():
    from django.utils import translation

    with translation.override("zh-hans"):
        assert str(Disposition.TRUE_MATCH.label) == "确认命中"
