"""Repairs to a broken header block before the stdlib parser sees it.

The stdlib ends the header block at the first line that is not a header, so one garbage line
(or obsolete "Subject :" syntax) would push Subject and From into the body.
"""

import re

HEADER_END = re.compile(rb"\r?\n\r?\n")
# A line that is neither a header, nor a continuation, nor an mbox "From " line.
BAD_LINE = re.compile(rb"^(?![ \t]|[!-9;-~]+:|From )", re.MULTILINE)
HEADER_LINE = re.compile(rb"[!-9;-~]+:")

OBSOLETE_COLON = re.compile(rb"^([!-9;-~]+)[ \t]+:", re.MULTILINE)
# "X-Mailer Pegasus Mail": a header name followed by a space instead of its colon. Only names
# no text line starts with (an X- name, or a standard hyphenated one), so that the folded tail of
# a Subject ("Re-send of the invoice") is not mistaken for one.
NAME_WITHOUT_COLON = re.compile(rb"([A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)+)[ \t]+(?=\S)")
HYPHENATED_NAMES = frozenset(
    {
        b"message-id",
        b"mime-version",
        b"content-type",
        b"content-transfer-encoding",
        b"content-disposition",
        b"content-id",
        b"content-language",
        b"reply-to",
        b"in-reply-to",
        b"return-path",
        b"delivered-to",
        b"thread-topic",
        b"thread-index",
        b"user-agent",
        b"auto-submitted",
        b"list-id",
        b"list-unsubscribe",
        b"dkim-signature",
        b"authentication-results",
        b"received-spf",
    }
)


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
    """Every broken line followed, anywhere below, by a header stays in the header block.

    A header name without its colon gets its colon back; any other broken line (a Received:
    continuation folded without whitespace, garbage) becomes a continuation of the header above.
    When no header follows, the broken lines are the start of a body without a blank line: left
    alone. One backward pass tells, for each line, whether a header follows (linear)."""
    lines = block.split(b"\n")
    header_below = [False] * len(lines)
    seen = False
    for index in range(len(lines) - 1, -1, -1):
        header_below[index] = seen
        seen = seen or bool(HEADER_LINE.match(lines[index]))
    for index in range(1, len(lines)):
        line = lines[index]
        if not line.strip() or is_header_part(line) or not header_below[index]:
            continue
        named = NAME_WITHOUT_COLON.match(line)
        if named and is_known_name(named.group(1)):
            defects.append(f"header line {line[:60]!r} missing its colon")
            lines[index] = named.group(1) + b": " + line[named.end() :]
        else:
            defects.append(f"malformed header line {line[:60]!r} kept as continuation")
            lines[index] = b" " + line
    return b"\n".join(lines)


def is_known_name(name: bytes) -> bool:
    lowered = name.lower()
    return lowered.startswith(b"x-") or lowered in HYPHENATED_NAMES


def is_header_part(line: bytes) -> bool:
    return line[:1] in (b" ", b"\t") or bool(HEADER_LINE.match(line))
