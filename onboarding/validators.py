"""Validation of the unified social credit code and of uploaded files."""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import zipfile
import zlib
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


# What people paste between groups of a code: spaces of every width, hyphens and dashes.
_CODE_SEPARATORS_RE = re.compile(r"[\s\-‐‑‒–—―−_·.]+")


def normalise_credit_code(value: str) -> str:
    """The code as people type or paste it: full width folded to half width (NFKC), upper
    case, and spaces, hyphens and dashes between groups removed ("9135-0211 ＭＡ…")."""
    folded = unicodedata.normalize("NFKC", value or "").upper()
    return _CODE_SEPARATORS_RE.sub("", folded)


def validate_credit_code(value: str) -> None:
    """GB 32100-2015, rule by rule; the error's ``code`` names the rule that failed
    (``length``, ``charset``, ``region``, ``check_digit``)."""
    code = normalise_credit_code(value)
    _validate_length(code)
    bad = sorted({ch for ch in code if ch not in CREDIT_CODE_CHARSET})
    if bad:
        raise ValidationError(
            _("These characters cannot appear in a unified social credit code: %(chars)s."),
            code="charset", params={"chars": " ".join(bad)},
        )
    region = code[2:8]
    if not (region.isascii() and region.isdigit()):
        raise ValidationError(
            _("Characters 3 to 8 of a unified social credit code are the region code and must be digits; "
              "here they are %(region)s."),
            code="region", params={"region": region},
        )
    if credit_code_check_char(code[:17]) != code[17]:
        raise ValidationError(
            _("The check digit does not match: please check the code for a typing error."), code="check_digit"
        )


def _validate_length(code: str) -> None:
    if len(code) != 18:
        raise ValidationError(
            _("A unified social credit code has 18 characters; this one has %(count)d."),
            code="length", params={"count": len(code)},
        )


def validate_nonstandard_credit_code(value: str) -> None:
    """A legally valid code that does not follow GB 32100 (early pilot codes such as
    91350211M0000XUF46): 18 letters or digits; the document reviewer accepts it by hand."""
    code = normalise_credit_code(value)
    _validate_length(code)
    bad = sorted({ch for ch in code if not (ch.isascii() and ch.isalnum())})
    if bad:
        raise ValidationError(
            _("A credit code has only letters and digits; these characters cannot appear: %(chars)s."),
            code="charset", params={"chars": " ".join(bad)},
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


ZIP_MAGIC = b"PK\x03\x04"
# Below this an entry cannot do harm, however well it compresses (XML often does 20:1 or more).
RATIO_FLOOR = 1024 * 1024


def check_archive(upload, *, name: str | None = None) -> None:
    """Refuse a zip archive (DOCX, XLSX…) that would inflate beyond the limits; other files pass.

    Reads only the archive's central directory — each entry's declared size and compressed
    size — never the content, so a 2 MB file that inflates to 2 GB costs nothing to refuse.
    Limits (settings, from the environment): ``UPLOAD_MAX_UNCOMPRESSED_MB`` in all,
    ``UPLOAD_MAX_ZIP_ENTRIES`` entries, ``UPLOAD_MAX_ZIP_RATIO`` : 1 for an entry over 1 MB.
    Also refuses an archive that cannot be read, an encrypted entry, and an archive inside
    the archive except an OOXML embedded object (``…/embeddings/``), which is checked the
    same way, counted in the same limits. Raises ``ValidationError``.
    """
    name = name or getattr(upload, "name", "") or ""
    upload.seek(0)
    head = upload.read(4)
    upload.seek(0)
    if head != ZIP_MAGIC:
        return
    try:
        with zipfile.ZipFile(upload) as archive:
            _check_entries(archive, name, _Allowance(), depth=0)
    except ValidationError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, RuntimeError, ValueError, zlib.error):
        raise ValidationError(
            _("%(name)s is damaged: it cannot be read as a DOCX or XLSX file."), code="archive_damaged",
            params={"name": name},
        ) from None
    finally:
        upload.seek(0)


class _Allowance:
    """What the whole upload, nested archives included, may still hold."""

    def __init__(self) -> None:
        self.bytes = settings.UPLOAD_MAX_UNCOMPRESSED_MB * 1024 * 1024
        self.entries = settings.UPLOAD_MAX_ZIP_ENTRIES


def _check_entries(archive: zipfile.ZipFile, name: str, allowance: _Allowance, depth: int) -> None:
    entries = archive.infolist()
    allowance.entries -= len(entries)
    if allowance.entries < 0:
        raise ValidationError(
            _("%(name)s holds more than %(limit)d files inside; that is not a normal DOCX or XLSX."),
            code="archive_entries", params={"name": name, "limit": settings.UPLOAD_MAX_ZIP_ENTRIES},
        )
    allowance.bytes -= sum(entry.file_size for entry in entries)
    if allowance.bytes < 0:
        raise ValidationError(
            _("%(name)s would unpack to more than %(limit)d MB; it is refused as a possible archive bomb."),
            code="archive_size", params={"name": name, "limit": settings.UPLOAD_MAX_UNCOMPRESSED_MB},
        )
    ratio = settings.UPLOAD_MAX_ZIP_RATIO
    for entry in entries:
        if entry.file_size > RATIO_FLOOR and entry.file_size > ratio * max(entry.compress_size, 1):
            raise ValidationError(
                _("%(name)s is compressed more than %(ratio)d to 1; it is refused as a possible archive bomb."),
                code="archive_ratio", params={"name": name, "ratio": ratio},
            )
        if entry.flag_bits & 0x1:
            raise ValidationError(
                _("%(name)s holds encrypted content, which cannot be checked."), code="archive_encrypted",
                params={"name": name},
            )
    for entry in entries:
        if entry.is_dir() or entry.file_size < len(ZIP_MAGIC):
            continue
        with archive.open(entry) as member:
            if member.read(len(ZIP_MAGIC)) != ZIP_MAGIC:  # inflates a few bytes only
                continue
        if depth > 0 or "/embeddings/" not in f"/{entry.filename}":
            raise ValidationError(
                _("%(name)s holds another archive inside (%(entry)s), which is not accepted."),
                code="archive_nested", params={"name": name, "entry": entry.filename[:100]},
            )
        # An embedded workbook or document: its directory is at its end, so it is read
        # (its size passed the limit above) and checked like the upload.
        with archive.open(entry) as member, zipfile.ZipFile(io.BytesIO(member.read())) as nested:
            _check_entries(nested, name, allowance, depth + 1)


@dataclass(frozen=True)
class CheckedUpload:
    original_name: str
    content_type: str
    size: int
    sha256: str


def check_upload(upload: UploadedFile) -> CheckedUpload:
    """Refuse anything that is not a non-empty PDF, JPEG, PNG, XLSX or DOCX within the size limit.

    The type is decided by the content; the extension must agree with it. A zip-based file
    must also pass ``check_archive`` (no archive bomb).
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
    check_archive(upload, name=name)
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
