"""Pre-MIME and vendor encodings still seen in the wild: uuencode blocks and TNEF winmail.dat."""

import binascii
import re

from comptoir.mail.parse_attach import clean_filename, type_for
from comptoir.mail.parse_charsets import decode_bytes
from comptoir.mail.parse_types import ParsedAttachment

UUENCODE_BLOCK = re.compile(
    r"^begin(?:-base64)? [0-7]{3,4} ([^\r\n]+)\r?\n(.*?)^end[ \t]*$\r?\n?", re.MULTILINE | re.DOTALL
)
TNEF_TYPES = frozenset({"application/ms-tnef", "application/vnd.ms-tnef"})


def uudecode(block: str) -> bytes:
    out = bytearray()
    for line in block.splitlines():
        if not line or line in ("`", " "):
            continue
        try:
            out += binascii.a2b_uu(line)
        except binascii.Error:
            # Encoders that strip trailing spaces leave short lines; decode the declared length.
            count = (((ord(line[0]) - 32) & 63) * 4 + 5) // 3
            try:
                out += binascii.a2b_uu(line[:count])
            except binascii.Error:
                continue
    return bytes(out)


def extract_uuencoded(text: str, defects: list[str]) -> tuple[str, list[ParsedAttachment]]:
    """Remove 'begin 644 name ... end' blocks from a text body and return them as attachments."""
    if "begin " not in text:
        return text, []
    attachments = []
    for match in UUENCODE_BLOCK.finditer(text):
        name = clean_filename(match.group(1)) or "uuencoded.bin"
        if match.group(0).startswith("begin-base64"):
            content = binascii.a2b_base64(match.group(2).encode("ascii", "replace"))
        else:
            content = uudecode(match.group(2))
        if not content:
            defects.append(f"empty uuencoded block {name!r}")
        attachments.append(ParsedAttachment(name, type_for(name), content))
    if not attachments:
        return text, []
    return UUENCODE_BLOCK.sub("", text), attachments


def is_tnef(content_type: str, filename: str) -> bool:
    return content_type in TNEF_TYPES or filename.lower() == "winmail.dat"


def extract_tnef(data: bytes, defects: list[str]) -> tuple[list[ParsedAttachment], str] | None:
    """The files (and the plain text body) inside a winmail.dat; None when it cannot be read."""
    # Imported here: only Outlook-to-Internet mail needs it.
    from tnefparse.tnef import TNEF

    try:
        tnef = TNEF(data, do_checksum=False)
        files = [tnef_file(attachment) for attachment in tnef.attachments]
        body = tnef.body
    except Exception as error:  # a third-party binary decoder on hostile bytes: anything goes
        defects.append(f"winmail.dat unreadable ({type(error).__name__}); kept as is")
        return None
    if isinstance(body, bytes):
        body = decode_bytes(body.rstrip(b"\x00"), "cp1252", defects, where="winmail.dat")
    text = body.rstrip("\x00") if isinstance(body, str) else ""
    if not files and not text:
        defects.append("winmail.dat holds no file and no text; kept as is")
        return None
    return files, text


def tnef_file(attachment: object) -> ParsedAttachment:
    long_name = getattr(attachment, "long_filename", None)
    name = long_name() if callable(long_name) else ""
    if isinstance(name, bytes):
        name = name.decode("cp1252", errors="replace")
    name = clean_filename(str(name).rstrip("\x00")) or "attachment.bin"
    data = getattr(attachment, "data", b"")
    return ParsedAttachment(name, type_for(name), data if isinstance(data, bytes) else b"")
