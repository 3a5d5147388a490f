"""The bytes of a simple outgoing message written directly: compose.build's fast path.

The email package builds a message through its header registry and generator, about 2 ms for
an acknowledgement: more than everything else ingest does for the new ticket. A reply without
attachments is always the same shape (headers, then multipart/alternative of a text and an
HTML part), so it is written here in a few string operations, following the same rules:

- addresses as `Name <local@host>` (the name quoted when it is not atoms, RFC 2047 encoded
  when it is not ASCII), folded between words; an address that would need more (a quoted
  local part, a domain literal) is left to the email package (NotSimple);
- the subject's printable ASCII words as typed (folded at spaces), the others as RFC 2047
  base64 encoded words of at most 76 characters a line, never splitting a character;
- both parts in UTF-8, quoted-printable (binascii.b2a_qp: lines of at most 76 characters,
  trailing spaces and "=" encoded), CRLF line ends;
- a boundary beginning with "=_", which quoted-printable text can never contain.

tests/mail/test_mime.py checks, over many drafts, that the email package reads back from these
bytes exactly what it reads from its own build's: every header's value and both parts.
"""

import base64
import binascii
import re
import secrets
from datetime import datetime
from email.utils import format_datetime
from zoneinfo import ZoneInfo

ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
DOT_ATOM = re.compile(rf"{ATOM}(?:\.{ATOM})*")
PHRASE = re.compile(rf"{ATOM}(?: {ATOM})*")  # words the name may show unquoted
PRINTABLE = re.compile(r"[\x20-\x7e]*")
TOKEN = re.compile(r"[A-Za-z0-9-]+")
MAX_LINE = 78
WORD_BYTES = 39  # base64 of 39 bytes is 52 characters: "Subject: =?utf-8?b?…?=" fits 76


class NotSimple(Exception):
    """Something this writer does not do: compose.build uses the email package instead."""


def encoded_words(text: str) -> list[str]:
    """RFC 2047 `=?utf-8?b?…?=` words for `text`, each of at most WORD_BYTES bytes of it."""
    words, chunk = [], b""
    for char in text:
        encoded = char.encode("utf-8")
        if chunk and len(chunk) + len(encoded) > WORD_BYTES:
            words.append(chunk)
            chunk = b""
        chunk += encoded
    words.append(chunk)
    return [f"=?utf-8?b?{base64.b64encode(word).decode('ascii')}?=" for word in words]


def folded(name: str, words: list[str]) -> str:
    """`Name: w1 w2…`, a new line (and a space) before a word that would pass 78."""
    lines, line = [], f"{name}:"
    for word in words:
        if len(line) + 1 + len(word) > MAX_LINE and line != f"{name}:":
            lines.append(line)
            line = ""
        line += f" {word}"
    lines.append(line)
    if any(len(each) > 998 for each in lines):
        raise NotSimple("a word longer than a line may be")
    return "\n".join(lines)


def unstructured(name: str, value: str) -> str:
    """A header of free text (Subject): its printable ASCII words as typed, the others as
    encoded words (with the spaces between them: whitespace between two encoded words is
    not text); all of it encoded when its spacing is not single spaces."""
    if value != " ".join(value.split()):
        return folded(name, encoded_words(value))
    words: list[str] = []
    pending: list[str] = []  # consecutive words to encode together
    for word in value.split(" ") if value else []:
        if PRINTABLE.fullmatch(word) and "=?" not in word:
            words += encoded_words(" ".join(pending)) if pending else []
            words.append(word)
            pending = []
        else:
            pending.append(word)
    words += encoded_words(" ".join(pending)) if pending else []
    return folded(name, words) if words else f"{name}: "


def mailbox(name: str, email: str) -> list[str]:
    """`Name <local@host>` as words that may be folded between."""
    if not email.isascii() or email.count("@") != 1:
        raise NotSimple("an address the email package writes its own way")
    local, _at, host = email.partition("@")
    if not (DOT_ATOM.fullmatch(local) and DOT_ATOM.fullmatch(host)):
        raise NotSimple("an address needing quotes or a literal")
    if not name:
        return [email]
    if PHRASE.fullmatch(name):
        return [*name.split(" "), f"<{email}>"]
    if PRINTABLE.fullmatch(name):
        escaped = name.replace("\\", "\\\\").replace('"', '\\"')
        return [*f'"{escaped}"'.split(" "), f"<{email}>"]  # folding spaces are kept
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in name):
        raise NotSimple("a control character in a name")
    return [*encoded_words(name), f"<{email}>"]


def addresses(name: str, people: list[tuple[str, str]]) -> str:
    words: list[str] = []
    for number, (person, email) in enumerate(people):
        if number:
            words[-1] += ","
        words += mailbox(person, email)
    return folded(name, words)


def message_id(value: str) -> str:
    if not PRINTABLE.fullmatch(value) or " " in value or "<" in value or ">" in value:
        raise NotSimple("a Message-ID the email package would encode")
    return f"<{value}>"


def quoted_printable(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return binascii.b2a_qp(text.encode("utf-8"), istext=True).decode("ascii")


def part(subtype: str, text: str) -> str:
    return (
        f'Content-Type: text/{subtype}; charset="utf-8"\n'
        "Content-Transfer-Encoding: quoted-printable\n\n" + quoted_printable(text)
    )


def date(moment: datetime, time_zone: str) -> str:
    return format_datetime(moment.astimezone(ZoneInfo(time_zone)))


def multipart_alternative(headers: list[str], text: str, html: str) -> bytes:
    """The whole message: `headers` (lines without their end), then both parts."""
    boundary = f"=_comptoir_{secrets.token_hex(12)}"
    message = "\n".join(
        [
            *headers,
            "MIME-Version: 1.0",
            f'Content-Type: multipart/alternative;\n boundary="{boundary}"',
            "",
            f"--{boundary}",
            part("plain", text),
            f"--{boundary}",
            part("html", html),
            f"--{boundary}--",
            "",
        ]
    )
    return message.replace("\n", "\r\n").encode("ascii")
