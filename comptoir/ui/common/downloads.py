"""File downloads that a browser never renders in the page (attachments, raw mail)."""

import re
import unicodedata

from django.http import HttpResponse
from django.utils.http import content_disposition_header

# type/subtype as RFC 6838 allows; anything else (or a parameter) becomes a generic type.
CONTENT_TYPE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*$")
GENERIC_TYPE = "application/octet-stream"


def safe_content_type(content_type: str) -> str:
    value = content_type.split(";", 1)[0].strip().lower()
    return value if CONTENT_TYPE.match(value) else GENERIC_TYPE


def safe_filename(filename: str, fallback: str) -> str:
    """The name without control characters or path separators, never empty."""
    kept = "".join(
        " " if unicodedata.category(char).startswith("C") or char in "/\\" else char
        for char in filename
    )
    kept = " ".join(kept.split()).strip(". ")
    return kept[:200] or fallback


def download_response(content: bytes, *, filename: str, content_type: str) -> HttpResponse:
    """Always `attachment`: an HTML or SVG file from a customer must not run on our origin."""
    response = HttpResponse(bytes(content), content_type=safe_content_type(content_type))
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=filename
    )
    response["X-Content-Type-Options"] = "nosniff"
    # Should a browser still render it, it runs in an opaque origin with no script.
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    return response


PREVIEW_IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}


def is_previewable_image(content_type: str) -> bool:
    """Raster images, which an <img> shows without running anything (never SVG)."""
    return safe_content_type(content_type) in PREVIEW_IMAGE_TYPES


def is_pdf(content_type: str) -> bool:
    return safe_content_type(content_type) == "application/pdf"


def pdf_preview_response(content: bytes, *, filename: str) -> HttpResponse:
    """A PDF shown inline in a frame of our own pages (the campaign's "preview" display).
    Served as application/pdf with nosniff, the browser hands it to its PDF viewer and never
    parses it as HTML; no `sandbox` here, as Chromium refuses to show a PDF in a sandbox."""
    response = HttpResponse(bytes(content), content_type="application/pdf")
    disposition = content_disposition_header(as_attachment=False, filename=filename)
    response["Content-Disposition"] = disposition or "inline"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "frame-ancestors 'self'"
    response["X-Frame-Options"] = "SAMEORIGIN"
    response["Cache-Control"] = "private, no-store"
    return response
