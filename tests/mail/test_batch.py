"""Bulk ingest gives exactly the results of ingesting the same messages one by one."""

from email.message import EmailMessage

import pytest

from comptoir.mail.batch import ingest_many
from comptoir.mail.ingest import ingest_email
from comptoir.tickets.models import Message, RawMessage, Ticket, TicketEvent
from tests.conftest import Acme, make_acme, read_eml
from tests.mail.threading_stream import build_stream, tag_only


def mixed_stream() -> list[tuple[str, bytes]]:
    """Threads, replies before parents, duplicates, tags, automatic mail and garbage."""
    items = [(f"s{i}", m.raw) for i, m in enumerate(build_stream(customers=12, steps=90))]
    items.insert(5, ("parent-late", read_eml("ingest/reply-in-reply-to.eml")))
    items.insert(30, ("parent", read_eml("ingest/new-request.eml")))
    items.insert(31, ("again", read_eml("ingest/new-request.eml")))
    items.append(("dup-early", items[3][1]))
    items.insert(40, ("tag-owner", tag_only("client3@exemple.fr", 2, "t1@ex.fr")))
    items.insert(41, ("tag-stranger", tag_only("x@autre.example", 2, "t2@ex.fr")))
    items.insert(50, ("auto", read_eml("ingest/out-of-office.eml")))
    items.insert(60, ("garbage", b"\x00\xff garbage"))
    items.insert(70, ("bounce", read_eml("ingest/bounce-unknown.eml")))
    items.insert(71, ("list", read_eml("ingest/newsletter.eml")))
    items.insert(61, ("no-id", read_eml("ingest/no-message-id.eml")))
    items.insert(62, ("no-id-again", read_eml("ingest/no-message-id.eml")))
    return items


def summary(domain_id: int) -> list[tuple]:
    tickets = Ticket.objects.filter(domain_id=domain_id).order_by("number")
    return [
        (
            t.number,
            t.status,
            t.has_unread,
            t.contact.email,
            [m.message_id for m in t.messages.order_by("pk")],
            [(e.kind, e.detail) for e in t.events.order_by("pk")],
        )
        for t in tickets
    ]


@pytest.mark.parametrize("batch_size", [1, 7, 200])
def test_bulk_ingest_matches_one_by_one_ingest(acme: Acme, batch_size: int) -> None:
    globex = make_acme("globex")
    items = mixed_stream()
    one_by_one = [
        (label, ingest_email(raw, campaign=acme.support, source=label)) for label, raw in items
    ]
    bulk = list(ingest_many(items, campaign=globex.support, batch_size=batch_size))
    assert [label for label, _r in bulk] == [label for label, _r in items]
    expected = [(r.outcome, r.ticket, r.reason) for _l, r in one_by_one]
    assert [(r.outcome, r.ticket, r.reason) for _l, r in bulk] == expected
    assert {r.outcome for _l, r in bulk} >= {"created", "appended", "duplicate", "quarantined"}
    assert summary(globex.domain.pk) == summary(acme.domain.pk)
    for domain in (acme.domain, globex.domain):
        stored = RawMessage.objects.filter(domain=domain)
        assert stored.count() == sum(r.outcome != "duplicate" for _l, r in one_by_one)


def test_bulk_ingest_keeps_raw_bytes_and_attachments(acme: Acme) -> None:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "a@b.fr", "support@acme.test", "Photo"
    message["Message-ID"] = "<photo@b.fr>"
    message.set_content("Voici la photo.")
    message.add_attachment(b"\x89PNG fake", maintype="image", subtype="png", filename="p.png")
    raw = bytes(message)
    [(label, result)] = list(ingest_many([("one", raw)], campaign=acme.support))
    assert (label, result.outcome, result.ticket) == ("one", "created", 1)
    assert bytes(RawMessage.objects.get(pk=result.raw_id).content) == raw
    stored = Message.objects.get(raw_id=result.raw_id)
    assert stored.ticket.number == 1
    assert [(a.filename, a.size) for a in stored.attachments.all()] == [("p.png", 9)]
    assert TicketEvent.objects.get(ticket__number=1).data == {"rule": "new"}


def test_bulk_ingest_reopens_a_closed_ticket_like_one_by_one(acme: Acme) -> None:
    ingest_email(read_eml("ingest/new-request.eml"), campaign=acme.support)
    Ticket.objects.filter(number=1).update(status="closed", has_unread=False)
    items = [("reply", read_eml("ingest/reply-in-reply-to.eml"))]
    [(_label, result)] = list(ingest_many(items, campaign=acme.support))
    assert (result.outcome, result.ticket) == ("appended", 1)
    ticket = Ticket.objects.get(number=1)
    assert (ticket.status, ticket.has_unread) == ("open", True)
    assert ticket.events.filter(kind="ticket_reopened").count() == 1


def test_mail_with_only_our_address_as_sender_is_quarantined_in_bulk_too(acme: Acme) -> None:
    raw = (
        b"Sender: support@acme.test\r\nTo: orders@acme.test\r\nSubject: Accuse\r\n"
        b"Message-ID: <loop-sender@acme.test>\r\n\r\nNous avons bien recu.\r\n"
    )
    [(_label, result)] = list(ingest_many([("loop", raw)], campaign=acme.orders))
    assert result.outcome == "quarantined"
    assert not Ticket.objects.exists()
