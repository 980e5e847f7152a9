"""Archive bombs are refused wherever a file is uploaded: a zip-based file (DOCX, XLSX) is
judged by its central directory — sizes, entry count, compression ratio — never inflated."""

import io
import zipfile
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from onboarding.enums import State
from onboarding.models import Document
from onboarding.validators import check_archive, check_upload
from screening.models import ThirdPartyReport
from tests.factories import advance, document_type

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BOMB_MESSAGE = "report.docx would unpack to more than 100 MB; it is refused as a possible archive bomb."


def _docx(extra: dict[str, bytes] | None = None, kind: str = "word/document.xml") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr(kind, "<document>" + "text " * 200 + "</document>")
        for name, content in (extra or {}).items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _zeros_member(archive: zipfile.ZipFile, name: str, megabytes: int) -> None:
    # Streamed in 1 MB chunks: the test never holds the inflated content in memory.
    chunk = bytes(1024 * 1024)
    with archive.open(name, "w", force_zip64=True) as member:
        for _ in range(megabytes):
            member.write(chunk)


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """A DOCX-shaped file of ~200 KB that inflates to 200 MB of zeros."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("word/document.xml", "<document/>")
        _zeros_member(archive, "word/media/image1.png", 200)
    return buffer.getvalue()


@pytest.fixture
def in_background_check(application, reviewer):
    return advance(application, State.BACKGROUND_CHECK, reviewer=reviewer)


def _media_files() -> list[Path]:
    return [p for p in Path(django_settings.MEDIA_ROOT).rglob("*") if p.is_file()]


def _refusal(content: bytes, name: str = "report.docx") -> str:
    with pytest.raises(ValidationError) as raised:
        check_upload(SimpleUploadedFile(name, content))
    return raised.value.messages[0]


# --- Through the pages -------------------------------------------------------------------------

@pytest.mark.django_db
def test_bomb_uploaded_as_a_document_is_refused_and_nothing_stored(client, application, bomb):
    assert len(bomb) < 1024 * 1024
    client.force_login(application.created_by)
    response = client.post(
        reverse("onboarding:document_upload", args=[application.pk]),
        {"document_type": document_type("business_licence").pk, "files": SimpleUploadedFile("report.docx", bomb)},
        follow=True,
    )
    assert [str(m) for m in response.context["messages"]] == [BOMB_MESSAGE]
    assert (Document.objects.count(), _media_files()) == (0, [])


@pytest.mark.django_db
def test_bomb_uploaded_as_a_third_party_report_is_refused_and_nothing_stored(client, in_background_check,
                                                                            investigator, bomb):
    documents = _media_files()  # those of the application, uploaded before background check
    client.force_login(investigator)
    response = client.post(reverse("screening:report_add", args=[in_background_check.pk]), {
        "report-provider": "Dun & Bradstreet", "report-report_date": "2026-01-07", "report-conclusion": "Fine",
        "report-file": SimpleUploadedFile("report.docx", bomb),
    })
    assert response.status_code == 400
    assert BOMB_MESSAGE in response.content.decode()
    assert (ThirdPartyReport.objects.count(), _media_files()) == (0, documents)


@pytest.mark.django_db
def test_bomb_uploaded_as_a_watchlist_is_refused(client, risk_manager, bomb):
    from watchlists.models import ImportJob

    client.force_login(risk_manager)
    response = client.post(reverse("watchlists:import"), {
        "source": "OFAC", "file_format": "csv", "file": SimpleUploadedFile("list.csv", bomb),
    })
    assert response.status_code == 400
    assert "list.csv would unpack to more than 100 MB" in response.content.decode()
    assert (ImportJob.objects.count(), _media_files()) == (0, [])


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "content", "content_type"), [
    ("minutes.docx", _docx(), DOCX),
    ("figures.xlsx", _docx(kind="xl/workbook.xml"), XLSX),
    ("chart.docx", _docx({"word/embeddings/Microsoft_Excel_Worksheet.xlsx": _docx(kind="xl/workbook.xml")}), DOCX),
])
def test_normal_docx_and_xlsx_are_still_accepted(client, application, name, content, content_type):
    client.force_login(application.created_by)
    client.post(reverse("onboarding:document_upload", args=[application.pk]),
                {"document_type": document_type("business_licence").pk, "files": SimpleUploadedFile(name, content)})
    document = Document.objects.get()
    assert (document.original_name, document.content_type, document.size) == (name, content_type, len(content))
    assert len(_media_files()) == 1


# --- The check itself --------------------------------------------------------------------------

def test_bomb_is_refused_from_the_directory_alone(bomb):
    assert _refusal(bomb) == BOMB_MESSAGE


def test_uncompressed_limit_is_a_setting(settings):
    settings.UPLOAD_MAX_UNCOMPRESSED_MB = 1
    big = _docx({"word/media/big.bin": bytes(range(256)) * 8 * 1024})  # 2 MB, barely compressible
    assert _refusal(big) == "report.docx would unpack to more than 1 MB; it is refused as a possible archive bomb."


def test_too_many_entries_are_refused(settings):
    settings.UPLOAD_MAX_ZIP_ENTRIES = 10
    many = _docx({f"word/media/{i}.xml": b"<x/>" for i in range(9)})
    assert _refusal(many) == "report.docx holds more than 10 files inside; that is not a normal DOCX or XLSX."


def test_an_entry_compressed_beyond_the_ratio_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
        _zeros_member(archive, "word/media/padding.bin", 5)  # 5 MB, well under the size limit
    assert _refusal(buffer.getvalue()) == (
        "report.docx is compressed more than 100 to 1; it is refused as a possible archive bomb."
    )


def test_damaged_archive_is_refused_with_a_clear_message():
    damaged = _docx()[:-60]  # the central directory cut off
    assert _refusal(damaged) == "report.docx is damaged: it cannot be read as a DOCX or XLSX file."
    assert _refusal(b"PK\x03\x04" + b"\x00" * 200) == "report.docx is damaged: it cannot be read as a DOCX or XLSX file."


def test_nested_archive_outside_embeddings_is_refused():
    inner = _docx()
    assert _refusal(_docx({"word/media/inner.bin": inner})) == (
        "report.docx holds another archive inside (word/media/inner.bin), which is not accepted."
    )


def test_embedded_workbook_is_checked_like_the_upload(settings):
    settings.UPLOAD_MAX_ZIP_ENTRIES = 6
    inner = _docx({f"xl/worksheets/sheet{i}.xml": b"<x/>" for i in range(4)}, kind="xl/workbook.xml")
    outer = _docx({"word/embeddings/Book1.xlsx": inner})
    assert _refusal(outer) == "report.docx holds more than 6 files inside; that is not a normal DOCX or XLSX."


def test_files_that_are_not_archives_pass_the_archive_check():
    upload = SimpleUploadedFile("list.csv", b"id,name\n")
    check_archive(upload)
    assert upload.read() == b"id,name\n"  # left at the start for whoever reads it next


def test_bomb_refusal_in_chinese(bomb):
    from django.utils import translation

    with translation.override("zh-hans"):
        assert _refusal(bomb) == "report.docx 解压后将超过 100 MB，疑似压缩炸弹，已拒绝。"


@pytest.mark.parametrize(("variable", "value", "message"), [
    ("UPLOAD_MAX_UNCOMPRESSED_MB", "lots", "UPLOAD_MAX_UNCOMPRESSED_MB='lots' is not an integer."),
    ("UPLOAD_MAX_ZIP_ENTRIES", "0", "UPLOAD_MAX_ZIP_ENTRIES=0 must be at least 1."),
])
def test_archive_limits_are_parsed_strictly_at_start(tmp_path, variable, value, message):
    from tests.test_settings import manage

    result = manage("check", env={"DEBUG": "1", variable: value}, var_dir=tmp_path)
    assert result.returncode != 0
    assert message in result.stderr
