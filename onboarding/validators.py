"""Validation of the unified social credit code and of uploaded files."""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

# GB 32100-2015: 31 characters (no I, O, Z, S, V) and weights 3**i mod 31.
CREDIT_CODE_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_check_char(first17: str) -> str:
    total = sum(CREDIT_CODE_CHARSET.index(ch) * w for ch, w in zip(first17, CREDIT_CODE_WEIGHTS, strict=True))
    return CREDIT_CODE_CHARSET[(31 - total % 31) % 31]


def normalise_credit_code(value: str) -> str:
    return (value or "").strip().upper().replace(" ", "")


def validate_credit_code(value: str) -> None:
    code = normalise_credit_code(value)
    if len(code) != 18:
        raise ValidationError(
            _("A unified social credit code has 18 characters; this one has %(count)d."),
            code="length", params={"count": len(code)},
        )
    bad = sorted({ch for ch in code if ch not in CREDIT_CODE_CHARSET})
    if bad:
        raise ValidationError(
            _("These characters cannot appear in a unified social credit code: %(chars)s."),
            code="charset", params={"chars": " ".join(bad)},
        )
    if credit_code_check_char(code[:17]) != code[17]:
        raise ValidationError(
            _("The check digit does not match: please check the code for a typing error."), code="check_digit"
        )


@dataclass(frozen=True)
class AcceptedType:
    extension: str
    mime: str
    label: str


ACCEPTED_TYPES = {
    "pdf": AcceptedType("pdf", "application/pdf", "PDF"),
    "jpg": AcceptedType("jpg", "image/jpeg", "JPEG"),
    "png": AcceptedType("png", "image/png", "PNG"),
    "xlsx": AcceptedType("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "XLSX"),
    "docx": AcceptedType("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "DOCX"),
}
EXTENSION_ALIASES = {"jpeg": "jpg"}
ACCEPT_ATTRIBUTE = ".pdf,.jpg,.jpeg,.png,.xlsx,.docx"


def _sniff(upload: UploadedFile) -> str | None:
    """The file's real type from its content, as a key of ACCEPTED_TYPES, or None."""
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is None:
        return None
    if kind.extension in ("pdf", "jpg", "png"):
        return kind.extension
    if kind.extension in ("zip", "xlsx", "docx"):
        # OOXML files are zip archives: look inside for the part that makes each one.
        try:
            with zipfile.ZipFile(upload) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            return None
        finally:
            upload.seek(0)
        if "[Content_Types].xml" not in names:
            return None
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
    return None


@dataclass(frozen=True)
class CheckedUpload:
    original_name: str
    content_type: str
    size: int
    sha256: str


def check_upload(upload: UploadedFile) -> CheckedUpload:
    """Refuse anything that is not a non-empty PDF, JPEG, PNG, XLSX or DOCX within the size limit.

    The type is decided by the content; the extension must agree with it.
    """
    name = upload.name or ""
    if not name or "/" in name or "\\" in name or ".." in name or "\x00" in name:
        raise ValidationError(_("The file name %(name)s is not allowed."), code="name", params={"name": name})
    if upload.size == 0:
        raise ValidationError(_("%(name)s is empty."), code="empty", params={"name": name})
    limit = settings.MAX_UPLOAD_MB * 1024 * 1024
    if upload.size > limit:
        raise ValidationError(
            _("%(name)s is %(size).1f MB; the limit is %(limit)d MB."),
            code="size", params={"name": name, "size": upload.size / 1024 / 1024, "limit": settings.MAX_UPLOAD_MB},
        )
    sniffed = _sniff(upload)
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    extension = EXTENSION_ALIASES.get(extension, extension)
    if sniffed is None:
        raise ValidationError(
            _("%(name)s is not a PDF, JPEG, PNG, XLSX or DOCX file."), code="type", params={"name": name}
        )
    if extension != sniffed:
        raise ValidationError(
            _("%(name)s is named as .%(ext)s but its content is %(real)s."),
            code="mismatch", params={"name": name, "ext": extension or "?", "real": ACCEPTED_TYPES[sniffed].label},
        )
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedUpload(
        original_name=name[:200], content_type=ACCEPTED_TYPES[sniffed].mime, size=upload.size, sha256=digest.hexdigest()
    )
