"""The outbox sends queued replies to a real SMTP server (tests/smtp_sink.py), durably.

Each test queues replies with the agent's own action, points COMPTOIR_SMTP_URL at a capture
server on loopback and runs one pass of the outbox (`send_due(..., once=True)`), as
`comptoir worker --once` does. The server is told to answer 4xx or 5xx, refuse a recipient,
or is simply not there.
"""

import json
from collections.abc import Iterator
from datetime import timedelta
from email.utils import parsedate_to_datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from pytest_django.fixtures import Settings

from comptoir.mail.compose import OutgoingAttachment
from comptoir.mail.ingest import ingest_email
from comptoir.mail.outbox import retry_delay, send_due
from comptoir.tickets.models import DeliveryState, Message, TicketEvent
from tests.conftest import Acme
from tests.mail.outbox_helpers import (
    CUSTOMER,
    RefusingHandler,
    SessionLimitHandler,
    fresh,
    make_due,
    open_ticket,
    queue_reply,
    received_ids,
    running,
)
from tests.smtp_sink import SmtpSink, free_port

WORKER = "test-host:1"


@pytest.fixture
def sink(settings: Settings) -> Iterator[SmtpSink]:
    """A capture server on loopback, where the outbox sends."""
    server = SmtpSink()
    settings.COMPTOIR_SMTP_URL = server.url
    with running(server):
        yield server


# --- What arrives at the server -------------------------------------------------------------


def test_reply_arrives_from_the_campaign_with_every_threading_header(
    acme: Acme, sink: SmtpSink
) -> None:
    acme.support.reply_to = "help@acme.test"
    acme.support.save()
    ticket = open_ticket(acme, message_id="parcel-1@client.test")
    message = queue_reply(acme, ticket, text="Your parcel left this morning.")

    report = send_due(WORKER, once=True)

    assert report.sent == 1
    [arrived] = sink.received
    assert arrived.sender == "support@acme.test"
    assert arrived.recipients == [CUSTOMER]
    email = arrived.parsed()
    assert email["From"] == "Support Acme <support@acme.test>"
    assert email["To"] == f"Claire Martin <{CUSTOMER}>"
    assert email["Reply-To"] == "help@acme.test"
    assert email["Subject"] == f"Re: My order has not arrived [#{ticket.number}]"
    assert email["Message-ID"] == f"<{message.message_id}>"
    assert email["In-Reply-To"] == "<parcel-1@client.test>"
    assert email["References"] == "<parcel-1@client.test>"
    sent_at = parsedate_to_datetime(email["Date"])
    assert abs(sent_at - message.date) < timedelta(seconds=1)  # type: ignore[operator]
    text = email.get_body(("plain",))
    html = email.get_body(("html",))
    assert text is not None and "Your parcel left this morning." in text.get_content()
    assert html is not None and "<p>Your parcel left this morning.</p>" in html.get_content()


def test_campaign_without_reply_to_sends_no_reply_to_header(acme: Acme, sink: SmtpSink) -> None:
    queue_reply(acme)
    send_due(WORKER, once=True)
    assert "Reply-To" not in sink.received[0].parsed()


def test_subject_keeps_one_re_and_one_tag_when_the_ticket_subject_already_has_them(
    acme: Acme, sink: SmtpSink
) -> None:
    # The customer answered an old thread: the subject names ticket 1, which does not exist
    # yet, so it opens ticket 1 with that subject as it is.
    ticket = open_ticket(acme, subject="RE: Re: Where is my parcel? [#1]")
    assert ticket.number == 1
    queue_reply(acme, ticket)
    send_due(WORKER, once=True)
    assert sink.received[0].parsed()["Subject"] == "Re: Where is my parcel? [#1]"


def test_followup_reply_references_the_whole_thread(acme: Acme, sink: SmtpSink) -> None:
    ticket = open_ticket(acme, message_id="first@client.test")
    first = queue_reply(acme, ticket)
    followup = (
        f"From: Claire Martin <{CUSTOMER}>\r\nTo: support@acme.test\r\n"
        f"Subject: Re: My order\r\nMessage-ID: <second@client.test>\r\n"
        f"In-Reply-To: <{first.message_id}>\r\n"
        f"References: <first@client.test> <{first.message_id}>\r\n\r\nStill nothing.\r\n"
    ).encode()
    assert ingest_email(followup, recipients=["support@acme.test"]).ticket == ticket.number
    second = queue_reply(acme, ticket)
    send_due(WORKER, once=True)
    email = sink.received[-1].parsed()
    assert email["Message-ID"] == f"<{second.message_id}>"
    assert email["In-Reply-To"] == "<second@client.test>"
    assert email["References"].split() == [
        "<first@client.test>",
        f"<{first.message_id}>",
        "<second@client.test>",
    ]


def test_automatic_acknowledgement_goes_out_marked_automatic(acme: Acme, sink: SmtpSink) -> None:
    acme.support.auto_reply_enabled = True
    acme.support.save()
    ticket = open_ticket(acme, message_id="parcel-1@client.test")
    [ack] = Message.objects.filter(ticket=ticket, direction="outbound")

    assert send_due(WORKER, once=True).sent == 1

    [arrived] = sink.received
    # A null return path (RFC 3834 §3.3): not even a bounce answers it.
    assert (arrived.sender, arrived.recipients) == ("<>", [CUSTOMER])
    email = arrived.parsed()
    assert email["Message-ID"] == f"<{ack.message_id}>"
    assert email["In-Reply-To"] == "<parcel-1@client.test>"
    assert email["Auto-Submitted"] == "auto-replied"
    assert fresh(ack).delivery_state == DeliveryState.SENT


def test_attachment_arrives_with_its_filename_and_bytes(acme: Acme, sink: SmtpSink) -> None:
    content = bytes(range(256)) * 40  # binary, every byte value
    invoice = OutgoingAttachment("facture n°12.pdf", "application/pdf", content)
    queue_reply(acme, attachments=[invoice])
    send_due(WORKER, once=True)
    [part] = list(sink.received[0].parsed().iter_attachments())
    assert part.get_filename() == "facture n°12.pdf"
    assert part.get_content_type() == "application/pdf"
    assert part.get_content() == content


def test_sent_reply_is_marked_sent_after_one_attempt(acme: Acme, sink: SmtpSink) -> None:
    message = queue_reply(acme)
    before = timezone.now()
    send_due(WORKER, once=True)
    message = fresh(message)
    assert message.delivery_state == DeliveryState.SENT
    assert message.delivery_attempts == 1
    assert message.delivery_error == ""
    assert message.sent_at is not None and before <= message.sent_at <= timezone.now()
    assert message.claimed_by == ""
    assert message.claimed_until is None
    assert message.next_attempt_at is None  # out of the outbox's work list


def test_what_arrives_is_exactly_the_stored_raw_message(acme: Acme, sink: SmtpSink) -> None:
    message = queue_reply(acme)
    send_due(WORKER, once=True)
    assert message.raw is not None
    assert sink.received[0].raw.replace(b"\r\n", b"\n") == bytes(message.raw.content).replace(
        b"\r\n", b"\n"
    )


def test_sent_reply_is_never_sent_again(acme: Acme, sink: SmtpSink) -> None:
    message = queue_reply(acme)
    send_due(WORKER, once=True)
    assert send_due(WORKER, once=True).sent == 0
    assert received_ids(sink) == [message.message_id]


def test_replies_are_sent_in_the_order_they_were_queued(acme: Acme, sink: SmtpSink) -> None:
    ticket = open_ticket(acme)
    messages = [queue_reply(acme, ticket, text=f"Reply {n}") for n in range(5)]
    assert send_due(WORKER, once=True, batch_size=2).sent == 5
    assert received_ids(sink) == [m.message_id for m in messages]


# --- The server is down -------------------------------------------------------------------


def test_unreachable_server_keeps_replies_queued_with_the_reason(
    acme: Acme, settings: Settings
) -> None:
    settings.COMPTOIR_SMTP_URL = f"smtp://127.0.0.1:{free_port()}?timeout=5"
    ticket = open_ticket(acme)
    messages = [queue_reply(acme, ticket, text=f"Reply {n}") for n in range(3)]
    before = timezone.now()

    report = send_due(WORKER, once=True)

    assert (report.sent, report.retried, report.failed) == (0, 3, 0)
    for message in map(fresh, messages):
        assert message.delivery_state == DeliveryState.QUEUED
        assert message.delivery_attempts == 1
        assert "127.0.0.1" in message.delivery_error
        assert "Connection refused" in message.delivery_error
        assert message.next_attempt_at is not None and message.next_attempt_at > before
        assert message.claimed_by == ""


def test_reply_queued_while_the_server_was_down_is_sent_once_when_it_returns(
    acme: Acme, sink: SmtpSink
) -> None:
    message = queue_reply(acme)
    sink.stop()
    send_due(WORKER, once=True)
    assert fresh(message).delivery_state == DeliveryState.QUEUED

    sink.start()
    assert send_due(WORKER, once=True).sent == 0  # not due yet: the backoff holds it
    make_due(message)
    assert send_due(WORKER, once=True).sent == 1
    assert send_due(WORKER, once=True).sent == 0

    assert received_ids(sink) == [message.message_id]
    message = fresh(message)
    assert (message.delivery_state, message.delivery_attempts) == (DeliveryState.SENT, 2)


def test_server_closing_the_connection_with_421_defers_the_whole_batch(
    acme: Acme, sink: SmtpSink
) -> None:
    ticket = open_ticket(acme)
    messages = [queue_reply(acme, ticket, text=f"Reply {n}") for n in range(3)]
    sink.handler.answers = ["421 4.3.2 shutting down"]

    report = send_due(WORKER, once=True)

    assert (report.sent, report.retried) == (0, 3)
    assert all(fresh(m).delivery_state == DeliveryState.QUEUED for m in messages)
    assert fresh(messages[0]).delivery_error == "421 4.3.2 shutting down"
    make_due(*messages)
    assert send_due(WORKER, once=True).sent == 3
    assert sorted(received_ids(sink)) == sorted(m.message_id for m in messages)


# --- Transient (4xx) and permanent (5xx) answers -----------------------------------------


def test_4xx_is_retried_later_and_later_then_sent(acme: Acme, sink: SmtpSink) -> None:
    message = queue_reply(acme)
    sink.handler.answers = ["451 4.3.0 try later", "451 4.3.0 try later"]
    delays = []
    for attempt in (1, 2):
        before = timezone.now()
        assert send_due(WORKER, once=True).retried == 1
        message = fresh(message)
        assert (message.delivery_state, message.delivery_attempts) == ("queued", attempt)
        assert message.delivery_error == "451 4.3.0 try later"
        assert message.next_attempt_at is not None
        delays.append((message.next_attempt_at - before).total_seconds())
        make_due(message)
    # COMPTOIR_OUTBOX_RETRY_BASE is 60 s: about 60 s, then about 120 s (10 % jitter).
    assert 54 <= delays[0] <= 67
    assert 108 <= delays[1] <= 133

    assert send_due(WORKER, once=True).sent == 1
    message = fresh(message)
    assert (message.delivery_state, message.delivery_attempts) == (DeliveryState.SENT, 3)
    assert received_ids(sink) == [message.message_id]


def test_retry_delay_doubles_with_each_attempt_up_to_the_cap(settings: Settings) -> None:
    settings.COMPTOIR_OUTBOX_RETRY_BASE = 60
    settings.COMPTOIR_OUTBOX_RETRY_CAP = 3600
    for attempts, expected in [(1, 60), (2, 120), (3, 240), (6, 1920), (7, 3600), (30, 3600)]:
        delay = retry_delay(attempts)
        assert expected * 0.9 <= delay <= expected * 1.1, (attempts, delay)


def test_transient_failures_give_up_after_the_last_attempt(
    acme: Acme, sink: SmtpSink, settings: Settings
) -> None:
    settings.COMPTOIR_OUTBOX_MAX_ATTEMPTS = 3
    settings.COMPTOIR_OUTBOX_RETRY_BASE = 0  # every retry is due at once
    message = queue_reply(acme)
    sink.handler.answers = ["451 4.3.0 try later"] * 5

    report = send_due(WORKER, once=True)

    assert (report.retried, report.failed) == (2, 1)
    message = fresh(message)
    assert message.delivery_state == DeliveryState.FAILED
    assert message.delivery_attempts == 3
    assert message.delivery_error == "gave up after 3 attempts: 451 4.3.0 try later"
    assert message.next_attempt_at is None
    assert sink.handler.answers == ["451 4.3.0 try later"] * 2  # not tried a fourth time
    event = TicketEvent.objects.get(message=message, kind="delivery_failed")
    assert "gave up after 3 attempts" in event.detail


def test_5xx_marks_message_failed_with_server_answer(acme: Acme, sink: SmtpSink) -> None:
    message = queue_reply(acme)
    sink.handler.answers = ["550 5.1.1 no such user"]

    report = send_due(WORKER, once=True)

    assert (report.sent, report.retried, report.failed) == (0, 0, 1)
    message = fresh(message)
    assert message.delivery_state == DeliveryState.FAILED
    assert message.delivery_attempts == 1
    assert message.delivery_error == "550 5.1.1 no such user"
    assert message.next_attempt_at is None
    event = TicketEvent.objects.get(ticket=message.ticket, kind="delivery_failed")
    assert event.message_id == message.pk
    assert "550 5.1.1 no such user" in event.detail
    make_due(message)
    assert send_due(WORKER, once=True).sent == 0  # failed is final
    assert sink.received == []


def test_export_shows_the_failed_delivery_and_the_server_answer(acme: Acme, sink: SmtpSink) -> None:
    message = queue_reply(acme)
    sink.handler.answers = ["550 5.1.1 no such user"]
    send_due(WORKER, once=True)

    out = StringIO()
    call_command("export", "--domain", "acme", stdout=out)
    [ticket] = [json.loads(line) for line in out.getvalue().splitlines()]
    [outbound] = [m for m in ticket["messages"] if m["direction"] == "outbound"]
    assert outbound["message_id"] == message.message_id
    assert outbound["delivery"] == {
        "state": "failed",
        "attempts": 1,
        "last_error": "550 5.1.1 no such user",
    }


def test_one_message_deferred_does_not_hold_back_the_next(acme: Acme, sink: SmtpSink) -> None:
    ticket = open_ticket(acme)
    first, second = (queue_reply(acme, ticket, text=f"Reply {n}") for n in range(2))
    sink.handler.answers = ["452 4.2.2 mailbox full"]

    report = send_due(WORKER, once=True)

    assert (report.sent, report.retried) == (1, 1)
    assert fresh(first).delivery_state == DeliveryState.QUEUED
    assert fresh(second).delivery_state == DeliveryState.SENT
    assert received_ids(sink) == [second.message_id]


# --- Refused recipients -----------------------------------------------------------------


def test_cc_refused_at_rcpt_is_recorded_and_the_others_get_the_reply(
    acme: Acme, settings: Settings
) -> None:
    sink = SmtpSink()
    sink.handler = RefusingHandler({"nobody@client.test": "550 5.1.1 no such user"})
    settings.COMPTOIR_SMTP_URL = sink.url
    message = queue_reply(acme, cc=["nobody@client.test", "boss@client.test"])

    with running(sink):
        report = send_due(WORKER, once=True)

    assert report.sent == 1
    [arrived] = sink.received
    assert arrived.recipients == [CUSTOMER, "boss@client.test"]
    assert arrived.parsed()["Cc"] == "nobody@client.test, boss@client.test"
    message = fresh(message)
    assert message.delivery_state == DeliveryState.SENT
    assert message.delivery_error == "refused for nobody@client.test: 550 5.1.1 no such user"
    event = TicketEvent.objects.get(message=message, kind="delivery_partial")
    assert event.detail == "sent, but refused for nobody@client.test: 550 5.1.1 no such user"
    assert not TicketEvent.objects.filter(kind="delivery_failed").exists()


def test_every_recipient_refused_with_5xx_fails_the_message(acme: Acme, settings: Settings) -> None:
    sink = SmtpSink()
    sink.handler = RefusingHandler({CUSTOMER: "550 5.1.1 no such user"})
    settings.COMPTOIR_SMTP_URL = sink.url
    message = queue_reply(acme)

    with running(sink):
        assert send_due(WORKER, once=True).failed == 1

    message = fresh(message)
    assert message.delivery_state == DeliveryState.FAILED
    assert message.delivery_error == f"{CUSTOMER}: 550 5.1.1 no such user"
    assert sink.received == []


def test_recipient_deferred_with_4xx_retries_the_message(acme: Acme, settings: Settings) -> None:
    sink = SmtpSink()
    sink.handler = RefusingHandler({CUSTOMER: "450 4.2.1 greylisted, come back later"})
    settings.COMPTOIR_SMTP_URL = sink.url
    message = queue_reply(acme)

    with running(sink):
        assert send_due(WORKER, once=True).retried == 1

    message = fresh(message)
    assert message.delivery_state == DeliveryState.QUEUED
    assert message.delivery_error == f"{CUSTOMER}: 450 4.2.1 greylisted, come back later"


def test_server_closing_the_connection_at_rcpt_defers_the_whole_batch(
    acme: Acme, settings: Settings
) -> None:
    sink = SmtpSink()
    sink.handler = RefusingHandler({CUSTOMER: "421 4.3.2 shutting down"})
    settings.COMPTOIR_SMTP_URL = sink.url
    ticket = open_ticket(acme)
    messages = [queue_reply(acme, ticket, text=f"Reply {n}") for n in range(2)]

    with running(sink):
        report = send_due(WORKER, once=True)

    assert (report.sent, report.retried) == (0, 2)
    for message in map(fresh, messages):
        assert message.delivery_state == DeliveryState.QUEUED
        assert message.delivery_attempts == 1
        assert message.delivery_error == f"{CUSTOMER}: 421 4.3.2 shutting down"


def test_a_server_limiting_messages_per_session_costs_untried_replies_no_attempt(
    acme: Acme, settings: Settings
) -> None:
    sink = SmtpSink()
    sink.handler = SessionLimitHandler(limit=2)
    settings.COMPTOIR_SMTP_URL = sink.url
    ticket = open_ticket(acme)
    messages = [queue_reply(acme, ticket, text=f"Reply {n}") for n in range(9)]

    with running(sink):
        report = send_due(WORKER, once=True)

    # Each session carries two replies; the third is refused with 421 and waits (backoff);
    # the ones after it were never tried: they go again at once, on a new connection.
    assert (report.sent, report.retried) == (6, 3)
    deferred = [m for m in map(fresh, messages) if m.delivery_state == DeliveryState.QUEUED]
    assert [m.pk for m in deferred] == [messages[i].pk for i in (2, 5, 8)]
    assert all(m.delivery_attempts == 1 for m in map(fresh, messages))
    assert len(set(received_ids(sink))) == 6


def test_customer_address_with_an_international_domain_is_sent_in_ascii(
    acme: Acme, sink: SmtpSink
) -> None:
    """The envelope names the domain in IDNA form, which every server understands; a
    message that cannot be sent must not hold back the ones queued after it."""
    first = queue_reply(acme, open_ticket(acme, sender="José <jose@exémple.fr>"))
    second = queue_reply(acme, open_ticket(acme, message_id="m2@client.test"))

    assert send_due(WORKER, once=True).sent == 2

    assert [r.recipients for r in sink.received] == [["jose@xn--exmple-cva.fr"], [CUSTOMER]]
    assert received_ids(sink) == [first.message_id, second.message_id]
