"""Hostile mail: every parser path takes time linear in the size of the message.

Inputs are generated (nothing big is committed); each check times size N and 4N
(tests/security/timing.py). JSON bodies are covered by the API's own suite.
"""

import struct
from collections.abc import Callable

import pytest
from tnefparse.mapi import IMESSAGE_SIG

from comptoir.mail.parse import ParseLimitError, parse_email
from comptoir.mail.parse_legacy import extract_uuencoded
from tests.mail.parse_fixtures import message_with_winmail, tnef_attribute, tnef_blob
from tests.security.timing import assert_linear

HEAD = b"From: Claire <claire@client.test>\nTo: support@acme.test\nSubject: test\n"


def parse(raw: bytes) -> object:
    try:
        return parse_email(raw, max_size=200_000_000, max_parts=20_000, max_depth=20)
    except ParseLimitError as error:
        return error.reason


def text_mail(body: bytes) -> bytes:
    return HEAD + b"Content-Type: text/plain; charset=utf-8\n\n" + body


# --- uuencode --------------------------------------------------------------------------


def begins_without_end(n: int) -> bytes:
    return text_mail(b"begin 644 a\n" * n)


def uu_blocks(n: int) -> bytes:
    block = b"begin 644 f.txt\n#86)C\n`\nend\n"
    return text_mail(b"hello\n" + block * n)


def long_lines(n: int) -> bytes:
    return text_mail(b"begin 644 a\n" + b"M" * (n * 50) + b"\nbegin " + b"x" * (n * 50) + b"\n")


# --- headers ---------------------------------------------------------------------------


def many_headers(n: int) -> bytes:
    return b"".join(b"X-Filler-%d: value %d\n" % (i, i) for i in range(n)) + HEAD + b"\nbody\n"


def long_folded_subject(n: int) -> bytes:
    return HEAD.replace(b"Subject: test", b"Subject: " + b"word\n " * n) + b"\nbody\n"


def encoded_words(n: int) -> bytes:
    return HEAD.replace(b"Subject: test", b"Subject: " + b"=?utf-8?q?caf=C3=A9?= " * n) + b"\n\n"


def unterminated_encoded_words(n: int) -> bytes:
    return HEAD.replace(b"Subject: test", b"Subject: " + b"=?utf-8?q?a" * n) + b"\n\n"


def encoded_word_openings_closed_at_the_end(n: int) -> bytes:
    words = b"=?utf-8?q?a " * n + b"?="
    return HEAD.replace(b"Subject: test", b"Subject: " + words) + b"\n\n"


def spaces_in_a_date(n: int) -> bytes:
    return HEAD + b"Date: Mon, 1 Jan 2024 10" + b" " * (n * 20) + b"x\n\nbody\n"


def huge_references(n: int) -> bytes:
    ids = b" ".join(b"<ref-%d@client.test>" % i for i in range(n))
    return (
        HEAD
        + b"Message-ID: <m@client.test>\nIn-Reply-To: "
        + ids
        + b"\nReferences: "
        + ids
        + b"\n\n"
    )


def bare_token_references(n: int) -> bytes:
    return HEAD + b"References: " + b"a" * (n * 20) + b" " + b"(c" * n + b"\n\nbody\n"


def many_addresses(n: int) -> bytes:
    to = b", ".join(b'"Person %d" <p%d@client.test>' % (i, i) for i in range(n))
    return HEAD + b"Cc: " + to + b"\nTo: " + to + b"\n\nbody\n"


def spaces_in_address(n: int) -> bytes:
    return HEAD + b"Reply-To: name" + b" " * (n * 20) + b"x\n\nbody\n"


def spaces_around_an_address(n: int) -> bytes:
    spaces = b" " * (n * 20)
    return HEAD + b"Reply-To:" + spaces + b"<a@b.test" + spaces + b"x\n\nbody\n"


def raw_8bit_headers(n: int) -> bytes:
    """Undeclared 8-bit values: each is a charset detection (parse_detect.py)."""
    value = "关于发票的问题 张先生".encode("gb2312")
    return b"".join(b"X-Note-%d: %s\n" % (i, value) for i in range(n)) + HEAD + b"\nbody\n"


def long_8bit_subject(n: int) -> bytes:
    value = "關於下週會議的安排".encode("big5") * n
    return HEAD.replace(b"Subject: test", b"Subject: " + value) + b"\n\nbody\n"


def mislabelled_encoded_words(n: int) -> bytes:
    word = b"=?iso-8859-1?Q?" + "김민수".encode("euc-kr").hex("=").upper().encode() + b"?= x "
    word = word.replace(b"?Q?", b"?Q?=", 1)
    return HEAD.replace(b"Subject: test", b"Subject: " + word * n) + b"\n\n"


def comments_in_brackets(n: int) -> bytes:
    return HEAD + b"Reply-To: Name <a" + b"(c" * n + b")" * n + b"@b.test>\n\nbody\n"


def broken_header_lines(n: int) -> bytes:
    """Garbage lines inside the header block, headers below them (parse_repair.py)."""
    garbage = b"".join(
        b"by relay%d.example with ESMTP id %d\nX-Broken %d\n" % (i, i, i) for i in range(n)
    )
    return b"Received: from a.example\n" + garbage + HEAD + b"\nbody\n"


# --- MIME structure ----------------------------------------------------------------------


def many_parts(n: int) -> bytes:
    parts = b"".join(b"--b\nContent-Type: text/plain\n\npart %d\n" % i for i in range(n))
    return HEAD + b'Content-Type: multipart/mixed; boundary="b"\n\n' + parts + b"--b--\n"


def many_boundaries(n: int) -> bytes:
    body = b"".join(b"--other%d\nContent-Type: text/plain\n\nx\n" % i for i in range(n))
    return HEAD + b'Content-Type: multipart/mixed; boundary="b"\n\n' + body


def missing_closing_boundaries(n: int) -> bytes:
    parts = b"".join(
        b'--b\nContent-Type: multipart/mixed; boundary="c%d"\n\n--c%d\nContent-Type: text/plain'
        b"\n\nx\n" % (i, i)
        for i in range(n)
    )
    return HEAD + b'Content-Type: multipart/mixed; boundary="b"\n\n' + parts


def deep_nesting(n: int) -> bytes:
    opening = b"".join(
        b'Content-Type: multipart/mixed; boundary="d%d"\n\n--d%d\n' % (i, i) for i in range(n)
    )
    return HEAD + opening + b"Content-Type: text/plain\n\nbottom\n"


def deep_broken_boundaries(n: int) -> bytes:
    opening = b"".join(b"--s%d\nContent-Type: multipart/mixed\n\n" % i for i in range(n))
    return (
        HEAD
        + b"Content-Type: multipart/mixed\n\n"
        + opening
        + b"--e\nContent-Type: text/plain\n\nx\n"
    )


# --- TNEF --------------------------------------------------------------------------------


def tnef_many_files(n: int) -> bytes:
    return message_with_winmail(tnef_blob({f"f{i}.txt": b"x" * 100 for i in range(n)}))


def tnef_many_attributes(n: int) -> bytes:
    blob = tnef_blob({"a.txt": b"abc"})
    blob += b"".join(tnef_attribute(1, 0x8004, 0x0001, b"subject\x00") for _ in range(n))
    return message_with_winmail(blob)


def embedded_tnef(inner: bytes) -> bytes:
    """A TNEF stream whose one attachment is the embedded message `inner` (MAPI object)."""
    obj = IMESSAGE_SIG + inner
    mapi = struct.pack("<IHHII", 1, 0x000D, 0x3701, 1, len(obj)) + obj + bytes(-len(obj) % 4)
    blob = tnef_blob({})
    blob += tnef_attribute(2, 0x9002, 0x0006, bytes(14))  # attAttachRendData starts a file
    blob += tnef_attribute(2, 0x8010, 0x0001, b"inner.msg\x00")  # attAttachTitle
    return blob + tnef_attribute(2, 0x9005, 0x0006, mapi)  # attAttachment: MAPI properties


def tnef_nested(levels: int) -> bytes:
    blob = tnef_blob({"bottom.txt": b"x" * 100})
    for _ in range(levels):
        blob = embedded_tnef(blob)
    return message_with_winmail(blob)


def tnef_truncated(n: int) -> bytes:
    return message_with_winmail(tnef_blob({"a.txt": b"x" * n})[: -(n // 2)])


MAIL_SHAPES: dict[str, tuple[Callable[[int], bytes], int]] = {
    "uuencode begin without end": (begins_without_end, 4_000),
    "uuencode many blocks": (uu_blocks, 2_000),
    "uuencode long lines": (long_lines, 4_000),
    "many headers": (many_headers, 2_000),
    "long folded header": (long_folded_subject, 20_000),
    "many encoded words": (encoded_words, 4_000),
    "unterminated encoded words": (unterminated_encoded_words, 4_000),
    "encoded-word openings closed at the end": (encoded_word_openings_closed_at_the_end, 4_000),
    "spaces in a date": (spaces_in_a_date, 2_000),
    "huge References and In-Reply-To": (huge_references, 4_000),
    "bare tokens in References": (bare_token_references, 4_000),
    "many addresses in To and Cc": (many_addresses, 1_000),
    "spaces in an address": (spaces_in_address, 4_000),
    "spaces around an address": (spaces_around_an_address, 2_000),
    "many raw 8-bit headers": (raw_8bit_headers, 1_000),
    "long raw 8-bit subject": (long_8bit_subject, 20_000),
    "mislabelled encoded words": (mislabelled_encoded_words, 2_000),
    "broken header lines": (broken_header_lines, 2_000),
    "comments inside an address": (comments_in_brackets, 4_000),
    "many parts": (many_parts, 1_000),
    "many boundaries": (many_boundaries, 2_000),
    "missing closing boundaries": (missing_closing_boundaries, 120),
    "deep nesting beyond the limit": (deep_nesting, 2_000),
    "deep broken boundaries": (deep_broken_boundaries, 60),
    "TNEF many files": (tnef_many_files, 200),
    "TNEF many attributes": (tnef_many_attributes, 2_000),
    "TNEF truncated": (tnef_truncated, 100_000),
    "TNEF messages embedded in each other": (tnef_nested, 100),
}


@pytest.mark.parametrize("shape", sorted(MAIL_SHAPES))
def test_parsing_hostile_mail_is_linear(shape: str) -> None:
    make, n = MAIL_SHAPES[shape]
    assert_linear(parse, make, n)


def test_thirty_thousand_begin_lines_without_end_stay_text_quickly() -> None:
    body = "begin 644 a\n" * 30_000
    text, files = extract_uuencoded(body, [])
    assert text == body and files == []


def test_a_uuencoded_block_is_still_extracted() -> None:
    text, files = extract_uuencoded("hi\nbegin 644 f.txt\n#86)C\n`\nend\nbye\n", [])
    assert text == "hi\nbye\n"
    assert [(f.filename, f.content) for f in files] == [("f.txt", b"abc")]


def test_tnef_embedded_within_the_depth_limit_is_still_decoded() -> None:
    parsed = parse_email(tnef_nested(3))
    assert [a.filename for a in parsed.attachments] == ["inner.msg"]


def test_tnef_embedded_deeper_than_the_limit_stays_one_file() -> None:
    # 1,500 levels: tnefparse itself hit RecursionError after copying the data at each level.
    parsed = parse_email(tnef_nested(1_500))
    assert [a.filename for a in parsed.attachments] == ["winmail.dat"]
    assert "winmail.dat nests more than 20 embedded messages" in parsed.defects[-1]
