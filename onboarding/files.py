"""Serving stored uploads: the one place their response headers are set."""

from __future__ import annotations

from django.http import FileResponse, Http404


def protected_file_response(stored, *, inline: bool) -> FileResponse:
    """Stream an upload (anything with ``file``, ``original_name``, ``content_type``).

    Callers check permission first. The file is shown or saved, never run: no sniffing, no
    caching by shared caches, and a sandboxing policy in case a browser renders it.
    """
    try:
        handle = stored.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=not inline, filename=stored.original_name, content_type=stored.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; object-src 'none'; sandbox"
    return response
