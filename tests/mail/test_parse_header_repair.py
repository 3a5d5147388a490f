"""A broken header block (folding without whitespace, a header without its colon) keeps every
real header: nothing after the broken line is pushed into the body."""

from comptoir.mail.parse import Address, parse_email
from tests.mail.parse_fixtures import parse_fixture


def test_received_continuations_without_whitespace_keep_the_headers_below() -> None:
    parsed = parse_fixture("header-received-unfolded.eml")
    assert parsed.subject == "Commande 5521 jamais livree"
    assert parsed.from_addr == Address(email="nadia@example.org", name="Nadia Benali")
    assert parsed.message_id == "unfolded-received@example.org"
    assert parsed.to == [Address(email="support@acme.test")]
    assert parsed.date is not None
    assert parsed.text.strip() == "Bonjour, ma commande n'est jamais arrivee."
    assert any("kept as continuation" in defect for defect in parsed.defects)


def test_header_lines_without_colon_keep_the_headers_below_and_their_own_value() -> None:
    parsed = parse_fixture("header-line-without-colon.eml")
    assert parsed.subject == "Facture en double"
    assert parsed.from_addr == Address(email="marc.dupuis@example.net", name="Marc Dupuis")
    assert parsed.message_id == "no-colon@example.net"
    # The line above the broken ones is not polluted by them.
    assert parsed.date is not None and parsed.date.minute == 0 and parsed.date.second == 58
    assert parsed.text.strip() == "J'ai ete facture deux fois."
    assert any("missing its colon" in defect for defect in parsed.defects)


def broken_block(garbage: list[bytes]) -> bytes:
    return (
        b"Received: from a.example (a.example [192.0.2.1])\n"
        + b"\n".join(garbage)
        + b"\nFrom: Lea <lea@example.com>\nSubject: Still here\nMessage-ID: <k@example.com>\n"
        b"\nBody line.\n"
    )


def test_any_run_of_broken_lines_keeps_from_and_subject() -> None:
    """The class: one to many lines that are neither headers nor continuations, whatever
    they hold (words, an address, a date with colons, 8-bit bytes, a half header name)."""
    samples = [
        b"by mx.example (Postfix)",
        b"with ESMTP id 1234; Tue, 3 Nov 2026 10:01:02 +0100",
        b"for <support@acme.test>; 10:01:02",
        b"(envelope-from <x@example.com>)",
        b"Caf\xe9-Header: 8-bit name",
        b"quite Delivered-To: x@example.com",
        b"X-Spam-Score 4.2",
    ]
    for count in range(1, len(samples) + 1):
        parsed = parse_email(broken_block(samples[:count]))
        assert parsed.subject == "Still here", count
        assert parsed.from_addr == Address(email="lea@example.com", name="Lea"), count
        assert parsed.message_id == "k@example.com", count
        assert parsed.text.strip() == "Body line.", count


def test_a_body_that_starts_without_blank_line_stays_body() -> None:
    raw = b"From: lea@example.com\nSubject: No blank line\nHello there,\nsee you.\n"
    parsed = parse_email(raw)
    assert parsed.subject == "No blank line"
    assert "Hello there," in parsed.text and "see you." in parsed.text
