"""MIME structure: body or attachment, broken boundaries, nested mail, legacy formats, bounces."""

from comptoir.mail.parse import DeliveryReport, ParsedAttachment, parse_email
from tests.mail.parse_fixtures import message_with_winmail, parse_fixture, tnef_blob

PNG = b"\x89PNG\r\n\x1a\nfake-image-bytes"


def test_alternative_gives_both_text_and_html() -> None:
    parsed = parse_fixture("alternative.eml")
    assert parsed.text == "Texte brut, accentué."
    assert parsed.html == "<p>Texte <i>riche</i></p>"
    assert parsed.attachments == []


def test_html_only_mail_gets_a_text_rendering() -> None:
    parsed = parse_fixture("html-only.eml")
    assert parsed.text == (
        "Bonjour Claire,\n\nVoir nos conditions (https://acme.test/cgv).\n\n- un\n- deux\n\n"
        "> ancien message"
    )
    assert parsed.html.startswith("<html><head><style>")  # as received, not sanitised


def test_inline_image_is_found_by_content_id() -> None:
    parsed = parse_fixture("inline-image-cid.eml")
    logo, unused = parsed.attachments
    assert logo == ParsedAttachment(
        "image.png", "image/png", PNG, content_id="logo.123@example.org", inline=True
    )
    # Labelled attachment and never shown by the HTML: a plain file.
    assert (unused.content_id, unused.inline) == ("unused@example.org", False)


def test_attachments_get_clean_names_or_names_from_their_type() -> None:
    parsed = parse_fixture("attachments.eml")
    assert parsed.text == "See attached."
    names = [(a.filename, a.content_type) for a in parsed.attachments]
    assert names == [
        ("invoice.pdf", "application/pdf"),  # the Windows path is dropped
        ("image.png", "image/png"),
        ("attachment.bin", "application/x-unheard-of"),
    ]
    assert parsed.attachments[0].content == b"%PDF-1.4\n"


def test_rfc2231_filename_with_continuations_and_charset() -> None:
    parsed = parse_fixture("rfc2231-filename.eml")
    assert [a.filename for a in parsed.attachments] == ["Facture n° 1234 - été.pdf", "résumé.csv"]


def test_attached_text_file_is_not_body_but_inline_text_is() -> None:
    parsed = parse_fixture("text-plus-attached-text.eml")
    assert parsed.text == "Here is the log.\n-- \nClaire"
    assert [(a.filename, a.content) for a in parsed.attachments] == [("server.log", b"ERROR boom")]


def test_nested_message_is_an_eml_named_after_its_subject() -> None:
    parsed = parse_fixture("nested-rfc822.eml")
    assert parsed.text == "Forwarding the customer's mail."
    (forwarded,) = parsed.attachments
    assert forwarded.filename == "Colis abîmé-cassé.eml"
    assert forwarded.content_type == "message/rfc822"
    assert b"The inner body must not leak." in forwarded.content
    assert parse_email(forwarded.content).message_id == "inner@example.net"


def test_uuencoded_block_becomes_an_attachment_and_leaves_the_text() -> None:
    parsed = parse_fixture("uuencode.eml")
    assert parsed.text == "Before the file.\n\nAfter the file.\n"
    assert parsed.attachments == [
        ParsedAttachment("hello.txt", "text/plain", b"Hello, uuencoded world!\n")
    ]


def test_winmail_dat_is_replaced_by_the_files_inside() -> None:
    parsed = parse_email(message_with_winmail(tnef_blob({"contract.pdf": b"%PDF-1.7 x"})))
    assert parsed.text == "Please sign."
    assert parsed.attachments == [
        ParsedAttachment("contract.pdf", "application/pdf", b"%PDF-1.7 x")
    ]


def test_unreadable_winmail_dat_is_kept_and_recorded() -> None:
    parsed = parse_email(message_with_winmail(b"this is not TNEF at all"))
    assert [a.filename for a in parsed.attachments] == ["winmail.dat"]
    assert parsed.attachments[0].content == b"this is not TNEF at all"
    assert "winmail.dat unreadable (ValueError); kept as is" in parsed.defects


def test_delivery_status_report_names_the_original_message_and_failed_recipient() -> None:
    parsed = parse_fixture("delivery-status.eml")
    assert parsed.delivery_report == DeliveryReport(
        original_message_id="out-42.abc@acme.test",
        recipients=["gone@example.net"],
        status="5.1.1",
        diagnostic="550 5.1.1 <gone@example.net>: user unknown",
        action="failed",
    )
    assert parsed.text == "I could not deliver your message."


def test_ordinary_mail_has_no_delivery_report() -> None:
    assert parse_fixture("alternative.eml").delivery_report is None


def test_missing_boundary_is_recovered_from_the_delimiters() -> None:
    parsed = parse_fixture("boundary-missing.eml")
    assert parsed.text == "The body survives."
    assert [(a.filename, a.content) for a in parsed.attachments] == [("notes.txt", b"side notes")]
    assert "multipart boundary missing or wrong; re-split on 'lostsep'" in parsed.defects


def test_multipart_without_any_delimiter_keeps_its_text() -> None:
    parsed = parse_fixture("boundary-wrong.eml")
    assert parsed.text == "Just some words, no delimiter at all.\n"
    assert "multipart without usable boundary; kept as text" in parsed.defects


def test_unclosed_multipart_keeps_every_part() -> None:
    parsed = parse_fixture("boundary-unclosed.eml")
    assert parsed.text == "First part."
    assert [(a.filename, a.content) for a in parsed.attachments] == [("data.bin", b"\x00\x01\x02")]
    assert "CloseBoundaryNotFoundDefect" in parsed.defects
