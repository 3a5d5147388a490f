"""Pre-MIME and vendor encodings still seen in the wild: uuencode blocks and TNEF winmail.dat."""

import binascii
import bisect
import re

from comptoir.mail.parse_attach import clean_filename, type_for
from comptoir.mail.parse_charsets import decode_bytes
from comptoir.mail.parse_types import ParsedAttachment

# One line at a time, never a regex over the whole body: the old "begin ... (.*?) ^end" pattern
# rescanned the rest of the body for every "begin" line without an "end" (30,000 such lines:
# 44 s, quadratic). Now each line is looked at a bounded number of times.
BEGIN_LINE = re.compile(r"begin(-base64)? [0-7]{3,4} ([^\r\n]+)")
END_LINE = re.compile(r"end[ \t]*")
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
    """Remove 'begin 644 name ... end' blocks from a text body and return them as attachments.

    A 'begin' line opens a block only when an 'end' line follows; otherwise it stays text."""
    if "begin" not in text:
        return text, []
    lines = text.splitlines(keepends=True)
    ends = end_positions(lines)
    kept: list[str] = []
    attachments: list[ParsedAttachment] = []
    index = 0
    while index < len(lines):
        begin = BEGIN_LINE.fullmatch(lines[index].rstrip("\r\n"))
        end = next_end(ends, index)
        if begin is None or end is None:
            kept.append(lines[index])
            index += 1
            continue
        block = "".join(lines[index + 1 : end])
        attachments.append(uu_attachment(begin, block, defects))
        index = end + 1
    if not attachments:
        return text, []
    return "".join(kept), attachments


def end_positions(lines: list[str]) -> list[int]:
    return [i for i, line in enumerate(lines) if END_LINE.fullmatch(line.rstrip("\r\n"))]


def next_end(ends: list[int], index: int) -> int | None:
    """The first 'end' line after `index` (binary search: the whole scan stays n log n)."""
    position = bisect.bisect_right(ends, index)
    return ends[position] if position < len(ends) else None


def uu_attachment(begin: re.Match[str], block: str, defects: list[str]) -> ParsedAttachment:
    name = clean_filename(begin.group(2)) or "uuencoded.bin"
    if begin.group(1):
        content = binascii.a2b_base64(block.encode("ascii", "replace"))
    else:
        content = uudecode(block)
    if not content:
        defects.append(f"empty uuencoded block {name!r}")
    return ParsedAttachment(name, type_for(name), content)


def is_tnef(content_type: str, filename: str) -> bool:
    return content_type in TNEF_TYPES or filename.lower() == "winmail.dat"


def extract_tnef(
    data: bytes, defects: list[str], *, max_depth: int = 20
) -> tuple[list[ParsedAttachment], str] | None:
    """The files (and the plain text body) inside a winmail.dat; None when it cannot be read."""
    # Imported here: only Outlook-to-Internet mail needs it.
    from tnefparse.mapi import IMESSAGE_SIG
    from tnefparse.tnef import TNEF

    # tnefparse decodes an embedded message by recursing on a copy of the rest of the data: work
    # and memory grow with depth x size, up to a RecursionError (issue 10). Counted first, in
    # one pass; beyond the MIME depth limit the winmail.dat stays whole, as a file.
    if data.count(IMESSAGE_SIG) > max_depth:
        defects.append(
            f"winmail.dat nests more than {max_depth} embedded messages "
            "(limit COMPTOIR_MAX_MIME_DEPTH); kept as is"
        )
        return None

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
