"""Composing outbound mail: the subject, the threading headers, the quote header, and the
bytes that go on the wire, read back with Python's own email parser."""

from datetime import UTC, datetime
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default

import pytest

from comptoir.mail.compose import (
    MAX_REFERENCES,
    Draft,
    OutgoingAttachment,
    Person,
    Quote,
    build,
    make_message_id,
    quote_header,
    references_for,
    tagged_subject,
    writable_address,
)

CLAIRE = Person("Claire Martin", "claire@client.test")
# 10:00 in Paris (UTC+1 in November).
WROTE_AT = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)


def draft(**changes: object) -> Draft:
    values: dict[str, object] = {
        "sender": Person("Support Acme", "support@acme.test"),
        "to": [CLAIRE],
        "subject": "Re: Impossible de me connecter [#7]",
        "message_id": "comptoir.1@acme.test",
        "text": "Bonjour Claire,\n\nVotre accès est rétabli.",
        "date": WROTE_AT,
        "ticket_number": 7,
    }
    values.update(changes)
    return Draft(**values)  # type: ignore[arg-type]


def parsed(raw: bytes) -> EmailMessage:
    message = message_from_bytes(raw, policy=default)
    assert isinstance(message, EmailMessage)
    return message


def plain_text(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content()).replace("\r\n", "\n")  # 8bit parts keep the CRLF


def html_text(message: EmailMessage) -> str:
    part = message.get_body(("html",))
    assert part is not None
    return str(part.get_content())


# --- the subject ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "subject",
    [
        "Problème de connexion",
        "Re: Problème de connexion",
        "RE : Problème de connexion",
        "Fwd: Problème de connexion",
        "TR: Problème de connexion",
        "AW: Problème de connexion",
        "Re[2]: Problème de connexion",
        "Re: Fwd: TR: RE : Problème de connexion",
        "Re: Problème de connexion [#42]",
        "[#42] Re: Problème de connexion",
        "RE: Re: [#42] Problème de connexion [#42]",
        "  Re:   Problème   de connexion  ",
    ],
)
def test_reply_subject_has_one_prefix_and_one_tag_whatever_the_client_did(subject: str) -> None:
    assert tagged_subject(subject, 42, reply=True) == "Re: Problème de connexion [#42]"


def test_an_old_or_foreign_tag_is_replaced_by_the_tickets_own() -> None:
    assert tagged_subject("Re: Commande [#3]", 42, reply=True) == "Re: Commande [#42]"


def test_a_subject_that_is_not_a_reply_gets_the_tag_without_prefix() -> None:
    assert tagged_subject("Re: Votre demande", 42, reply=False) == "Votre demande [#42]"


@pytest.mark.parametrize(
    "subject", ["Reunion: ordre du jour", "Trésorerie : bilan", "Svp: rappelez-moi", "Fwdx: a"]
)
def test_words_that_merely_start_like_a_prefix_are_kept(subject: str) -> None:
    assert tagged_subject(subject, 5, reply=True) == f"Re: {subject} [#5]"


def test_an_empty_subject_still_carries_the_tag() -> None:
    assert tagged_subject("Re:", 9, reply=True) == "Re: [#9]"


# --- References -----------------------------------------------------------------------


def test_references_are_root_then_parent_references_then_parent() -> None:
    refs = references_for("root@c.test", ["a@c.test", "b@c.test"], "parent@c.test")
    assert refs == ["root@c.test", "a@c.test", "b@c.test", "parent@c.test"]


def test_references_drop_brackets_blanks_and_repeats() -> None:
    refs = references_for("<root@c.test>", ["root@c.test", " <a@c.test> ", ""], "a@c.test")
    assert refs == ["root@c.test", "a@c.test"]


def test_long_references_keep_the_first_and_the_newest() -> None:
    older = [f"m{i}@c.test" for i in range(1, 30)]
    refs = references_for("root@c.test", older, "parent@c.test")
    assert len(refs) == MAX_REFERENCES == 20
    assert refs[0] == "root@c.test"
    assert refs[1:] == [*older[-18:], "parent@c.test"]


def test_message_ids_are_unique_and_on_the_senders_domain() -> None:
    first, second = make_message_id("support@Acme.TEST"), make_message_id("support@acme.test")
    assert first != second
    assert first.endswith("@acme.test") and second.endswith("@acme.test")
    assert "<" not in first and " " not in first


# --- the quote header -----------------------------------------------------------------


def test_quote_header_in_english() -> None:
    quote = Quote(WROTE_AT, CLAIRE, "Bonjour")
    header = quote_header(quote, "en", "Europe/Paris")
    assert header == "On 21 November 2026 at 10:00, Claire Martin <claire@client.test> wrote:"


def test_quote_header_in_french() -> None:
    # Needs the French catalogue (comptoir/locale/fr) to translate compose.py's strings.
    quote = Quote(WROTE_AT, CLAIRE, "Bonjour")
    header = quote_header(quote, "fr", "Europe/Paris")
    assert header == "Le 21 novembre 2026 à 10:00, Claire Martin <claire@client.test> a écrit :"


def test_quote_header_uses_the_domains_time_zone() -> None:
    quote = Quote(WROTE_AT, Person("", "claire@client.test"), "Bonjour")
    header = quote_header(quote, "en", "America/Montreal")
    assert header == "On 21 November 2026 at 04:00, claire@client.test wrote:"


# --- the bytes --------------------------------------------------------------------------


def test_every_line_ends_with_crlf() -> None:
    raw = build(draft(quote=Quote(WROTE_AT, CLAIRE, "Ligne 1\nLigne 2")))
    assert b"\r\n" in raw
    assert b"\n" not in raw.replace(b"\r\n", b"")


def test_non_ascii_names_and_subject_are_encoded_and_decode_back() -> None:
    raw = build(
        draft(
            sender=Person("Service Clients Zoé", "support@acme.test"),
            to=[Person("Claire Lefèvre", "claire@client.test")],
            subject="Re: Problème de facturation été [#7]",
        )
    )
    headers = raw.split(b"\r\n\r\n", 1)[0]
    assert headers.isascii()
    assert b"=?utf-8?" in headers
    message = parsed(raw)
    assert message["Subject"] == "Re: Problème de facturation été [#7]"
    assert message["From"].addresses[0].display_name == "Service Clients Zoé"
    assert message["To"].addresses[0].display_name == "Claire Lefèvre"
    assert message["To"].addresses[0].addr_spec == "claire@client.test"


def test_threading_headers_carry_angle_brackets() -> None:
    message = parsed(
        build(draft(in_reply_to="req-2@client.test", references=["req-1@client.test", "x@y"]))
    )
    assert message["Message-ID"] == "<comptoir.1@acme.test>"
    assert message["In-Reply-To"] == "<req-2@client.test>"
    assert message["References"] == "<req-1@client.test> <x@y>"
    assert message["X-Comptoir-Ticket"] == "7"


def test_a_first_message_has_no_in_reply_to_nor_references() -> None:
    message = parsed(build(draft()))
    assert message["In-Reply-To"] is None and message["References"] is None


def test_date_is_given_in_the_domains_time_zone() -> None:
    message = parsed(build(draft()))
    assert message["Date"] == "Sat, 21 Nov 2026 10:00:00 +0100"
    assert message["Date"].datetime == WROTE_AT


def test_automatic_mail_says_so_so_that_nobody_answers_it() -> None:
    message = parsed(build(draft(automatic=True)))
    assert message["Auto-Submitted"] == "auto-replied"
    assert message["X-Auto-Response-Suppress"] == "All"


def test_an_agents_reply_is_not_marked_automatic() -> None:
    message = parsed(build(draft(automatic=False)))
    assert message["Auto-Submitted"] is None
    assert message["X-Auto-Response-Suppress"] is None


@pytest.mark.parametrize("language", ["fr", "en"])
def test_content_language_is_the_customers(language: str) -> None:
    message = parsed(build(draft(language=language)))
    assert message["Content-Language"] == language
    assert f'<html lang="{language}">' in html_text(message)


def test_an_international_domain_is_written_in_its_idna_form() -> None:
    raw = build(draft(to=[Person("José", "jose@exémple.fr")]))
    assert b"jose@xn--exmple-cva.fr" in raw
    assert parsed(raw)["To"].addresses[0].addr_spec == "jose@xn--exmple-cva.fr"


def test_reply_to_and_cc_are_written_when_set() -> None:
    message = parsed(
        build(draft(reply_to="reponses@acme.test", cc=[Person("", "compta@client.test")]))
    )
    assert message["Reply-To"] == "reponses@acme.test"
    assert message["Cc"] == "compta@client.test"
    plain = parsed(build(draft()))
    assert plain["Reply-To"] is None and plain["Cc"] is None


def test_text_part_has_the_signature_after_the_dash_dash_line_then_the_quote() -> None:
    quote = Quote(WROTE_AT, CLAIRE, "Je n'arrive plus à me connecter.\n\nClaire")
    message = build(draft(signature="Alice\nSupport Acme", quote=quote, language="en"))
    assert plain_text(parsed(message)) == (
        "Bonjour Claire,\n\nVotre accès est rétabli.\n\n"
        "-- \nAlice\nSupport Acme\n\n"
        "On 21 November 2026 at 10:00, Claire Martin <claire@client.test> wrote:\n"
        "> Je n'arrive plus à me connecter.\n>\n> Claire\n"
    )


def test_without_signature_or_quote_the_text_is_the_agents_alone() -> None:
    text = plain_text(parsed(build(draft())))
    assert text == "Bonjour Claire,\n\nVotre accès est rétabli.\n"


def test_html_part_escapes_what_the_agent_typed() -> None:
    message = parsed(build(draft(text='Voir <script>alert("x")</script> & co', signature="<b>")))
    html = html_text(message)
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co" in html
    assert "&lt;b&gt;" in html


def test_html_part_quotes_the_customer_in_a_blockquote() -> None:
    quote = Quote(WROTE_AT, CLAIRE, "Mon <mot de passe>")
    html = html_text(parsed(build(draft(quote=quote))))
    assert '<blockquote type="cite"' in html
    assert "<p>Mon &lt;mot de passe&gt;</p>" in html


def test_attachments_keep_non_ascii_filenames_and_their_bytes() -> None:
    files = [
        OutgoingAttachment("facture été n°3.pdf", "application/pdf", b"%PDF-1.4 fake"),
        OutgoingAttachment("données.bin", "", b"\x00\x01\x02"),
    ]
    message = parsed(build(draft(attachments=files)))
    found = [
        (part.get_filename(), part.get_content_type(), part.get_content())
        for part in message.iter_attachments()
    ]
    assert found == [
        ("facture été n°3.pdf", "application/pdf", b"%PDF-1.4 fake"),
        ("données.bin", "application/octet-stream", b"\x00\x01\x02"),
    ]
    assert plain_text(message).startswith("Bonjour Claire")


@pytest.mark.parametrize(
    ("address", "writable"),
    [
        ("claire@client.test", True),
        ("claire+tag@client.test", True),
        ("claire.@client.test", False),
        ("claire@", False),
        ("claire", False),
        ("josé@exemple.fr", False),
        ("claire@exémple.fr", True),
        ("claire@ex\u00e9mple..fr", False),
        ("", False),
    ],
)
def test_only_addresses_a_header_can_carry_are_writable(address: str, writable: bool) -> None:
    assert writable_address(address) is writable
