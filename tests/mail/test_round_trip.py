"""The round trip: Comptoir's reply goes out through a real SMTP server, the customer's mail
client answers it, and the answer comes back into the same ticket, whatever the client kept."""

from collections.abc import Iterator

import pytest
from pytest_django.fixtures import Settings

from comptoir.campaigns.models import InboundAddress
from comptoir.mail.ingest import ingest_email
from comptoir.mail.outbox import send_due
from comptoir.tickets.models import Message, Ticket
from comptoir.tickets.outbound import reply
from tests.conftest import Acme, make_acme
from tests.mail.mail_client import client_reply, customer_mail, parse
from tests.smtp_sink import Received, SmtpSink

pytestmark = pytest.mark.django_db(transaction=True)

CLAIRE = "Claire Martin <claire@client.test>"


@pytest.fixture
def sink(settings: Settings) -> Iterator[SmtpSink]:
    server = SmtpSink().start()
    settings.COMPTOIR_SMTP_URL = server.url
    yield server
    server.stop()


def claires_ticket(acme: Acme) -> Ticket:
    raw = customer_mail(CLAIRE, "Impossible de me connecter", "req-1@client.test")
    result = ingest_email(raw, recipients=["support@acme.test"])
    assert result.outcome == "created"
    return Ticket.objects.get(domain=acme.domain, number=result.ticket)


def answer_and_send(ticket: Ticket, acme: Acme, sink: SmtpSink) -> Received:
    """The agent answers; the outbox delivers it; what the customer's server received."""
    before = len(sink.received)
    reply(ticket, author=acme.agent, text="Bonjour Claire,\n\nVotre accès est rétabli.")
    report = send_due("test-worker", once=True)
    assert (report.sent, report.failed, report.retried) == (1, 0, 0)
    [received] = sink.received[before:]
    return received


@pytest.mark.parametrize(
    ("in_reply_to", "references"),
    [(True, True), (True, False), (False, False)],
    ids=["full-headers", "references-dropped", "subject-tag-only"],
)
def test_the_customers_answer_comes_back_into_the_same_ticket(
    sink: SmtpSink, in_reply_to: bool, references: bool
) -> None:
    acme = make_acme()
    ticket = claires_ticket(acme)
    received = answer_and_send(ticket, acme, sink)
    assert received.recipients == ["claire@client.test"]
    raw, to = client_reply(
        received.raw,
        sender=CLAIRE,
        message_id="answer-1@client.test",
        in_reply_to=in_reply_to,
        references=references,
    )
    assert to == "support@acme.test"
    result = ingest_email(raw, recipients=[to])
    assert (result.outcome, result.ticket) == ("appended", ticket.number)
    assert Ticket.objects.filter(domain=acme.domain).count() == 1
    answer = Message.objects.get(message_id="answer-1@client.test")
    assert answer.ticket == ticket
    assert answer.subject == "RE: Re: Impossible de me connecter [#1]"


def test_the_message_received_is_exactly_the_one_stored(sink: SmtpSink) -> None:
    acme = make_acme()
    ticket = claires_ticket(acme)
    received = answer_and_send(ticket, acme, sink)
    stored = Message.objects.get(ticket=ticket, direction="outbound")
    assert stored.raw is not None
    assert received.raw == bytes(stored.raw.content)
    assert received.sender == "support@acme.test"
    assert parse(received.raw)["Message-ID"] == f"<{stored.message_id}>"
    stored.refresh_from_db()
    assert stored.delivery_state == "sent" and stored.sent_at is not None


def test_the_conversation_goes_on_with_one_prefix_and_the_whole_thread_referenced(
    sink: SmtpSink,
) -> None:
    acme = make_acme()
    ticket = claires_ticket(acme)
    received = answer_and_send(ticket, acme, sink)
    raw, to = client_reply(received.raw, sender=CLAIRE, message_id="answer-1@client.test")
    ingest_email(raw, recipients=[to])
    again = parse(answer_and_send(ticket, acme, sink).raw)
    assert again["Subject"] == "Re: Impossible de me connecter [#1]"
    assert again["In-Reply-To"] == "<answer-1@client.test>"
    assert str(again["References"]).split() == [
        "<req-1@client.test>",
        str(parse(received.raw)["Message-ID"]),
        "<answer-1@client.test>",
    ]


def test_answers_go_to_the_campaigns_reply_to_and_still_find_the_ticket(sink: SmtpSink) -> None:
    acme = make_acme()
    InboundAddress.objects.create(
        domain=acme.domain, campaign=acme.support, address="reponses@acme.test"
    )
    acme.support.reply_to = "reponses@acme.test"
    acme.support.save()
    ticket = claires_ticket(acme)
    received = answer_and_send(ticket, acme, sink)
    raw, to = client_reply(received.raw, sender=CLAIRE, message_id="answer-1@client.test")
    assert to == "reponses@acme.test"
    result = ingest_email(raw, recipients=[to])
    assert (result.outcome, result.ticket) == ("appended", ticket.number)


def test_an_answer_to_the_automatic_reply_comes_back_into_the_ticket(sink: SmtpSink) -> None:
    acme = make_acme()
    acme.support.auto_reply_enabled = True
    acme.support.save()
    ticket = claires_ticket(acme)
    assert send_due("test-worker", once=True).sent == 1
    [ack] = sink.received
    assert parse(ack.raw)["Auto-Submitted"] == "auto-replied"
    # RFC 3834 §3.3: a null return path, so that not even a bounce answers it.
    assert ack.sender == "<>"
    raw, to = client_reply(ack.raw, sender=CLAIRE, message_id="answer-1@client.test")
    result = ingest_email(raw, recipients=[to])
    assert (result.outcome, result.ticket) == ("appended", ticket.number)


def test_someone_else_answering_with_only_the_tag_never_joins_the_ticket(
    sink: SmtpSink,
) -> None:
    acme = make_acme()
    ticket = claires_ticket(acme)
    received = answer_and_send(ticket, acme, sink)
    raw, to = client_reply(
        received.raw,
        sender="Mallory <mallory@intrus.test>",
        message_id="intrus-1@intrus.test",
        in_reply_to=False,
        references=False,
    )
    result = ingest_email(raw, recipients=[to])
    assert result.outcome == "created"
    assert result.ticket != ticket.number
    assert "not a participant" in result.reason
    assert ticket.messages.filter(message_id="intrus-1@intrus.test").count() == 0
