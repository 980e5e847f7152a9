"""The audit trail reads in words: a hand-made history and the exact lines it shows."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.roles import Role
from onboarding import audit
from onboarding import services as onboarding_services
from onboarding.enums import State
from onboarding.models import Application, Document, Industry
from tests.factories import ApplicationFactory, advance, user_with

pytestmark = pytest.mark.django_db


@pytest.fixture
def story(sales, reviewer, risk_manager):
    """alice fills the industry, date and investigator of an empty draft; rita returns it; a document is replaced."""
    sales.first_name, sales.last_name = "Alice", "Wang"
    sales.save()
    reviewer.first_name, reviewer.last_name = "Rita", "Li"
    reviewer.save()
    application = ApplicationFactory(created_by=sales, industry=None, registration_date=None)
    draft = Application.objects.get(pk=application.pk)
    draft.industry = Industry.objects.get(code="MFG-EQP")
    draft.registration_date = datetime.date(2024, 3, 1)
    draft.investigator = reviewer
    draft._history_user = sales
    draft.save()
    advance(draft, State.DOCUMENT_REVIEW)
    onboarding_services.application_transition(
        application_id=application.pk, transition="return_for_information", actor=reviewer,
        reason="The bank reference is older than three months.",
    )
    document = Document.objects.filter(application=application).order_by("pk").first()
    document.is_current = False
    document._history_user = sales
    document.save()
    return Application.objects.get(pk=application.pk), document


def _lines(entries):
    return [(e.record, e.action, [(c.label, c.old, c.new) for c in e.changes], e.reason) for e in entries]


def test_hand_made_history_reads_in_words_in_english(story, sales, reviewer):
    application, document = story
    with translation.override("en"):
        entries = audit.audit_entries(application)
        lines = _lines(entries)
    kind = document.document_type.name_en
    assert lines[0] == (f"Document: {kind}, version 1", "Changed", [("current version", "yes", "no")], "")
    assert lines[1] == (
        "Application", "Return for information",
        [("document reviewer", "(empty)", "Rita Li"), ("state", "Document review", "Returned for information")],
        "The bank reference is older than three months.",
    )
    assert lines[2] == ("Application", "Submit", [("state", "Draft", "Document review"),
                                                  ("submitted at", "(empty)", lines[2][2][1][2])], "")
    assert lines[2][2][1][2].startswith(str(datetime.date.today().year))
    assert (f"Document: {kind}, version 1", "Created", [], "") in lines
    filled = next(line for line in lines if line[1] == "Changed" and line[0] == "Application")
    assert sorted(filled[2]) == [
        ("industry", "(empty)", "Equipment manufacturing (risk class 2)"),
        ("investigator", "(empty)", "Rita Li"),
        ("registration date", "(empty)", "2024-03-01"),
    ]
    assert lines[-1] == ("Application", "Created", [], "")
    assert [e.who for e in entries][:3] == [sales, reviewer, sales]


def test_hand_made_history_reads_in_chinese(story):
    application, document = story
    with translation.override("zh-hans"):
        lines = _lines(audit.audit_entries(application))
    assert lines[0] == (f"资料：{document.document_type.name_zh}，第 1 版", "修改", [("当前版本", "是", "否")], "")
    assert lines[1][:3] == (
        "准入申请", "退回补充资料", [("资料审核员", "（空）", "Rita Li"), ("状态", "资料审核", "退回补充资料")]
    )
    filled = next(line for line in lines if line[1] == "修改" and line[0] == "准入申请")
    assert ("成立日期", "（空）", "2024-03-01") in filled[2]
    assert ("资料审核员", "（空）", "Rita Li") not in filled[2]


def test_audit_page_filters_by_field_and_person_and_downloads_csv(client, story, risk_manager, reviewer):
    application, _document = story
    client.force_login(risk_manager)
    url = reverse("onboarding:application_audit", args=[application.pk])

    page = client.get(url, {"field": "investigator"})
    assert page.status_code == 200
    assert [(e.action, [(c.label, c.old, c.new) for c in e.changes]) for e in page.context["entries"]] == [
        ("Changed", [("investigator", "(empty)", "Rita Li")])
    ]
    by_rita = client.get(url, {"person": str(reviewer.pk)}).context["entries"]
    assert [e.action for e in by_rita] == ["Return for information"]
    assert client.get(url, {"person": "999999"}).status_code == 400  # not a person of this trail

    download = client.get(url, {"field": "registration_date", "download": "csv"})
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    assert download["Content-Disposition"] == f'attachment; filename="{application.reference}-audit.csv"'
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert rows[0] == ["When", "Who", "Record", "Action", "Field", "Before", "After", "Reason"]
    assert [row[1:] for row in rows[1:]] == [
        ["Alice Wang", "Application", "Changed", "registration date", "(empty)", "2024-03-01", ""]
    ]


def test_audit_page_names_the_application_once_and_shows_no_raw_values(client, story, risk_manager):
    application, _document = story
    client.force_login(risk_manager)
    page = client.get(reverse("onboarding:application_audit", args=[application.pk])).content.decode()
    table = page[page.index('id="audit-table"'):]
    assert application.reference not in table
    assert "APP-new" not in page and "None" not in table and "True" not in table and "False" not in table
    assert "return_for_information" not in table and "pass_documents" not in table
    assert "Return for information" in table


def test_api_client_prefix_and_encoded_reasons_read_in_words(story):
    application, _document = story
    record = application.history.filter(history_change_reason="submit").get()
    record.history_change_reason = "[via API client Zoho CRM] submit"
    record.save()
    with translation.override("en"):
        submitted = next(e for e in audit.audit_entries(application) if e.action == "Submit")
    assert submitted.reason == "via API client Zoho CRM"


def test_audit_trail_refuses_outsiders(client, story):
    application, _document = story
    client.force_login(user_with(Role.SALES, username="bob"))
    assert client.get(reverse("onboarding:application_audit", args=[application.pk])).status_code == 403
