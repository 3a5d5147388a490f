"""Mail whose lines end in LF alone (scripts, some gateways) is accepted and stored with CRLF.

As Postfix does by default (smtpd_forbid_bare_newline = normalize): a content line may end in
LF or CRLF, and is stored as if it ended in CRLF; the data ends only at CRLF.CRLF, so that a
"." line next to a bare LF inside the data cannot end one message and smuggle the next (SMTP
smuggling). A client with LF-only content ends it with CRLF.CRLF, as the protocol says.
The data is written with the socket itself: smtplib's data() would fix the line ends first.
"""

import smtplib

import pytest

from comptoir.tickets.models import Message, RawMessage, Ticket
from tests.conftest import Acme
from tests.mail.test_smtp import StartServer, start_server  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db(transaction=True)

BODY_LINES = [f"Line {n} of a message written by a script." for n in range(60)]


def lf_message(message_id: str = "script-1@client.test", body: list[str] = BODY_LINES) -> bytes:
    headers = [
        "From: Claire Martin <claire@client.test>",
        "To: support@acme.test",
        "Subject: Nightly report",
        f"Message-ID: <{message_id}>",
        "",
    ]
    return ("\n".join(headers + body) + "\n").encode()


def send_raw_data(port: int, data: bytes, *, lmtp: bool = False) -> tuple[int, bytes]:
    """MAIL, RCPT, DATA, then `data` exactly as given (it must carry its own end marker)."""
    client = smtplib.LMTP("127.0.0.1", port) if lmtp else smtplib.SMTP("127.0.0.1", port)
    with client:
        client.ehlo("client.test")
        client.mail("claire@client.test")
        assert client.rcpt("support@acme.test")[0] == 250
        assert client.putcmd("data") is None
        assert client.getreply()[0] == 354
        client.send(data)
        return client.getreply()


@pytest.mark.parametrize("lmtp", [False, True], ids=["smtp", "lmtp"])
def test_lf_only_message_longer_than_a_line_limit_is_stored_with_crlf(
    start_server: StartServer,  # noqa: F811
    acme: Acme,
    lmtp: bool,
) -> None:
    raw = lf_message()
    assert len(raw) > 2_000 and b"\r" not in raw
    port = start_server(lmtp=lmtp)
    code, _text = send_raw_data(port, raw + b"\r\n.\r\n", lmtp=lmtp)
    assert code == 250
    stored = RawMessage.objects.get(source="lmtp" if lmtp else "smtp").content
    assert bytes(stored) == raw.replace(b"\n", b"\r\n") + b"\r\n"
    message = Message.objects.get(ticket__domain=acme.domain, direction="inbound")
    assert message.message_id == "script-1@client.test"
    assert "Line 59 of a message written by a script." in message.text


def test_mixed_line_ends_are_all_stored_as_crlf(start_server: StartServer, acme: Acme) -> None:  # noqa: F811
    raw = b"From: claire@client.test\r\nTo: support@acme.test\nSubject: Mixed\r\n\nOne\r\nTwo\n"
    port = start_server()
    code, _text = send_raw_data(port, raw + b"\r\n.\r\n")
    assert code == 250
    normalised = raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    assert bytes(RawMessage.objects.get().content) == normalised + b"\r\n"


@pytest.mark.parametrize(
    "dot", [b"\n.\n", b"\n.\r\n", b"\r\n.\n"], ids=["lf-lf", "lf-crlf", "crlf-lf"]
)
def test_a_dot_next_to_a_bare_lf_does_not_end_the_data(
    start_server: StartServer,  # noqa: F811
    acme: Acme,
    dot: bytes,
) -> None:
    """Only CRLF.CRLF ends the data: a second message smuggled after another form stays inside."""
    smuggled = b"MAIL FROM:<ceo@acme.test>\r\nRCPT TO:<support@acme.test>\r\nDATA\r\n"
    raw = b"From: claire@client.test\r\nTo: support@acme.test\r\n\r\nHello" + dot + smuggled
    port = start_server()
    code, _text = send_raw_data(port, raw + b"\r\n.\r\n")
    assert code == 250
    assert Ticket.objects.filter(domain=acme.domain).count() == 1
    assert RawMessage.objects.count() == 1
    assert b"ceo@acme.test" in bytes(RawMessage.objects.get().content)


def test_a_genuinely_overlong_line_is_still_refused(start_server: StartServer, acme: Acme) -> None:  # noqa: F811
    """The listener's line limit (RFC 5321: 1,000 octets) stays for a line that is one line."""
    raw = lf_message(body=["x" * 5_000])
    port = start_server()
    code, _text = send_raw_data(port, raw + b"\r\n.\r\n")
    assert code == 500
    assert not RawMessage.objects.exists()
