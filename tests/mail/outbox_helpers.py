"""Small builders shared by the outbox tests: a customer's ticket, a queued reply, servers."""

import asyncio
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from aiosmtpd.smtp import SMTP, Envelope, Session
from django.utils import timezone

from comptoir.mail.ingest import ingest_email
from comptoir.tickets.models import Message, Ticket
from comptoir.tickets.outbound import reply
from tests.conftest import Acme
from tests.smtp_sink import CaptureHandler, SmtpSink

CUSTOMER = "claire@client.test"


def customer_email(
    *,
    subject: str = "My order has not arrived",
    message_id: str = "m1@client.test",
    sender: str = f"Claire Martin <{CUSTOMER}>",
) -> bytes:
    return (
        f"From: {sender}\r\n"
        "To: support@acme.test\r\n"
        f"Subject: {subject}\r\n"
        f"Message-ID: <{message_id}>\r\n"
        "Date: Mon, 02 Jun 2025 10:00:00 +0200\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "\r\n"
        "Hello, where is my parcel?\r\n"
    ).encode()


def open_ticket(acme: Acme, **email: str) -> Ticket:
    """A customer writes to support@acme.test: the ticket it opens."""
    result = ingest_email(customer_email(**email), recipients=["support@acme.test"])
    assert result.outcome == "created", result
    return Ticket.objects.get(domain=acme.domain, number=result.ticket)


def queue_reply(acme: Acme, ticket: Ticket | None = None, **options: object) -> Message:
    """The agent answers (a new ticket unless one is given): the reply, queued."""
    ticket = ticket or open_ticket(acme)
    options.setdefault("text", "Your parcel left our warehouse this morning.")
    return reply(ticket, author=acme.agent, **options)  # type: ignore[arg-type]


def make_due(*messages: Message) -> None:
    """Bring the next attempt forward: what waiting out the backoff would do."""
    past = timezone.now() - timedelta(seconds=1)
    Message.objects.filter(pk__in=[m.pk for m in messages]).update(next_attempt_at=past)


def fresh(message: Message) -> Message:
    return Message.objects.get(pk=message.pk)


def received_ids(sink: SmtpSink) -> list[str]:
    """The Message-IDs the server accepted, in order, without angle brackets."""
    return [str(r.parsed()["Message-ID"]).strip("<>") for r in sink.received]


@contextmanager
def running(sink: SmtpSink) -> Iterator[SmtpSink]:
    sink.start()
    try:
        yield sink
    finally:
        sink.stop()


class RefusingHandler(CaptureHandler):
    """Answers RCPT for the addresses in `refuse` with their answer; accepts the others."""

    def __init__(self, refuse: dict[str, str]) -> None:
        super().__init__()
        self.refuse = refuse

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 Ok"


class MeetingHandler(CaptureHandler):
    """Holds each DATA until `clients` connections have sent one (at most `patience` seconds),
    so that several workers are surely sending at the same time; remembers who sent what."""

    def __init__(self, clients: int, patience: float = 20.0) -> None:
        super().__init__()
        self.clients = clients
        self.patience = patience
        self.peers: dict[str, object] = {}

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        message_id = content.split(b"Message-ID: <", 1)[1].split(b">", 1)[0].decode()
        self.peers[message_id] = session.peer
        deadline = time.monotonic() + self.patience
        while len(set(self.peers.values())) < self.clients and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        return await super().handle_DATA(server, session, envelope)


class SlowHandler(CaptureHandler):
    """Takes `seconds` to accept each message, like a server far away."""

    def __init__(self, seconds: float) -> None:
        super().__init__()
        self.seconds = seconds

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        await asyncio.sleep(self.seconds)
        return await super().handle_DATA(server, session, envelope)


class SessionLimitHandler(CaptureHandler):
    """Accepts `limit` messages per connection, then answers 421, as providers that cap
    messages per session do."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit
        self.per_session: dict[int, int] = {}

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        count = self.per_session.get(id(session), 0) + 1
        self.per_session[id(session)] = count
        if count > self.limit:
            return "421 4.7.0 Too many messages for this session"
        return await super().handle_DATA(server, session, envelope)
