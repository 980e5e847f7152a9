"""The background-check screen: who sees it, who records investigation, uploads, photos, actions."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import Role
from onboarding.enums import State
from onboarding.models import Application
from screening import services
from screening.models import Evaluation, Interview, SiteVisit, SiteVisitPhoto, ThirdPartyReport
from tests.factories import PDF_BYTES, PNG_BYTES, advance, pdf_upload, user_with
from watchlists.services import screen_application

pytestmark = pytest.mark.django_db

JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"


def png(name="front.png", content=PNG_BYTES):
    return SimpleUploadedFile(name, content, content_type="image/png")


def interview_data(**changes):
    data = {
        "interview-date": "2026-01-05", "interview-participants": "CFO Li Na", "interview-business_model": "Direct",
        "interview-management": "Stable", "interview-plans": "Expand", "interview-findings": "Consistent",
    }
    data.update(changes)
    return data


def visit_data(**changes):
    data = {
        "visit-date": "2026-01-06", "visit-address": "Zhangjiang Road 100", "visit-operations": "Two shifts",
        "visit-premises": "Owned plant", "visit-staff": "About 400",
    }
    data.update(changes)
    return data


def _visit(application, investigator, photos=()):
    return services.site_visit_record(
        application=application, actor=investigator, photos=photos, date=datetime.date(2026, 1, 6),
        address="Zhangjiang", operations="Running", premises="Owned", staff="420",
    )


# --- Seeing the screen ---

def test_screen_shows_breakdown_to_investigator(client, in_background_check, investigator):
    services.evaluation_record_for_application(application=in_background_check)
    client.force_login(investigator)
    response = client.get(reverse("screening:application_screen", args=[in_background_check.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="score-total">86.3<' in body
    assert "Debt ratio is 53.3%, in the band “40% to under 55%”: 85 points." in body
    assert 'data-chart="{&quot;type&quot;: &quot;bar&quot;' in body
    assert "<script>" not in body and "style=" not in body
    assert response.context["can_investigate"] is True
    assert [name for name, _label in response.context["actions"]] == [
        "pass_background_check", "return_for_information", "reject",
    ]


def test_screen_outsider_gets_404(client, in_background_check, other_sales):
    client.force_login(other_sales)
    assert client.get(reverse("screening:application_screen", args=[in_background_check.pk])).status_code == 404


def test_screen_sales_owner_gets_403(client, in_background_check, sales):
    client.force_login(sales)
    assert client.get(reverse("screening:application_screen", args=[in_background_check.pk])).status_code == 403


def test_screen_is_read_only_for_document_reviewer(client, in_background_check, reviewer):
    client.force_login(reviewer)
    response = client.get(reverse("screening:application_screen", args=[in_background_check.pk]))
    assert response.status_code == 200
    assert (response.context["can_investigate"], response.context["actions"]) == (False, [])
    assert "Record an interview" not in response.content.decode()


def test_screen_query_count_does_not_grow_with_records(client, in_background_check, investigator):
    services.evaluation_record_for_application(application=in_background_check)
    client.force_login(investigator)
    url = reverse("screening:application_screen", args=[in_background_check.pk])
    _visit(in_background_check, investigator, photos=[png()])
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _ in range(2):
        _visit(in_background_check, investigator, photos=[png(), png("back.png")])
        services.interview_record(application=in_background_check, actor=investigator, date=datetime.date(2026, 1, 5),
                                  participants="A", business_model="B", management="C", plans="", findings="D")
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(one)


# --- Recording investigation ---

def test_investigator_records_interview(client, in_background_check, investigator):
    client.force_login(investigator)
    response = client.post(reverse("screening:interview_add", args=[in_background_check.pk]), interview_data())
    assert response.status_code == 302
    interview = Interview.objects.get(application=in_background_check)
    assert (interview.recorded_by, interview.findings, interview.date) == (
        investigator, "Consistent", datetime.date(2026, 1, 5),
    )


def test_interview_with_future_date_is_refused(client, in_background_check, investigator):
    client.force_login(investigator)
    url = reverse("screening:interview_add", args=[in_background_check.pk])
    response = client.post(url, interview_data(**{"interview-date": "2999-01-01"}))
    assert response.status_code == 400
    assert response.context["interview_form"].errors == {"date": ["This date cannot be in the future."]}
    assert not Interview.objects.exists()


@pytest.mark.parametrize(
    ("who", "status"),
    [("other_sales", 404), ("sales", 403), ("reviewer", 403), ("risk_manager", 403)],
)
def test_interview_refused_to_outsider_and_wrong_roles(client, in_background_check, request, who, status):
    client.force_login(request.getfixturevalue(who))
    response = client.post(reverse("screening:interview_add", args=[in_background_check.pk]), interview_data())
    assert response.status_code == status
    assert not Interview.objects.exists()


def test_investigator_who_reviewed_the_documents_may_not_record(client, application):
    both = user_with(Role.DOCUMENT_REVIEWER, Role.INVESTIGATOR)
    in_check = advance(application, State.BACKGROUND_CHECK, reviewer=both)
    client.force_login(both)
    response = client.post(reverse("screening:interview_add", args=[in_check.pk]), interview_data())
    assert response.status_code == 403


def test_interview_refused_outside_background_check(client, application, investigator):
    in_review = advance(application, State.DOCUMENT_REVIEW)
    client.force_login(investigator)
    response = client.post(reverse("screening:interview_add", args=[in_review.pk]), interview_data())
    assert response.status_code == 403


def test_recording_is_post_only(client, in_background_check, investigator):
    client.force_login(investigator)
    for name in ("interview_add", "site_visit_add", "report_add", "evaluate_again", "background_transition"):
        assert client.get(reverse(f"screening:{name}", args=[in_background_check.pk])).status_code == 405


# --- Photos: upload rules and who sees them ---

def test_site_visit_with_photos_is_stored_under_server_names(client, in_background_check, investigator):
    client.force_login(investigator)
    data = visit_data(**{"visit-photos": [png("Front Door.png"), SimpleUploadedFile("yard.jpg", JPEG_BYTES)]})
    response = client.post(reverse("screening:site_visit_add", args=[in_background_check.pk]), data)
    assert response.status_code == 302
    visit = SiteVisit.objects.get(application=in_background_check)
    photos = list(visit.photos.order_by("pk"))
    assert [(p.original_name, p.content_type) for p in photos] == [
        ("Front Door.png", "image/png"), ("yard.jpg", "image/jpeg"),
    ]
    assert photos[0].file.name.startswith(f"investigation/{in_background_check.pk}/photos/")
    assert "Front" not in photos[0].file.name and photos[0].file.name.endswith(".png")


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("scan.pdf", PDF_BYTES), "scan.pdf is not a photo: only JPEG and PNG images are accepted."),
        (SimpleUploadedFile("fake.png", b"<html><script>alert(1)</script></html>"),
         "fake.png is not a PDF, JPEG, PNG, XLSX or DOCX file."),
        (SimpleUploadedFile("renamed.jpg", PNG_BYTES), "renamed.jpg is named as .jpg but its content is PNG."),
        (SimpleUploadedFile("empty.png", b""), "The submitted file is empty."),
    ],
)
def test_site_visit_photo_rules_refuse_the_record(client, in_background_check, investigator, upload, message):
    client.force_login(investigator)
    data = visit_data(**{"visit-photos": [upload]})
    response = client.post(reverse("screening:site_visit_add", args=[in_background_check.pk]), data)
    assert response.status_code == 400
    assert message in response.context["site_visit_form"].errors["photos"]
    assert not SiteVisit.objects.exists() and not SiteVisitPhoto.objects.exists()


def test_photos_added_later_one_by_one(client, in_background_check, investigator):
    visit = _visit(in_background_check, investigator)
    client.force_login(investigator)
    response = client.post(
        reverse("screening:site_visit_photos", args=[visit.pk]),
        {"photos": [png("ok.png"), SimpleUploadedFile("bad.pdf", PDF_BYTES)]}, follow=True,
    )
    assert [p.original_name for p in visit.photos.all()] == ["ok.png"]
    assert [str(m) for m in response.context["messages"]] == [
        "ok.png uploaded.", "bad.pdf is not a photo: only JPEG and PNG images are accepted.",
    ]


def test_photo_served_inline_with_nosniff_to_staff(client, in_background_check, investigator, reviewer):
    photo = _visit(in_background_check, investigator, photos=[png("front.png")]).photos.get()
    client.force_login(reviewer)
    response = client.get(reverse("screening:photo_view", args=[photo.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'inline; filename="front.png"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PNG_BYTES
    download = client.get(reverse("screening:photo_view", args=[photo.pk]) + "?download=1")
    assert download["Content-Disposition"] == 'attachment; filename="front.png"'


@pytest.mark.parametrize(("who", "status"), [("other_sales", 404), ("sales", 403)])
def test_photo_hidden_from_outsider_and_sales_owner(client, in_background_check, investigator, request, who, status):
    photo = _visit(in_background_check, investigator, photos=[png()]).photos.get()
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("screening:photo_view", args=[photo.pk])).status_code == status


def test_third_party_report_recorded_and_downloaded(client, in_background_check, investigator, other_sales):
    client.force_login(investigator)
    response = client.post(reverse("screening:report_add", args=[in_background_check.pk]), {
        "report-provider": "Dun & Bradstreet", "report-report_date": "2026-01-07", "report-conclusion": "No concerns",
        "report-file": pdf_upload("d&b report.pdf"),
    })
    assert response.status_code == 302
    report = ThirdPartyReport.objects.get(application=in_background_check)
    assert (report.provider, report.content_type, report.recorded_by) == (
        "Dun & Bradstreet", "application/pdf", investigator,
    )
    download = client.get(reverse("screening:report_download", args=[report.pk]))
    assert download["Content-Disposition"] == 'attachment; filename="d&b report.pdf"'
    assert download["X-Content-Type-Options"] == "nosniff"
    client.force_login(other_sales)
    assert client.get(reverse("screening:report_download", args=[report.pk])).status_code == 404


def test_third_party_report_with_executable_is_refused(client, in_background_check, investigator):
    client.force_login(investigator)
    response = client.post(reverse("screening:report_add", args=[in_background_check.pk]), {
        "report-provider": "X", "report-report_date": "2026-01-07", "report-conclusion": "Y",
        "report-file": SimpleUploadedFile("report.pdf", b"MZ\x90\x00" + b"\x00" * 100),
    })
    assert response.status_code == 400
    assert not ThirdPartyReport.objects.exists()


# --- Evaluate again, and the actions ---

def test_evaluate_again_records_a_new_evaluation(client, in_background_check, investigator):
    client.force_login(investigator)
    response = client.post(reverse("screening:evaluate_again", args=[in_background_check.pk]), follow=True)
    evaluation = Evaluation.objects.get(application=in_background_check)
    assert evaluation.created_by == investigator
    assert [str(m) for m in response.context["messages"]] == ["Evaluated again: 86.3 points, tier A."]


@pytest.mark.parametrize(("who", "status"), [("other_sales", 404), ("reviewer", 403)])
def test_evaluate_again_refused_to_outsider_and_wrong_role(client, in_background_check, request, who, status):
    client.force_login(request.getfixturevalue(who))
    assert client.post(reverse("screening:evaluate_again", args=[in_background_check.pk])).status_code == status
    assert not Evaluation.objects.exists()


def test_pass_to_committee_refusal_comes_back_as_messages(client, in_background_check, investigator):
    screen_application(application_id=in_background_check.pk)
    client.force_login(investigator)
    response = client.post(reverse("screening:background_transition", args=[in_background_check.pk]), {
        "transition": "pass_background_check", "expected_state": "background_check",
    }, follow=True)
    assert response.redirect_chain[-1][0] == reverse("screening:application_screen", args=[in_background_check.pk])
    assert [str(m) for m in response.context["messages"]] == [
        "The application has not been evaluated with the scorecard yet.",
        "An interview record is required (always).",
    ]
    assert Application.objects.get(pk=in_background_check.pk).state == State.BACKGROUND_CHECK


def test_pass_to_committee_succeeds_when_complete(client, in_background_check, investigator):
    screen_application(application_id=in_background_check.pk)
    services.evaluation_record_for_application(application=in_background_check)
    client.force_login(investigator)
    client.post(reverse("screening:interview_add", args=[in_background_check.pk]), interview_data())
    response = client.post(reverse("screening:background_transition", args=[in_background_check.pk]), {
        "transition": "pass_background_check", "expected_state": "background_check",
    })
    assert response.status_code == 302
    assert response["Location"] == reverse("onboarding:application_detail", args=[in_background_check.pk])
    assert Application.objects.get(pk=in_background_check.pk).state == State.COMMITTEE_REVIEW


def test_reject_needs_a_reason(client, in_background_check, investigator):
    client.force_login(investigator)
    url = reverse("screening:background_transition", args=[in_background_check.pk])
    response = client.post(url, {"transition": "reject", "expected_state": "background_check"}, follow=True)
    assert [str(m) for m in response.context["messages"]] == ["Please give a reason."]
    assert Application.objects.get(pk=in_background_check.pk).state == State.BACKGROUND_CHECK
    client.post(url, {"transition": "reject", "expected_state": "background_check", "reason": "Fake premises"})
    rejected = Application.objects.get(pk=in_background_check.pk)
    assert (rejected.state, rejected.state_changes.last().reason) == (State.REJECTED, "Fake premises")


def test_return_for_information_by_wrong_role_is_refused(client, in_background_check, reviewer):
    client.force_login(reviewer)
    response = client.post(reverse("screening:background_transition", args=[in_background_check.pk]), {
        "transition": "return_for_information", "expected_state": "background_check", "reason": "x",
    }, follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "You are not allowed to take this action on this application.",
    ]


def test_stale_expected_state_is_refused(client, in_background_check, investigator):
    client.force_login(investigator)
    response = client.post(reverse("screening:background_transition", args=[in_background_check.pk]), {
        "transition": "reject", "expected_state": "document_review", "reason": "x",
    }, follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "Someone else has just acted on this application: it is now “Background check”. Nothing was changed.",
    ]


# --- The panel on the onboarding application page ---

def test_application_page_shows_read_only_breakdown_to_sales_owner(client, in_background_check, sales):
    services.evaluation_record_for_application(application=in_background_check)
    client.force_login(sales)
    response = client.get(reverse("onboarding:application_detail", args=[in_background_check.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="score-breakdown"' in body and 'id="score-total">86.3<' in body
    assert reverse("screening:application_screen", args=[in_background_check.pk]) not in body


def test_application_page_links_staff_to_the_screen(client, in_background_check, investigator):
    client.force_login(investigator)
    body = client.get(reverse("onboarding:application_detail", args=[in_background_check.pk])).content.decode()
    assert reverse("screening:application_screen", args=[in_background_check.pk]) in body
    assert 'id="no-evaluation"' in body


def test_application_page_of_a_draft_has_no_scorecard_panel(client, application, sales):
    client.force_login(sales)
    body = client.get(reverse("onboarding:application_detail", args=[application.pk])).content.decode()
    assert 'id="screening"' not in body
