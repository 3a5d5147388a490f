"""Headers: RFC 2047 words (broken ones too), raw 8-bit bytes, addresses, ids, dates, signals."""

from datetime import UTC, datetime, timedelta, timezone

from comptoir.mail.parse import Address, parse_email
from comptoir.mail.parse_headers import decode_text, parse_message_ids
from tests.mail.parse_fixtures import parse_fixture


def test_rfc2047_subject_joins_a_character_split_across_words() -> None:
    parsed = parse_fixture("rfc2047-subject-and-from.eml")
    assert parsed.subject == "Re: Commande – délai passé dépassé"


def test_rfc2047_name_inside_quotes_is_decoded_and_address_lowercased() -> None:
    parsed = parse_fixture("rfc2047-subject-and-from.eml")
    assert parsed.from_addr == Address(email="andre.levesque@example.org", name="André Lévesque")


def test_to_and_cc_lists_decode_every_address() -> None:
    parsed = parse_fixture("rfc2047-subject-and-from.eml")
    assert parsed.to == [
        Address(email="support@acme.test", name="Service Clientèle"),
        Address(email="bob@example.net", name=""),
    ]
    assert parsed.cc == [Address(email="elodie@example.net", name="Élodie")]


def test_broken_encoded_words_still_decode() -> None:
    parsed = parse_fixture("rfc2047-broken-words.eml")
    # Unpadded base64, a space inside a Q word, an unknown charset holding UTF-8.
    assert parsed.subject == "été pas finidéjà"
    assert "unknown charset 'x-bogus' in a header" in parsed.defects


def test_encoded_word_next_to_raw_utf8_in_a_name() -> None:
    parsed = parse_fixture("rfc2047-broken-words.eml")
    assert parsed.from_addr == Address(email="jose@example.es", name="José García")


def test_raw_8bit_headers_decode_as_utf8_else_cp1252() -> None:
    parsed = parse_fixture("header-8bit.eml")
    assert parsed.subject == "Problème de facture"  # raw UTF-8
    assert parsed.from_addr == Address(email="francois@example.fr", name="François Pérez")  # cp1252


def test_message_id_is_bare() -> None:
    assert parse_fixture("alternative.eml").message_id == "alternative@mail.example.org"


def test_missing_message_id_is_empty_and_garbage_ids_are_tolerated() -> None:
    parsed = parse_fixture("no-message-id.eml")
    assert parsed.message_id == ""
    assert parsed.in_reply_to == ["first@acme.test", "second@acme.test"]
    assert parsed.references == ["a@acme.test", "b@acme.test", "c@acme.test"]


def test_message_ids_with_obsolete_spaces_and_comments() -> None:
    assert parse_message_ids("<1234 @ local.example> (comment <x@y>)") == ["1234@local.example"]


def test_sender_without_address_keeps_the_name() -> None:
    assert parse_fixture("no-message-id.eml").from_addr == Address(email="", name="MAILER-DAEMON")


def test_unparseable_date_is_none_and_recorded() -> None:
    parsed = parse_fixture("no-message-id.eml")
    assert parsed.date is None
    assert "unparseable Date: 'not a date at all'" in parsed.defects


def test_date_is_aware() -> None:
    expected = datetime(2025, 3, 4, 9, 15, tzinfo=timezone(timedelta(hours=1)))
    assert parse_fixture("alternative.eml").date == expected


def test_date_without_zone_is_taken_as_utc() -> None:
    parsed = parse_email(b"Date: Tue, 4 Mar 2025 09:15:00 -0000\nSubject: x\n\nbody\n")
    assert parsed.date == datetime(2025, 3, 4, 9, 15, tzinfo=UTC)


def test_auto_reply_signals_are_kept_raw() -> None:
    parsed = parse_fixture("auto-reply.eml")
    assert (parsed.auto_submitted, parsed.precedence) == ("auto-replied", "bulk")
    assert parsed.auto_response_suppress == "All"


def test_delivered_to_and_x_original_to_are_collected_once_each() -> None:
    parsed = parse_fixture("auto-reply.eml")
    assert parsed.delivered_to == ["support@acme.test", "orders@acme.test"]


def test_list_id_and_precedence_of_list_mail() -> None:
    parsed = parse_fixture("mailing-list.eml")
    assert parsed.list_id == "Users discussion <users.lists.example.org>"
    assert parsed.precedence == "list"


def test_garbage_line_in_headers_does_not_hide_subject_and_from() -> None:
    raw = b"Received: by mx\nquite Delivered-To: x@y\nFrom: a@b.example\nSubject: Still here\n\nb\n"
    parsed = parse_email(raw)
    assert parsed.subject == "Still here"
    assert parsed.from_addr == Address(email="a@b.example")


def test_obsolete_space_before_colon_is_accepted() -> None:
    parsed = parse_email(b"Subject   : Old syntax\nFrom  : a@b.example\n\nbody\n")
    assert parsed.subject == "Old syntax"


def test_decode_text_normalises_whitespace() -> None:
    assert decode_text("  Hello\r\n\t  world  ", []) == "Hello world"


def test_a_comment_inside_the_angle_brackets_is_not_part_of_the_name() -> None:
    # RFC 5322 A.6.3: the comment and the spaces inside the address are obsolete syntax.
    raw = b"From: John Doe <jdoe@machine(comment).  example>\nSubject: x\n\nbody\n"
    assert parse_email(raw).from_addr == Address(email="jdoe@machine.example", name="John Doe")
    raw = b'From: "Sales (Paris)" <a(x(y\\))z)@b.example> (office)\nSubject: x\n\nbody\n'
    assert parse_email(raw).from_addr == Address(email="a@b.example", name="Sales (Paris)")
