"""Repairs to a broken header block before the stdlib parser sees it.

The stdlib ends the header block at the first line that is not a header, so one garbage line
(or obsolete "Subject :" syntax) would push Subject and From into the body.
"""

import re

HEADER_END = re.compile(rb"\r?\n\r?\n")
# A line that is neither a header, nor a continuation, nor an mbox "From " line.
BAD_LINE = re.compile(rb"^(?![ \t]|[!-9;-~]+:|From )", re.MULTILINE)

OBSOLETE_COLON = re.compile(rb"^([!-9;-~]+)[ \t]+:", re.MULTILINE)


def repair_header_block(raw: bytes, defects: list[str]) -> bytes:
    """The message with its header block made parseable; the same bytes object when fine."""
    match = HEADER_END.search(raw)
    end = match.start() if match else len(raw)
    block = raw[:end]
    if BAD_LINE.search(block) is None:
        return raw
    if OBSOLETE_COLON.search(block):
        defects.append("obsolete header syntax (space before colon)")
        block = OBSOLETE_COLON.sub(rb"\1:", block)
    bad = BAD_LINE.search(block)
    if bad is not None and bad.start() > 0:
        block = rejoin_bad_lines(block, defects)
    return block + raw[end:]


def rejoin_bad_lines(block: bytes, defects: list[str]) -> bytes:
    """A garbage line followed by more headers becomes a continuation of the header above it.

    When no header follows, the garbage is the start of a body without a blank line: left alone.
    """
    lines = block.split(b"\n")
    for index in range(1, len(lines)):
        line = lines[index]
        later = lines[index + 1] if index + 1 < len(lines) else b""
        if line.strip() and not is_header_part(line) and is_header_part(later):
            defects.append(f"malformed header line {line[:60]!r} kept as continuation")
            lines[index] = b" " + line
    return b"\n".join(lines)


def is_header_part(line: bytes) -> bool:
    return line[:1] in (b" ", b"\t") or bool(re.match(rb"^[!-9;-~]+:", line))
