import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from onboarding import services
from onboarding.models import Document
from tests.factories import PDF_BYTES, PNG_BYTES, document_type, pdf_upload


def _zip(parts: list[str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for part in parts:
            archive.writestr(part, "<x/>")
    return buffer.getvalue()


def _upload(application, upload):
    return services.document_upload(application=application, document_type=document_type("business_licence"),
                                    upload=upload, actor=application.created_by)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("licence.pdf", PDF_BYTES, "application/pdf"),
        ("scan.PNG", PNG_BYTES, "image/png"),
        ("photo.jpeg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64, "image/jpeg"),
        ("report.docx", _zip(["[Content_Types].xml", "word/document.xml"]),
         "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("figures.xlsx", _zip(["[Content_Types].xml", "xl/workbook.xml"]),
         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ],
)
def test_accepted_types_are_stored_under_a_generated_name(application, name, content, content_type):
    document = _upload(application, SimpleUploadedFile(name, content))
    assert document.content_type == content_type
    assert document.original_name == name
    assert document.size == len(content)
    stored = document.file.name
    assert stored.startswith(f"documents/{application.pk}/") and name.split(".")[0] not in stored


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("evil.pdf", b"<html><script>alert(1)</script></html>", "evil.pdf is not a PDF, JPEG, PNG, XLSX or DOCX file."),
        ("run.pdf", b"#!/bin/sh\nrm -rf /\n", "run.pdf is not a PDF, JPEG, PNG, XLSX or DOCX file."),
        ("empty.pdf", b"", "empty.pdf is empty."),
        ("licence.png", PDF_BYTES, "licence.png is named as .png but its content is PDF."),
        ("fake.docx", _zip(["readme.txt"]), "fake.docx is not a PDF, JPEG, PNG, XLSX or DOCX file."),
    ],
)
def test_bad_uploads_are_refused_and_nothing_is_stored(application, settings, name, content, message):
    with pytest.raises(ValidationError) as error:
        _upload(application, SimpleUploadedFile(name, content))
    assert error.value.messages == [message]
    assert Document.objects.count() == 0
    assert not (settings.MEDIA_ROOT / "documents").exists() or not any((settings.MEDIA_ROOT / "documents").rglob("*.*"))


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["../../etc/passwd.pdf", "..\\x.pdf", "a/b.pdf", "..pdf"])
def test_names_with_paths_are_refused_by_the_service(application, name):
    upload = SimpleUploadedFile("x.pdf", PDF_BYTES)
    upload._name = name  # the setter would strip the path; a caller other than Django's parser might not
    with pytest.raises(ValidationError) as error:
        _upload(application, upload)
    assert error.value.messages == [f"The file name {name} is not allowed."]
    assert Document.objects.count() == 0


@pytest.mark.django_db
def test_path_in_multipart_filename_never_reaches_the_disk(client, application, settings):
    """Django's multipart parser drops directories from the client's name; the stored name is ours anyway."""
    client.force_login(application.created_by)
    client.post(reverse("onboarding:document_upload", args=[application.pk]),
                {"document_type": document_type("business_licence").pk,
                 "files": SimpleUploadedFile("../../../tmp/owned.pdf", PDF_BYTES)})
    document = Document.objects.get()
    assert document.original_name == "owned.pdf"
    assert (settings.MEDIA_ROOT / document.file.name).resolve().is_relative_to(settings.MEDIA_ROOT / "documents")


@pytest.mark.django_db
def test_oversize_upload_is_refused(application, settings):
    settings.MAX_UPLOAD_MB = 1
    big = PDF_BYTES + b"0" * (1024 * 1024)
    with pytest.raises(ValidationError) as error:
        _upload(application, SimpleUploadedFile("big.pdf", big))
    assert error.value.messages == ["big.pdf is 1.0 MB; the limit is 1 MB."]
    assert Document.objects.count() == 0


@pytest.mark.django_db
def test_upload_view_reports_each_refused_file_and_keeps_the_good_one(client, application):
    client.force_login(application.created_by)
    response = client.post(
        reverse("onboarding:document_upload", args=[application.pk]),
        {"document_type": document_type("business_licence").pk,
         "files": [pdf_upload("good.pdf"), SimpleUploadedFile("bad.pdf", b"<html></html>")]},
        follow=True,
    )
    texts = [str(m) for m in response.context["messages"]]
    assert texts == ["good.pdf uploaded.", "bad.pdf is not a PDF, JPEG, PNG, XLSX or DOCX file."]
    assert list(Document.objects.values_list("original_name", flat=True)) == ["good.pdf"]


@pytest.mark.django_db
def test_download_is_an_attachment_with_nosniff(client, application):
    document = _upload(application, pdf_upload("营业执照.pdf"))
    client.force_login(application.created_by)
    response = client.get(reverse("onboarding:document_download", args=[document.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF_BYTES


@pytest.mark.django_db
def test_download_by_outsider_is_refused(client, application, other_sales):
    document = _upload(application, pdf_upload())
    client.force_login(other_sales)
    assert client.get(reverse("onboarding:document_download", args=[document.pk])).status_code == 404
    assert client.get(reverse("onboarding:document_preview", args=[document.pk])).status_code == 404
    client.logout()
    response = client.get(reverse("onboarding:document_download", args=[document.pk]))
    assert response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.django_db
def test_rejected_document_is_replaced_and_earlier_version_stays(client, application, reviewer):
    from onboarding.enums import State
    from tests.factories import advance

    advance(application, State.DOCUMENT_REVIEW)
    licence = application.documents.get(document_type__code="business_licence")
    services.document_review(document_id=licence.pk, actor=reviewer, accept=False, reason="模糊不清")
    services.application_transition(application_id=application.pk, transition="return_for_information",
                                    actor=reviewer, reason="请重新上传营业执照")
    client.force_login(application.created_by)
    response = client.post(reverse("onboarding:document_replace", args=[licence.pk]),
                           {"file": pdf_upload("licence-v2.pdf")}, follow=True)
    assert [str(m) for m in response.context["messages"]] == ["New version uploaded."]
    versions = list(application.documents.filter(document_type__code="business_licence")
                    .order_by("version").values_list("original_name", "version", "is_current", "status"))
    assert versions == [("business_licence.pdf", 1, False, "rejected"), ("licence-v2.pdf", 2, True, "pending")]
    assert "business_licence.pdf" in response.content.decode()
