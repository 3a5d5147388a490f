"""compose.build's fast path (mail.mime) says exactly what the email package's build says:
read back by the email package, every header and both parts are the same, over many drafts."""

import itertools
import re
from datetime import UTC, datetime
from email import message_from_bytes
from email.header import decode_header, make_header
from email.message import EmailMessage
from email.policy import default
from email.utils import getaddresses

import pytest

from comptoir.mail import mime
from comptoir.mail.compose import (
    Draft,
    OutgoingAttachment,
    Person,
    ascii_domain,
    build,
    library_build,
    simple_build,
)

NAMES = [
    "",
    "Camille Durand",
    "Durand, Camille",
    'Jean "Jeannot" D\\upont',
    "Zoé Lefèvre",
    "李小龍",
    "O'Brien & Cie",
    "Société Générale — Service des réclamations et du contentieux",
]
SUBJECTS = [
    "Re: Impossible de me connecter [#1]",
    "Re: Impossible de me connecter à mon compte depuis la mise à jour [#12]",
    "",
    "Demande n°1 bien reçue",
    "Re: =?utf-8?q?d=C3=A9j=C3=A0?= encodé à la main [#3]",
    "Re: " + "très " * 40 + "[#4]",
    "Re: " + "x" * 120 + " [#5]",
    "Re: 请帮我 查看 订单 [#6]",
    "Re: two  spaces\tand a tab [#7]",
    "Re: emoji 🎉 et accents éà [#8]",
]
TEXTS = [
    "Bonjour,\n\nMerci.\n",
    "Ligne avec espace final \nLigne = égal\n.point au début\nFrom le début\n" + "é" * 200,
    "Windows\r\nline ends\r\nand a lone\rreturn",
]


def draft(name: str, subject: str, text: str, **extra: object) -> Draft:
    fields: dict[str, object] = {
        "sender": Person("Support Acme", "support@acme.test"),
        "to": [Person(name, "camille.durand@exemple.fr")],
        "subject": subject,
        "message_id": "comptoir.18a2b.0f3e@acme.test",
        "text": text,
        "date": datetime(2026, 12, 4, 15, 3, tzinfo=UTC),
        "in_reply_to": "req-1@exemple.fr",
        "references": ["root@exemple.fr", "req-1@exemple.fr"],
        "signature": "Le service {{ campaign_name }}\nhttps://acme.test",
        "automatic": True,
        "ticket_number": 12,
        **extra,
    }
    return Draft(**fields)  # type: ignore[arg-type]


ADDRESSES = ("from", "to", "cc", "reply-to")


def people(raw: bytes, name: str) -> list[tuple[str, str]]:
    """(name, address) in a header, decoded as RFC 2047 says: the email package's own
    reading of a display name keeps the space between two encoded words, which the RFC
    (and mail clients) drop."""
    values = message_from_bytes(raw).get_all(name) or []
    unfolded = [re.sub(r"\r?\n(?=[ \t])", "", v) for v in values]
    return getaddresses([str(make_header(decode_header(v))) for v in unfolded])


def read(raw: bytes) -> EmailMessage:
    message = message_from_bytes(raw, policy=default)
    assert isinstance(message, EmailMessage)
    return message


def same_reading(fast: bytes, slow: bytes, one: Draft) -> None:
    """What the email package reads in both is the same; the subject and the addresses are
    exactly the draft's (where the email package's own build or reading is not)."""
    ours, theirs = read(fast), read(slow)
    # Even text that looks encoded, which the email package's build leaves as it is, so
    # that it reads back decoded.
    assert ours["Subject"] == one.subject
    names = {k.lower() for k in theirs} | {k.lower() for k in ours}
    for name in names - {"content-type", "subject", *ADDRESSES}:
        assert str(ours[name]) == str(theirs[name]), name
    expected = {
        "from": [one.sender],
        "to": one.to,
        "cc": one.cc,
        "reply-to": [Person("", one.reply_to)] if one.reply_to else [],
    }
    for name, persons in expected.items():
        assert people(fast, name) == [(p.name, ascii_domain(p.email)) for p in persons], name
    assert ours.get_content_type() == theirs.get_content_type() == "multipart/alternative"
    for kind in ("plain", "html"):
        mine, library = ours.get_body((kind,)), theirs.get_body((kind,))
        assert mine is not None and library is not None
        assert mine.get_content() == library.get_content()
        assert mine.get_content_charset() == "utf-8"


def well_formed(raw: bytes) -> None:
    assert raw.isascii()
    assert b"\n" not in raw.replace(b"\r\n", b"")
    head, _blank, _body = raw.partition(b"\r\n\r\n")
    # Folded at 78 wherever there is a space to fold at.
    assert all(len(line) <= 78 or b" " not in line[1:] for line in head.split(b"\r\n"))
    assert all(len(line) <= 998 for line in raw.split(b"\r\n"))


@pytest.mark.parametrize(("name", "subject"), list(itertools.product(NAMES, SUBJECTS)))
def test_the_fast_build_reads_back_as_the_email_packages(name: str, subject: str) -> None:
    for text in TEXTS:
        one = draft(name, subject, text)
        fast = simple_build(one)
        well_formed(fast)
        same_reading(fast, library_build(one), one)


def test_copies_reply_to_and_long_references_read_back_the_same() -> None:
    one = draft(
        "Zoé",
        "Re: Suivi [#9]",
        "Texte",
        cc=[Person("", "chef@exemple.fr"), Person("", "compta@exemple.fr")],
        reply_to="reponses@acme.test",
        references=[f"message-{n}.abcdef@exemple.fr" for n in range(20)],
        automatic=False,
        ticket_number=None,
        signature="",
        language="en",
    )
    fast = simple_build(one)
    well_formed(fast)
    same_reading(fast, library_build(one), one)
    assert b"Auto-Submitted" not in fast


@pytest.mark.parametrize(
    "unusual",
    [
        {"to": [Person("", '"quoted local"@exemple.fr')]},
        {"message_id": "with space@acme.test"},
        {"in_reply_to": "non-ascii-é@exemple.fr"},
        {"language": "fr; x=y"},
    ],
)
def test_what_the_fast_build_does_not_do_is_left_to_the_email_package(unusual: dict) -> None:
    one = draft("Camille", "Sujet", "Texte", **unusual)
    with pytest.raises(mime.NotSimple):
        simple_build(one)
    assert read(build(one))["Subject"] == "Sujet"


def test_a_long_name_is_folded_between_its_words() -> None:
    one = draft(("A very long name " * 6).strip(), "Sujet", "Texte")
    fast = simple_build(one)
    well_formed(fast)
    same_reading(fast, library_build(one), one)
    quoted = draft("Durand, Camille, " * 6 + "fin", "Sujet", "Texte")
    fast = simple_build(quoted)
    well_formed(fast)
    same_reading(fast, library_build(quoted), quoted)


def test_an_international_domain_is_written_in_its_ascii_form() -> None:
    one = draft("Zoé", "Sujet", "Texte", to=[Person("Zoé", "zoe@école.test")])
    fast = simple_build(one)
    assert b"zoe@xn--cole-9oa.test" in fast
    same_reading(fast, library_build(one), one)


def test_attachments_are_built_by_the_email_package() -> None:
    one = draft("Camille", "Sujet", "Texte")
    one.attachments = [OutgoingAttachment("a.txt", "text/plain", b"contenu")]
    message = read(build(one))
    assert message.get_content_type() == "multipart/mixed"
    assert [p.get_filename() for p in message.iter_attachments()] == ["a.txt"]


def test_the_fast_build_is_much_faster() -> None:
    """What it is for: measured, not assumed (about 25 times on the reference machine)."""
    import time

    one = draft("Zoé Lefèvre", SUBJECTS[1], TEXTS[1])

    def cost(function: object) -> float:
        start = time.perf_counter()
        for _ in range(50):
            function(one)  # type: ignore[operator]
        return time.perf_counter() - start

    assert cost(simple_build) * 5 < cost(library_build)
