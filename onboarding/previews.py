"""PDF previews as page images rendered on the server (see docs/decisions.md, "Document previews").

A browser's own PDF viewer is not used: Chromium's viewer does not run in a sandboxed frame or
under a ``sandbox`` policy (the page stays blank), and without the sandbox an uploaded file would
be a document of the site's origin. A PNG rendered by PDFium (the library of Chromium's own viewer;
it runs no PDF JavaScript when rendering) is shown by every browser and runs nothing.
"""

from __future__ import annotations

import io

import pypdfium2 as pdfium

MAX_PAGES = 10  # the preview shows the first pages; the download has them all
WIDTH = 1000  # pixels of a page image, enough to read a licence or a statement
MAX_PIXELS = 4_000_000  # a page of absurd proportions is scaled down, not rendered huge


class NoPreview(Exception):
    """The file cannot be rendered (malformed, encrypted, no such page)."""


def _open(document) -> pdfium.PdfDocument:
    try:
        with document.file.open("rb") as handle:
            data = handle.read()
        return pdfium.PdfDocument(data)
    except (pdfium.PdfiumError, OSError, ValueError) as error:
        raise NoPreview(str(error)) from None


def page_count(document) -> int:
    """How many pages the preview shows (0 when the file cannot be rendered)."""
    try:
        pdf = _open(document)
    except NoPreview:
        return 0
    try:
        return min(len(pdf), MAX_PAGES)
    finally:
        pdf.close()


def page_png(document, number: int) -> bytes:
    """Page ``number`` (1-based, within MAX_PAGES) as a PNG; ``NoPreview`` if there is none."""
    pdf = _open(document)
    try:
        if not 1 <= number <= min(len(pdf), MAX_PAGES):
            raise NoPreview(f"no page {number}")
        page = pdf[number - 1]
        width, height = page.get_size()
        if width <= 0 or height <= 0:
            raise NoPreview("empty page")
        scale = WIDTH / width
        if width * height * scale * scale > MAX_PIXELS:
            scale = (MAX_PIXELS / (width * height)) ** 0.5
        try:
            image = page.render(scale=scale, may_draw_forms=False).to_pil()
        except pdfium.PdfiumError as error:
            raise NoPreview(str(error)) from None
        out = io.BytesIO()
        image.save(out, format="PNG", optimize=False)
        return out.getvalue()
    finally:
        pdf.close()
