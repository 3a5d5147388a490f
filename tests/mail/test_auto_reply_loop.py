"""Mail loops. Two Comptoir domains that acknowledge every new ticket, and a naive vacation
responder, mail each other through a real SMTP server, round after round, until nothing
more is sent: the automatic replies must stop, and never answer automatic mail."""

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from pytest_django.fixtures import Settings

from comptoir.campaigns.models import Campaign
from comptoir.mail.ingest import ingest_email, route_address
from comptoir.mail.outbox import send_due
from comptoir.tickets.models import Message, RawMessage, Ticket, TicketEvent
from tests.conftest import Acme, make_acme
from tests.mail.mail_client import customer_mail, parse, reply_address
from tests.smtp_sink import Received, SmtpSink

pytestmark = pytest.mark.django_db(transaction=True)

MAX_ROUNDS = 10
CLAIRE = "Claire Martin <claire@client.test>"


@pytest.fixture
def sink(settings: Settings) -> Iterator[SmtpSink]:
    server = SmtpSink().start()
    settings.COMPTOIR_SMTP_URL = server.url
    yield server
    server.stop()


@dataclass
class Network:
    """Everything past the outbox: which address is read by which campaign, and who
    answers mail outside Comptoir."""

    sink: SmtpSink
    # Mailboxes a campaign reads (as IMAP polling does), besides its inbound addresses.
    mailboxes: dict[str, Campaign] = field(default_factory=dict)
    # People outside Comptoir whose mail program answers what they receive.
    responders: dict[str, Callable[[bytes], bytes]] = field(default_factory=dict)
    relayed: int = 0
    responses: int = 0

    def deliver(self, item: Received) -> None:
        for recipient in item.recipients:
            campaign = self.mailboxes.get(recipient)
            if campaign is not None:
                ingest_email(item.raw, campaign=campaign, envelope_from=item.sender)
            elif route_address(recipient) is not None:
                ingest_email(item.raw, recipients=[recipient], envelope_from=item.sender)
            elif recipient in self.responders:
                self.responses += 1
                answer = self.responders[recipient](item.raw)
                self.deliver(Received(recipient, [reply_address(parse(item.raw))], answer))

    def run_until_quiet(self) -> int:
        """Send what is queued and deliver it, round after round; the number of rounds."""
        for rounds in range(1, MAX_ROUNDS + 1):
            send_due("test-worker", once=True)
            fresh = self.sink.received[self.relayed :]
            self.relayed = len(self.sink.received)
            if not fresh:
                return rounds
            for item in fresh:
                self.deliver(item)
        raise AssertionError(f"mail was still flowing after {MAX_ROUNDS} rounds: a loop")


def acknowledging(slug: str, mailbox: str = "") -> Acme:
    """A domain whose support campaign acknowledges every new ticket, sending from
    `mailbox` (a mailbox it reads) when given, else from its inbound address."""
    domain = make_acme(slug)
    domain.support.auto_reply_enabled = True
    domain.support.sender_email = mailbox
    domain.support.save()
    return domain


def automatic_replies() -> list[Message]:
    rows = Message.objects.filter(direction="outbound", is_automatic=True)
    return list(rows.select_related("ticket").order_by("pk"))


def assert_no_automatic_reply_answers_automatic_mail() -> None:
    for ack in automatic_replies():
        answered = Message.objects.get(domain=ack.domain_id, message_id=ack.in_reply_to)
        assert not answered.is_automatic, f"{ack.subject} answers {answered.automatic_reason}"
        raw = RawMessage.objects.get(message=answered)
        assert parse(bytes(raw.content))["Auto-Submitted"] is None


def test_two_comptoirs_acknowledging_each_other_stop_after_one_reply(sink: SmtpSink) -> None:
    alpha = acknowledging("alpha", mailbox="helpdesk@alpha.test")
    beta = acknowledging("beta", mailbox="helpdesk@beta.test")
    network = Network(
        sink,
        mailboxes={"helpdesk@alpha.test": alpha.support, "helpdesk@beta.test": beta.support},
    )
    # Someone at Beta writes to Alpha from Beta's helpdesk mailbox.
    first = customer_mail(
        "Beta Helpdesk <helpdesk@beta.test>",
        "Partenariat",
        "start@beta.test",
        to="helpdesk@alpha.test",
    )
    network.deliver(Received("helpdesk@beta.test", ["helpdesk@alpha.test"], first))
    assert network.run_until_quiet() == 2
    [ack] = automatic_replies()
    assert (ack.domain_id, ack.to[0]["email"]) == (alpha.domain.pk, "helpdesk@beta.test")
    # Beta filed Alpha's acknowledgement as automatic mail and did not answer it.
    filed = Ticket.objects.get(domain=beta.domain)
    assert filed.is_automatic
    skip = TicketEvent.objects.get(ticket=filed, kind="auto_reply_skipped")
    assert "Auto-Submitted: auto-replied" in skip.detail
    assert_no_automatic_reply_answers_automatic_mail()


def test_two_domains_of_one_installation_never_acknowledge_each_other(sink: SmtpSink) -> None:
    alpha, beta = acknowledging("alpha"), acknowledging("beta")
    first = customer_mail(
        "support@beta.test", "Partenariat", "start@beta.test", to="support@alpha.test"
    )
    network = Network(sink)
    network.deliver(Received("support@beta.test", ["support@alpha.test"], first))
    assert network.run_until_quiet() == 1
    assert automatic_replies() == []
    skip = TicketEvent.objects.get(domain=alpha.domain, kind="auto_reply_skipped")
    assert "support@beta.test is an address Comptoir receives mail on" in skip.detail
    assert not Ticket.objects.filter(domain=beta.domain).exists()


def naive_vacation_responder(received: bytes) -> bytes:
    """Answers everything, says nothing about being automatic, starts a new thread."""
    original = parse(received)
    answered = hashlib.sha256(str(original["Message-ID"]).encode()).hexdigest()[:16]
    answer = customer_mail(
        CLAIRE,
        "Absente jusqu'au 30 novembre",
        f"vacation-{answered}@client.test",
        to=reply_address(original),
        body="Je suis absente. Je lirai votre message à mon retour.",
    )
    assert parse(answer)["Auto-Submitted"] is None and parse(answer)["In-Reply-To"] is None
    return answer


def test_a_naive_vacation_responder_is_stopped_by_the_daily_limit(sink: SmtpSink) -> None:
    alpha = acknowledging("alpha")
    limit = alpha.support.auto_reply_daily_limit
    network = Network(sink, responders={"claire@client.test": naive_vacation_responder})
    first = customer_mail(CLAIRE, "Facture erronée", "req-1@client.test", to="support@alpha.test")
    network.deliver(Received("claire@client.test", ["support@alpha.test"], first))
    network.run_until_quiet()
    acks = automatic_replies()
    assert len(acks) == limit == 3
    assert {a.to[0]["email"] for a in acks} == {"claire@client.test"}
    assert network.responses == limit
    # Each answer of the responder opened a ticket; the last one was not acknowledged.
    tickets = Ticket.objects.filter(domain=alpha.domain).order_by("number")
    assert tickets.count() == limit + 1
    skip = TicketEvent.objects.get(ticket=tickets.last(), kind="auto_reply_skipped")
    assert f"already got {limit} automatic replies in 24 hours" in skip.detail
