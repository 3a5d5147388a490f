"""Ingest: store first, dedupe, route, classify and file every inbound message exactly once."""

import hashlib

import pytest

from comptoir.lib.text import message_id_key
from comptoir.mail.ingest import ingest_email, route_address
from comptoir.tickets.models import (
    Message,
    RawMessage,
    RawState,
    Ticket,
    TicketEvent,
    TicketStatus,
)
from tests.conftest import Acme, read_eml


def ingest(name: str, acme: Acme, **kwargs):  # type: ignore[no-untyped-def]
    return ingest_email(read_eml(f"ingest/{name}"), domain=acme.domain, **kwargs)


def test_new_request_creates_ticket_one_with_contact_and_event(acme: Acme) -> None:
    result = ingest("new-request.eml", acme)
    assert (result.outcome, result.ticket) == ("created", 1)
    ticket = Ticket.objects.get(domain=acme.domain, number=1)
    assert ticket.campaign == acme.support
    assert ticket.contact.email == "camille.durand@exemple.fr"
    assert ticket.contact.name == "Camille Durand"
    assert ticket.subject == "Impossible de me connecter"
    assert ticket.status == TicketStatus.OPEN
    message = ticket.messages.get()
    assert "Je n'arrive plus à me connecter" in message.text
    event = TicketEvent.objects.get(ticket=ticket)
    assert event.data["rule"] == "new"


def test_raw_bytes_are_kept_byte_for_byte(acme: Acme) -> None:
    raw = read_eml("ingest/new-request.eml")
    result = ingest_email(raw, domain=acme.domain)
    stored = RawMessage.objects.get(pk=result.raw_id)
    assert bytes(stored.content) == raw
    assert stored.sha256 == hashlib.sha256(raw).hexdigest()
    assert Message.objects.get(raw=stored).ticket.number == 1


def test_reply_with_in_reply_to_joins_the_ticket(acme: Acme) -> None:
    ingest("new-request.eml", acme)
    result = ingest("reply-in-reply-to.eml", acme)
    assert (result.outcome, result.ticket) == ("appended", 1)
    assert "In-Reply-To" in result.reason
    assert Ticket.objects.get(number=1).messages.count() == 2


def test_reply_with_only_references_joins_the_ticket(acme: Acme) -> None:
    ingest("new-request.eml", acme)
    result = ingest("reply-references-only.eml", acme)
    assert (result.outcome, result.ticket) == ("appended", 1)
    event = TicketEvent.objects.filter(kind="message_appended").get()
    assert event.data["rule"] == "references"
    assert "<req-1@exemple.fr>" in event.detail


def test_reply_that_arrives_before_its_parent_is_joined_by_the_parent(acme: Acme) -> None:
    first = ingest("reply-in-reply-to.eml", acme)
    assert first.outcome == "created"
    parent = ingest("new-request.eml", acme)
    assert (parent.outcome, parent.ticket) == ("appended", first.ticket)
    assert "arrived late" in parent.reason
    assert Ticket.objects.filter(domain=acme.domain).count() == 1


def test_subject_tag_from_a_participant_joins_the_ticket(acme: Acme) -> None:
    ingest("new-request.eml", acme)
    result = ingest("tag-reply-by-participant.eml", acme)
    assert (result.outcome, result.ticket) == ("appended", 1)
    assert "subject tag [#1]" in result.reason


def test_subject_tag_from_a_stranger_never_joins_another_customers_ticket(acme: Acme) -> None:
    ingest("new-request.eml", acme)
    result = ingest("tag-reply-by-stranger.eml", acme)
    assert (result.outcome, result.ticket) == ("created", 2)
    assert "not a participant" in result.reason
    assert Ticket.objects.get(number=1).messages.count() == 1
    assert Ticket.objects.get(number=2).contact.email == "mallory@intrus.example"


def test_same_message_delivered_twice_is_stored_once(acme: Acme) -> None:
    first = ingest("new-request.eml", acme)
    second = ingest("new-request.eml", acme)
    assert second.outcome == "duplicate"
    assert second.ticket == first.ticket
    assert Message.objects.filter(domain=acme.domain).count() == 1
    assert RawMessage.objects.filter(domain=acme.domain).count() == 1


def test_message_without_message_id_is_deduplicated_by_its_bytes(acme: Acme) -> None:
    first = ingest("no-message-id.eml", acme)
    assert first.outcome == "created"
    assert Ticket.objects.get(number=first.ticket).campaign == acme.orders
    assert ingest("no-message-id.eml", acme).outcome == "duplicate"
    changed = read_eml("ingest/no-message-id.eml").replace(b"48213", b"48214")
    assert ingest_email(changed, domain=acme.domain).outcome == "created"


def test_same_message_id_in_two_domains_is_two_messages(acme: Acme) -> None:
    from tests.conftest import make_acme

    other = make_acme("globex")
    raw = read_eml("ingest/new-request.eml")
    assert ingest_email(raw, domain=acme.domain).outcome == "created"
    copy = raw.replace(b"support@acme.test", b"support@globex.test")
    assert ingest_email(copy, domain=other.domain).outcome == "created"


def test_out_of_office_is_marked_automatic_and_does_not_reopen(acme: Acme) -> None:
    ingest("new-request.eml", acme)
    Ticket.objects.filter(number=1).update(status=TicketStatus.CLOSED)
    result = ingest("out-of-office.eml", acme)
    assert (result.outcome, result.ticket) == ("appended", 1)
    message = Message.objects.get(message_id="ooo-1@exemple.fr")
    assert message.is_automatic
    assert message.automatic_reason == "Auto-Submitted: auto-replied"
    assert Ticket.objects.get(number=1).status == TicketStatus.CLOSED


def test_customer_reply_reopens_a_closed_ticket(acme: Acme) -> None:
    ingest("new-request.eml", acme)
    Ticket.objects.filter(number=1).update(status=TicketStatus.CLOSED, has_unread=False)
    ingest("reply-in-reply-to.eml", acme)
    ticket = Ticket.objects.get(number=1)
    assert (ticket.status, ticket.has_unread) == (TicketStatus.OPEN, True)
    assert ticket.events.filter(kind="ticket_reopened").exists()


def test_list_mail_creates_an_automatic_ticket(acme: Acme) -> None:
    result = ingest("newsletter.eml", acme)
    assert result.outcome == "created"
    ticket = Ticket.objects.get(number=result.ticket)
    assert ticket.is_automatic
    assert ticket.messages.get().automatic_reason == "Precedence: bulk"


def test_mail_from_our_own_address_never_opens_a_ticket(acme: Acme) -> None:
    result = ingest("from-our-own-address.eml", acme)
    assert result.outcome == "quarantined"
    assert "own address support@acme.test" in result.reason
    assert not Ticket.objects.exists()


def test_mail_from_a_campaign_sender_address_counts_as_our_own(acme: Acme) -> None:
    # The sender address replies go out from need not be an inbound address; a copy of our
    # own mail coming back from it must not open a ticket (nor be acknowledged: a loop).
    acme.support.sender_email = "ne-pas-repondre@acme.test"
    acme.support.save()
    raw = read_eml("ingest/new-request.eml").replace(
        b'From: "Camille Durand" <camille.durand@exemple.fr>',
        b"From: Support Acme <ne-pas-repondre@acme.test>",
    )
    assert b"ne-pas-repondre@acme.test" in raw
    result = ingest_email(raw, domain=acme.domain)
    assert result.outcome == "quarantined"
    assert "own address ne-pas-repondre@acme.test" in result.reason


def test_bounce_for_an_unknown_message_is_quarantined_not_a_ticket(acme: Acme) -> None:
    result = ingest("bounce-unknown.eml", acme)
    assert result.outcome == "quarantined"
    assert "never-sent-by-us@acme.test" in result.reason
    assert not Ticket.objects.exists()


def test_bounce_for_our_outbound_message_marks_it_failed_on_its_ticket(acme: Acme) -> None:
    ingest("new-request.eml", acme)
    ticket = Ticket.objects.get(number=1)
    Message.objects.create(
        domain=acme.domain,
        ticket=ticket,
        direction="outbound",
        message_id="answer-1@acme.test",
        dedupe_key=message_id_key("answer-1@acme.test"),
        delivery_state="sent",
    )
    bounce = read_eml("ingest/bounce-unknown.eml").replace(
        b"never-sent-by-us@acme.test", b"answer-1@acme.test"
    )
    result = ingest_email(bounce, domain=acme.domain)
    assert (result.outcome, result.ticket) == ("appended", 1)
    answer = Message.objects.get(message_id="answer-1@acme.test")
    assert answer.delivery_state == "failed"
    assert "5.1.1" in answer.delivery_error
    assert Ticket.objects.count() == 1
    assert ticket.events.filter(kind="delivery_failed").exists()


def test_message_routed_nowhere_is_rejected_with_the_addresses(acme: Acme) -> None:
    result = ingest_email(read_eml("ingest/not-for-us.eml"))
    assert result.outcome == "rejected"
    assert "sales@unknown.example" in result.reason
    assert RawMessage.objects.get(pk=result.raw_id).state == RawState.REJECTED


def test_routing_by_headers_ignores_other_domains_when_one_is_given(acme: Acme) -> None:
    from tests.conftest import make_acme

    make_acme("globex")
    raw = read_eml("ingest/new-request.eml").replace(b"support@acme.test", b"support@globex.test")
    assert ingest_email(raw, domain=acme.domain).outcome == "rejected"


def test_plus_addressing_routes_to_the_base_address(acme: Acme) -> None:
    assert route_address("Support+urgent@Acme.test") == acme.support
    assert route_address("nobody@acme.test") is None


def test_envelope_recipients_win_over_headers(acme: Acme) -> None:
    raw = read_eml("ingest/new-request.eml")
    result = ingest_email(raw, recipients=["orders@acme.test"])
    assert Ticket.objects.get(number=result.ticket).campaign == acme.orders


def test_oversized_message_is_quarantined_with_its_reason(acme: Acme, settings) -> None:  # type: ignore[no-untyped-def]
    settings.COMPTOIR_MAX_MESSAGE_SIZE = 100
    result = ingest("new-request.eml", acme, campaign=acme.support)
    assert result.outcome == "quarantined"
    raw = RawMessage.objects.get(pk=result.raw_id)
    assert raw.state == RawState.QUARANTINED
    assert raw.domain == acme.domain
    assert "COMPTOIR_MAX_MESSAGE_SIZE" in raw.reason


@pytest.mark.parametrize("garbage", [b"", b"\x00\xff\xfe garbage", b"From: \r\n\r\n"])
def test_garbage_is_stored_and_never_crashes(acme: Acme, garbage: bytes) -> None:
    result = ingest_email(garbage, campaign=acme.support)
    assert result.outcome in {"created", "quarantined"}
    assert bytes(RawMessage.objects.get(pk=result.raw_id).content) == garbage
