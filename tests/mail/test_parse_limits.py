"""Hostile input is bounded by the COMPTOIR_MAX_* limits; anything else odd never raises."""

import pytest
from django.test import override_settings

from comptoir.mail.parse import ParseLimitError, parse_email
from tests.mail.parse_fixtures import PARSE_EMAILS


def many_parts(count: int) -> bytes:
    parts = b"".join(b"--b\nContent-Type: text/plain\n\npart\n" for _ in range(count))
    return b'Subject: bomb\nContent-Type: multipart/mixed; boundary="b"\n\n' + parts + b"--b--\n"


def deep(depth: int) -> bytes:
    opening = b"".join(
        b'Content-Type: multipart/mixed; boundary="d%d"\n\n--d%d\n' % (i, i) for i in range(depth)
    )
    closing = b"".join(b"\n--d%d--\n" % i for i in reversed(range(depth)))
    return b"Subject: deep\n" + opening + b"Content-Type: text/plain\n\nbottom" + closing


def test_two_thousand_parts_exceed_the_default_part_limit() -> None:
    with pytest.raises(ParseLimitError) as error:
        parse_email(many_parts(2000))
    assert error.value.reason == (
        "message has more than 1000 MIME parts (limit COMPTOIR_MAX_MIME_PARTS)"
    )


def test_part_limit_is_read_from_settings_at_call_time() -> None:
    parse_email(many_parts(8))
    limit = override_settings(COMPTOIR_MAX_MIME_PARTS=5)
    with limit, pytest.raises(ParseLimitError, match="more than 5 MIME parts"):
        parse_email(many_parts(8))


def test_parts_inside_nested_messages_count_too() -> None:
    inner = many_parts(3)
    raw = (
        b'Content-Type: multipart/mixed; boundary="o"\n\n'
        + b"".join(b"--o\nContent-Type: message/rfc822\n\n" + inner + b"\n" for _ in range(3))
        + b"--o--\n"
    )
    with pytest.raises(ParseLimitError, match="more than 10 MIME parts"):
        parse_email(raw, max_parts=10)


def test_fifty_levels_of_nesting_exceed_the_default_depth_limit() -> None:
    assert parse_email(deep(10)).text == "bottom"
    with pytest.raises(ParseLimitError) as error:
        parse_email(deep(50))
    assert error.value.reason == (
        "message nests MIME parts more than 20 deep (limit COMPTOIR_MAX_MIME_DEPTH)"
    )


def test_nesting_deeper_than_python_recursion_is_a_limit_error_too() -> None:
    with pytest.raises(ParseLimitError, match="COMPTOIR_MAX_MIME_DEPTH"):
        parse_email(deep(3000), max_parts=10_000)


def test_oversize_message_is_refused_before_parsing() -> None:
    limit = override_settings(COMPTOIR_MAX_MESSAGE_SIZE=1000)
    with limit, pytest.raises(ParseLimitError) as error:
        parse_email(b"Subject: big\n\n" + b"x" * 2000)
    assert error.value.reason == (
        "message is 2014 bytes, more than 1000 (limit COMPTOIR_MAX_MESSAGE_SIZE)"
    )


@pytest.mark.parametrize("name", sorted(p.name for p in PARSE_EMAILS.glob("*.eml")))
def test_every_truncation_of_a_fixture_parses_without_raising(name: str) -> None:
    raw = (PARSE_EMAILS / name).read_bytes()
    for end in range(0, len(raw), 7):
        parse_email(raw[:end])


def test_garbage_bytes_parse_without_raising() -> None:
    parsed = parse_email(bytes(range(256)) * 4)
    assert parsed.subject == ""
    assert parse_email(b"").text == ""
