"""Bytes -> ParsedEmail: a plain dataclass, correct on real-world mail, bounded on hostile mail.

The dataclasses (the contract ingest relies on) live in parse_types.py and are re-exported here.
The stdlib parser runs with policy=compat32, several times faster than policy.default; headers are
decoded by parse_headers.py instead, more tolerantly than the stdlib does.
"""

import re
from email.feedparser import BytesFeedParser
from email.message import Message
from email.policy import compat32

from comptoir.lib.html import html_to_text
from comptoir.mail.parse_attach import mark_inline
from comptoir.mail.parse_headers import (
    bounded_message_ids,
    decode_text,
    parse_addresses,
    parse_date,
    parse_message_id,
    unfold,
)
from comptoir.mail.parse_parts import Body, Walk, walk_part
from comptoir.mail.parse_repair import repair_header_block
from comptoir.mail.parse_types import (
    Address,
    DeliveryReport,
    ParsedAttachment,
    ParsedEmail,
    ParseLimitError,
    depth_reason,
    parts_reason,
)
from comptoir.mail.reasons import kept_out

__all__ = [
    "Address",
    "DeliveryReport",
    "ParseLimitError",
    "ParsedAttachment",
    "ParsedEmail",
    "parse_email",
]

BOUNDARY_PARAM = re.compile(rb"""boundary\s*=\s*"?([^"\s;]{1,200})""", re.IGNORECASE)


def parse_email(
    raw: bytes,
    *,
    max_size: int | None = None,
    max_parts: int | None = None,
    max_depth: int | None = None,
) -> ParsedEmail:
    """Parse raw RFC 5322 bytes. Raises ParseLimitError when a limit is exceeded.

    Limits default to the COMPTOIR_MAX_* settings. Any other oddity is recorded in `defects`.
    """
    max_size = limit(max_size, "COMPTOIR_MAX_MESSAGE_SIZE")
    max_parts = limit(max_parts, "COMPTOIR_MAX_MIME_PARTS")
    max_depth = limit(max_depth, "COMPTOIR_MAX_MIME_DEPTH")
    if len(raw) > max_size:
        raise ParseLimitError(kept_out("too-large", size=len(raw), limit=max_size))
    precheck_parts(raw, max_parts)
    try:
        return parse_within(raw, max_parts=max_parts, max_depth=max_depth)
    except RecursionError:
        # Whatever recursed (the stdlib parser, its generator, a recovery path), it was the
        # nesting: the same clear reason as the depth check, never an "internal error".
        raise ParseLimitError(depth_reason(max_depth)) from None


def parse_within(raw: bytes, *, max_parts: int, max_depth: int) -> ParsedEmail:
    defects: list[str] = []
    raw = repair_header_block(raw, defects)
    message = parse_in_chunks(raw)
    check_tree(message, max_parts, max_depth)
    parsed = ParsedEmail(defects=defects)
    fill_headers(parsed, message)
    fill_body(parsed, message, raw, Walk(defects, max_parts=max_parts, max_depth=max_depth))
    return parsed


# Bytes decoded and fed to the parser at a time.
FEED_CHUNK = 64 * 1024


def parse_in_chunks(raw: bytes) -> Message:
    """BytesParser().parsebytes(raw), without its two full copies of the message.

    parsebytes decodes the whole message to one str, then wraps it in a StringIO (4 bytes per
    character): about 5 times the message's size at once. Fed in chunks, the parser sees the
    same text (ASCII with surrogateescape decodes byte by byte) and holds only its lines.
    """
    parser = BytesFeedParser(policy=compat32)
    view = memoryview(raw)
    for start in range(0, len(raw), FEED_CHUNK):
        parser.feed(bytes(view[start : start + FEED_CHUNK]))
    return parser.close()


def limit(explicit: int | None, name: str) -> int:
    if explicit is not None:
        return explicit
    # Read at call time, not import time, so tests and operators can change the settings.
    from django.conf import settings

    return int(getattr(settings, name))


def precheck_parts(raw: bytes, max_parts: int) -> None:
    """Refuse a part bomb before the stdlib builds an object per part (memory).

    Cheap first: only when there are more delimiter-like lines than allowed parts do we count
    the delimiters of the boundaries the message declares.
    """
    if raw.count(b"\n--") <= max_parts:
        return
    boundaries = set(BOUNDARY_PARAM.findall(raw))
    if len(boundaries) > max_parts:
        raise ParseLimitError(parts_reason(max_parts))
    delimiters = sum(raw.count(b"\n--" + boundary) for boundary in boundaries)
    # Each multipart has one delimiter per part plus a closing one; count generously.
    if delimiters - 2 * len(boundaries) > max_parts:
        raise ParseLimitError(parts_reason(max_parts))


def check_tree(message: Message, max_parts: int, max_depth: int) -> None:
    """Exact part count and nesting depth, walked without recursion."""
    count = 0
    stack: list[tuple[Message, int]] = [(message, 0)]
    while stack:
        part, depth = stack.pop()
        count += 1
        if count > max_parts:
            raise ParseLimitError(parts_reason(max_parts))
        if depth > max_depth:
            raise ParseLimitError(depth_reason(max_depth))
        payload = part.get_payload()
        # message/delivery-status holds header blocks, not MIME parts: not counted.
        if isinstance(payload, list) and part.get_content_type() != "message/delivery-status":
            stack.extend((child, depth + 1) for child in payload if isinstance(child, Message))


def fill_headers(parsed: ParsedEmail, message: Message) -> None:
    headers: dict[str, list[str]] = {}
    for key, value in message.raw_items():
        headers.setdefault(key.lower(), []).append(value if isinstance(value, str) else str(value))

    def first(name: str) -> str | None:
        values = headers.get(name)
        return values[0] if values else None

    defects = parsed.defects
    parsed.message_id = parse_message_id(first("message-id"))
    max_ids = limit(None, "COMPTOIR_MAX_REFERENCES")
    parsed.in_reply_to = bounded_message_ids(" ".join(headers.get("in-reply-to", [])), max_ids)
    parsed.references = bounded_message_ids(" ".join(headers.get("references", [])), max_ids)
    parsed.subject = decode_text(first("subject"), defects)
    parsed.from_addr = single_address(first("from"), defects)
    parsed.sender = single_address(first("sender"), defects)
    parsed.reply_to = address_list(headers.get("reply-to", []), defects)
    parsed.to = address_list(headers.get("to", []), defects)
    parsed.cc = address_list(headers.get("cc", []), defects)
    parsed.delivered_to = envelope_addresses(
        headers.get("delivered-to", []) + headers.get("x-original-to", [])
    )
    parsed.date = parse_date(first("date"), defects)
    parsed.auto_submitted = decode_text(first("auto-submitted"), defects)
    parsed.precedence = decode_text(first("precedence"), defects)
    parsed.auto_response_suppress = decode_text(first("x-auto-response-suppress"), defects)
    parsed.list_id = decode_text(first("list-id"), defects)


def single_address(value: str | None, defects: list[str]) -> Address | None:
    if value is None:
        return None
    pairs = parse_addresses(value, defects)
    if not pairs:
        return Address(email="")
    name, email = pairs[0]
    return Address(email=email, name=name)


def address_list(values: list[str], defects: list[str]) -> list[Address]:
    addresses = []
    for value in values:
        for name, email in parse_addresses(value, defects):
            if email:
                addresses.append(Address(email=email, name=name))
    return addresses


def envelope_addresses(values: list[str]) -> list[str]:
    found: dict[str, None] = {}
    for value in values:
        address = unfold(value).strip().strip("<>").strip().lower()
        if address:
            found.setdefault(address, None)
    return list(found)


def fill_body(parsed: ParsedEmail, message: Message, raw: bytes, walk: Walk) -> None:
    body = Body()
    try:
        walk_part(message, body, walk)
    except (ParseLimitError, RecursionError):
        raise  # a limit (the recovery of broken boundaries counts levels too), not a parser bug
    except Exception as error:
        # Last line of defence: a message must never be lost to a parser bug; keep what we have.
        parsed.defects.append(f"parser error {type(error).__name__}: {error}"[:200])
        if not body.texts and not body.htmls:
            body.texts.append(raw.decode("utf-8", "replace"))
    parsed.text = "\n".join(body.texts)
    parsed.html = "\n".join(body.htmls)
    if not parsed.text.strip() and parsed.html:
        parsed.text = html_to_text(parsed.html)
    mark_inline(walk.attachments, parsed.html)
    parsed.attachments = walk.attachments
    parsed.delivery_report = walk.report
    if walk.report is not None and not walk.report.recipients:
        # Some MTAs (Gmail among them) name the failed recipients only in this header.
        failed = message.get_all("x-failed-recipients") or []
        walk.report.recipients = [a for _, a in parse_addresses(", ".join(map(str, failed)), [])]
