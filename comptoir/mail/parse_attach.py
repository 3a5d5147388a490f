"""MIME part -> ParsedAttachment: filenames (RFC 2231, RFC 2047, 8-bit), content ids, fallbacks."""

import mimetypes
import re
from email._encoded_words import decode_b  # the decoder get_payload(decode=True) uses
from email.message import Message

from comptoir.mail.parse_charsets import decode_8bit, decode_bytes
from comptoir.mail.parse_headers import decode_text
from comptoir.mail.parse_types import ParsedAttachment

# Python's own table only: the system's /etc/mime.types differs between machines.
MIME_TYPES = mimetypes.MimeTypes(filenames=())
PREFERRED_EXTENSIONS = {
    "text/plain": ".txt",
    "image/jpeg": ".jpg",
    "message/rfc822": ".eml",
    "application/octet-stream": ".bin",
    "application/ms-tnef": ".dat",
    "application/vnd.ms-tnef": ".dat",
    "image/jpg": ".jpg",  # not a registered type, sent all the same
    "image/pjpeg": ".jpg",
    "text/rfc822-headers": ".txt",
}
# Nameless parts of these kinds are called video.mp4, image.png...; any other "attachment.pdf".
NAMED_BY_MAINTYPE = frozenset({"image", "video", "audio", "message"})
UNSAFE_FILENAME_CHARS = re.compile(r"[\x00-\x1f\x7f]")
MAX_FILENAME = 200


def extension_for(content_type: str) -> str:
    if content_type in PREFERRED_EXTENSIONS:
        return PREFERRED_EXTENSIONS[content_type]
    guessed = MIME_TYPES.guess_extension(content_type)
    if guessed:
        return guessed
    return ".txt" if content_type.startswith("text/") else ".bin"


def type_for(filename: str) -> str:
    guessed, _ = MIME_TYPES.guess_type(filename, strict=False)
    return guessed or "application/octet-stream"


def clean_filename(name: str) -> str:
    """A display name only: path parts (C:\\Docs\\a.doc, ../../x) and control characters removed."""
    name = UNSAFE_FILENAME_CHARS.sub("", name)
    name = name.replace("\\", "/").rsplit("/", 1)[-1].strip().strip(".").strip()
    if len(name) > MAX_FILENAME:
        stem, dot, ext = name.rpartition(".")
        keep = MAX_FILENAME - len(ext) - 1
        name = stem[:keep] + dot + ext if dot and len(ext) < 10 else name[:MAX_FILENAME]
    return name


def type_filename(content_type: str) -> str:
    """A name for a nameless part, from its type: video.mp4, image.png, attachment.pdf."""
    maintype = content_type.partition("/")[0]
    stem = maintype if maintype in NAMED_BY_MAINTYPE else "attachment"
    return f"{stem}{extension_for(content_type)}"


def numbered(name: str, count: int) -> str:
    """The count-th use of a name: report.pdf, report-2.pdf, report-3.pdf..."""
    if count <= 1:
        return name
    stem, dot, ext = name.rpartition(".")
    return f"{stem}-{count}.{ext}" if dot else f"{name}-{count}"


def param(part: Message, name: str, header: str, defects: list[str]) -> str:
    """A decoded parameter: RFC 2231 (continuations, charset), RFC 2047 in quotes, raw 8-bit."""
    try:
        value = part.get_param(name, header=header)
    except Exception:  # the stdlib's parameter parser has its own corner cases
        defects.append(f"unreadable {header} parameter {name}")
        return ""
    if isinstance(value, tuple):
        charset, _language, text = value
        try:
            raw = text.encode("latin-1")  # the stdlib percent-decodes RFC 2231 values as latin-1
        except UnicodeEncodeError:
            return decode_text(text, defects)
        return " ".join(decode_bytes(raw, charset, defects, where="a filename", short=True).split())
    if not value:
        return ""
    return decode_text(decode_8bit(str(value)), defects)


def part_filename(part: Message, defects: list[str]) -> str:
    name = param(part, "filename", "content-disposition", defects)
    if not name:
        name = param(part, "name", "content-type", defects)
    return clean_filename(name)


def content_id(part: Message) -> str:
    value = part.get("content-id")
    if not value:
        return ""
    return "".join(decode_8bit(str(value)).split()).strip("<>")


def disposition(part: Message) -> str:
    value = part.get("content-disposition")
    if not value:
        return ""
    return str(value).split(";", 1)[0].strip().lower()


def payload_bytes(part: Message) -> bytes:
    if not part.is_multipart() and transfer_encoding(part) == "base64":
        return base64_payload(part)
    payload = part.get_payload(decode=True)
    return payload if isinstance(payload, bytes) else b""


def transfer_encoding(part: Message) -> str:
    return str(part.get("content-transfer-encoding", "")).lower()


def base64_payload(part: Message) -> bytes:
    """What get_payload(decode=True) gives for base64, in a fraction of its memory.

    The standard library joins the payload's lines (one bytes object per line: about 3.5
    times the part's size at once); removing the line ends in one pass gives the same input
    to the same decoder (bytes.splitlines splits on CR and LF only), with the same defects.
    """
    payload = part._payload  # type: ignore[attr-defined]  # the decode=True path reads it too
    if isinstance(payload, str):
        try:
            encoded = payload.encode("ascii", "surrogateescape")
        except UnicodeEncodeError:
            encoded = payload.encode("raw-unicode-escape")
    else:
        encoded = payload
    value, defects = decode_b(encoded.translate(None, b"\r\n"))
    for defect in defects:
        part.policy.handle_defect(part, defect)
    return value


def make_attachment(
    part: Message, content_type: str, content: bytes, defects: list[str]
) -> ParsedAttachment:
    """The part as an attachment; its filename is "" when the part names none (Walk.attach
    names it after its type)."""
    cid = content_id(part)
    return ParsedAttachment(
        filename=part_filename(part, defects),
        content_type=content_type,
        content=content,
        content_id=cid,
        # Only a Content-ID lets the HTML show a part in place; without one it is a plain file.
        inline=bool(cid) and disposition(part) != "attachment",
    )


def mark_inline(attachments: list[ParsedAttachment], html: str) -> None:
    """A part the HTML shows through cid: is inline even when the sender labelled it attachment;
    senders disagree on the disposition of cid: images, the HTML tells the truth."""
    for attachment in attachments:
        if attachment.content_id and f"cid:{attachment.content_id}" in html:
            attachment.inline = True


def message_filename(subject: str) -> str:
    """A forwarded message's name: its subject + .eml ("" without a subject)."""
    name = clean_filename(subject.replace("/", "-").replace("\\", "-").replace(":", " -"))
    return f"{name[:120]}.eml" if name else ""
