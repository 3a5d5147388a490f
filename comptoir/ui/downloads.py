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
