"""A download sent as it is produced, for the web UI and the API alike (both edges; the
core makes the bytes): chunks from a generator, or a temporary file streamed and closed.

Always an attachment, named for every browser (`filename*=utf-8''…`, RFC 5987, for a name
with accents, and an ASCII fallback), never cached, never sniffed."""

from collections.abc import Iterator
from typing import IO

from django.http import FileResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header


def attachment_response(
    body: Iterator[bytes] | IO[bytes], *, filename: str, content_type: str
) -> StreamingHttpResponse:
    """A FileResponse for a file (closed, so deleted if temporary, once sent; it has a
    Content-Length); a StreamingHttpResponse for chunks (none: no row cap, no buffer)."""
    response: StreamingHttpResponse
    if hasattr(body, "read"):  # a file (which is also an iterator, of its lines)
        response = FileResponse(body, as_attachment=True, filename=filename)
        response["Content-Type"] = content_type
    else:
        response = StreamingHttpResponse(body, content_type=content_type)
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=filename
        )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
