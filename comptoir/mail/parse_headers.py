"""Header values -> text, addresses, Message-IDs and dates, tolerant of what real senders write."""

import base64
import binascii
import re
from datetime import UTC, datetime
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime

from comptoir.mail.parse_charsets import decode_8bit, decode_bytes

# Tolerant on purpose: encoded text may hold spaces and '?' (broken senders), the charset may carry
# an RFC 2231 language suffix. The encoded text stops at the first '?=' (non-greedy). The search
# never goes past the last '?=' of the value (decode_words): otherwise each "=?x?q?" without a
# closing "?=" rescans the rest of the header (quadratic, issue 10).
ENCODED_WORD = re.compile(r"=\?([^?\s]*)\?([qQbB])\?(.*?)\?=", re.DOTALL)
QP_ESCAPE = re.compile(rb"=([0-9A-Fa-f]{2})")
# A bracketed id, or a bare token with an '@' (senders forget the brackets).
# A bare token is taken whole and kept only when it holds an '@': the former pattern
# "[^...]+@[^...]+" backtracked over every long token without '@' (quadratic, issue 10).
ANY_ID = re.compile(r"<([^<>]*)>|([^\s<>,;()\"]++)")
COMMENT = re.compile(r"\([^()]*\)")
MAX_DATE_LENGTH = 200
MAX_ID_LENGTH = 250
# Fast paths for the common one-address header; anything else goes to the stdlib's (slow) parser.
# Possessive quantifiers (*+, ++) only: a lazy name followed by \s*, or two adjacent \s*, tried
# every split of a run of spaces (100,000 spaces: minutes, issue 10). The name keeps its trailing
# spaces here; decode_text normalises them.
ADDR_SPEC = r"([^<>\s,;:\"()@\\]++@[^<>\s,;:\"()@\\]++)"
NAMED_ADDRESS = re.compile(
    r'^\s*+(?:"([^"\\]*+)"|([^"<>,;:@\\()]*+))\s*+<\s*+' + ADDR_SPEC + r"\s*+>\s*+$"
)
BARE_ADDRESS = re.compile(r"^\s*+<?+\s*+" + ADDR_SPEC + r"\s*+>?+\s*+$")


def unfold(value: str) -> str:
    # RFC 5322 unfolding removes the line breaks only; the folding whitespace stays.
    return value.replace("\r", "").replace("\n", "")


def decode_q(text: str) -> bytes:
    raw = text.replace("_", " ").encode("utf-8", "surrogateescape")
    return QP_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), raw)


def decode_b(text: str, defects: list[str]) -> bytes:
    cleaned = "".join(text.split()).rstrip("=")
    cleaned += "=" * (-len(cleaned) % 4)
    try:
        return base64.b64decode(cleaned)
    except (binascii.Error, ValueError):
        defects.append("broken base64 in an encoded-word")
        data = re.sub(r"[^A-Za-z0-9+/]", "", cleaned)
        return base64.b64decode(data[: len(data) // 4 * 4])


def decode_words(value: str, defects: list[str]) -> str:
    """RFC 2047: decode every encoded-word, wherever it stands (inside quotes too).

    Adjacent words in one charset are joined as bytes first, because senders split multibyte
    characters across words; whitespace between encoded-words is dropped (RFC 2047 6.2).
    """
    value = decode_8bit(unfold(value))
    last_end = value.rfind("?=")
    if "=?" not in value or last_end < 0:
        return value
    out: list[str] = []
    pending: list[bytes] = []
    pending_charset = ""
    pos = 0
    for match in ENCODED_WORD.finditer(value, 0, last_end + 2):
        between = value[pos : match.start()]
        charset, kind, text = match.group(1), match.group(2), match.group(3)
        if between.strip() or charset.lower() != pending_charset:
            flush_words(out, pending, pending_charset, defects)
            pending, pending_charset = [], charset.lower()
            if between.strip() or not out:
                out.append(between)
        chunk = decode_q(text) if kind in "qQ" else decode_b(text, defects)
        pending.append(chunk)
        pos = match.end()
    flush_words(out, pending, pending_charset, defects)
    out.append(value[pos:])
    return "".join(out)


def flush_words(out: list[str], pending: list[bytes], charset: str, defects: list[str]) -> None:
    if pending:
        out.append(decode_bytes(b"".join(pending), charset, defects, where="a header", short=True))


def decode_text(value: str | None, defects: list[str]) -> str:
    """A decoded, whitespace-normalised header value ("" when absent)."""
    if not value:
        return ""
    return " ".join(decode_words(value, defects).split())


def parse_addresses(value: str | None, defects: list[str]) -> list[tuple[str, str]]:
    """[(name, email)] with names decoded and emails lower-cased; ("", "") pairs dropped."""
    if not value:
        return []
    value = decode_8bit(unfold(value))
    if "(" in value and "<" in value:
        value = drop_comments_in_brackets(value)
    pairs = simple_address(value) or getaddresses([value])
    if not pairs or all(not addr for _, addr in pairs):
        # Python's strict mode refuses some malformed lists that the lenient mode reads fine.
        pairs = getaddresses([value], strict=False)
    result = []
    for name, addr in pairs:
        name = decode_text(name, defects).strip("\"' ")
        addr = decode_text(addr, defects)
        if "<" in addr and "=?" in value:
            # One encoded-word held "name <address>" whole: the address comes out of it.
            inner = simple_address(addr)
            if inner:
                name, addr = name or inner[0][0].strip("\"' "), inner[0][1]
        addr = addr.strip("<> ")
        if "@" not in addr:
            # A bare word ("MAILER-DAEMON") is no usable address, but it still names the sender.
            name, addr = name or addr, ""
        if name or addr:
            result.append((name, addr.lower()))
    return result


def drop_comments_in_brackets(value: str) -> str:
    """A comment inside the angle brackets ("<jdoe@machine(comment).example>") is no part of the
    name, where the stdlib would append it. One pass; nested comments and quoted-pairs counted."""
    out = []
    in_angle = in_quote = escaped = False
    depth = 0
    for char in value:
        if depth:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True  # a quoted-pair: "\)" does not close the comment
            else:
                depth += {"(": 1, ")": -1}.get(char, 0)
            continue
        if char == '"' and not in_angle:
            in_quote = not in_quote
        elif char == "<" and not in_quote:
            in_angle = True
        elif char == ">" and not in_quote:
            in_angle = False
        elif char == "(" and in_angle:
            depth = 1
            continue
        out.append(char)
    return "".join(out)


def simple_address(value: str) -> list[tuple[str, str]]:
    named = NAMED_ADDRESS.match(value)
    if named:
        return [(named.group(1) or named.group(2) or "", named.group(3))]
    bare = BARE_ADDRESS.match(value)
    return [("", bare.group(1))] if bare else []


def parse_message_ids(value: str | None) -> list[str]:
    """Bare ids in order, without <> and duplicates; tolerant of commas and missing brackets."""
    if not value:
        return []
    value = decode_8bit(unfold(value))
    seen: dict[str, None] = {}
    # Comments go first: "(Claire's message of Tuesday)" must not yield ids.
    for bracketed, bare in ANY_ID.findall(COMMENT.sub(" ", value)):
        # Obsolete syntax allows spaces inside the brackets: "<1234 @ local.host>".
        msg_id = "".join(bracketed.split()) if bracketed else bare
        if msg_id and (bracketed or "@" in bare):
            seen.setdefault(msg_id, None)
    return list(seen)


def bounded_message_ids(value: str | None, max_ids: int) -> list[str]:
    """At most `max_ids` ids: the first (the thread's root) and the most recent ones.

    Only both ends of a long header are read (an id is rarely longer than MAX_ID_LENGTH), so a
    9 MB References costs what a short one does."""
    if not value:
        return []
    window = max_ids * MAX_ID_LENGTH
    if len(value) > 2 * window:
        # Cut at whitespace, so no id is cut in two and kept half.
        head = value[:window].rsplit(None, 1)[0]
        tail = value[-window:].split(None, 1)[-1]
        value = f"{head} {tail}"
    ids = parse_message_ids(value)
    if len(ids) <= max_ids:
        return ids
    return ids[:1] + ids[len(ids) - max_ids + 1 :] if max_ids > 1 else ids[:max_ids]


def parse_message_id(value: str | None) -> str:
    if not value:
        return ""
    ids = parse_message_ids(value)
    if ids:
        return ids[0]
    # No brackets and no '@': keep the sender's token so duplicates are still recognised.
    return "".join(decode_8bit(unfold(value)).split()).strip("<>")


def parse_date(value: str | None, defects: list[str]) -> datetime | None:
    if not value or not value.strip():
        return None
    # A date is short; a longer value is junk, and the \s*:\s* clean-up below is quadratic on
    # long runs of spaces.
    value = value[:MAX_DATE_LENGTH]
    parsed = try_parse_date(unfold(value).strip())
    if parsed is None:
        # Obsolete syntax: comments and spaces around the colons ("09(comment):   55  :  06").
        cleaned = re.sub(r"\s*:\s*", ":", COMMENT.sub("", unfold(value))).strip()
        parsed = try_parse_date(cleaned)
    if parsed is None:
        defects.append(f"unparseable Date: {value.strip()[:80]!r}")
        return None
    if parsed.tzinfo is None:
        # "-0000" means "UTC, local zone unknown" (RFC 5322 3.3).
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def try_parse_date(value: str) -> datetime | None:
    try:
        return parsedate_to_datetime(value)
    except (ValueError, TypeError, IndexError, OverflowError):
        return None


def raw_header(message: Message, name: str) -> str | None:
    """The first raw value of a header: the stdlib wraps 8-bit values in Header objects, this
    returns the parser's surrogate-escaped text for decode_8bit instead."""
    wanted = name.lower()
    for key, value in message.raw_items():
        if key.lower() == wanted:
            return value if isinstance(value, str) else str(value)
    return None
