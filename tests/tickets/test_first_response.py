"""Ticket.first_response_at, the reports' first response: set by an agent's first reply,
whichever way it is written (ticket page, console, API), and by nothing else (a second
reply, a note, the automatic acknowledgement, a qualification, ingest alone or in bulk);
filled for the past by migration 0008."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from comptoir.distribution.actions import claim_next_ticket, qualify
from comptoir.mail.batch import ingest_many
from comptoir.mail.ingest import ingest_email
from comptoir.tickets.models import Direction, Message, Ticket
from comptoir.tickets.outbound import add_note, reply
from tests.api.conftest import Api, make_api_acme
from tests.conftest import Acme, Migrate
from tests.mail.mail_client import customer_mail
from tests.ui.conftest import add_message, client_for, make_ticket


def customer_ticket(acme: Acme) -> Ticket:
    ticket = make_ticket(acme.support)
    add_message(ticket, message_id=f"question-{ticket.number}@client.test")
    return ticket


def first_reply(ticket: Ticket) -> Message:
    replies = Message.objects.filter(ticket=ticket, direction=Direction.OUTBOUND)
    return replies.filter(is_automatic=False).earliest("created_at", "pk")


def answered_at(ticket: Ticket) -> object:
    return Ticket.objects.values_list("first_response_at", flat=True).get(pk=ticket.pk)


def test_the_first_reply_sets_it_and_a_second_does_not(acme: Acme) -> None:
    ticket = customer_ticket(acme)
    assert answered_at(ticket) is None
    reply(ticket, author=acme.agent, text="Bonjour, nous regardons.")
    first = first_reply(ticket)
    assert answered_at(ticket) == first.created_at
    reply(Ticket.objects.get(pk=ticket.pk), author=acme.supervisor, text="Voici la suite.")
    assert answered_at(ticket) == first.created_at


def test_a_stale_ticket_object_does_not_move_it(acme: Acme) -> None:
    ticket = customer_ticket(acme)
    stale = Ticket.objects.get(pk=ticket.pk)
    reply(ticket, author=acme.agent, text="Bonjour.")
    reply(stale, author=acme.agent, text="Encore moi.")
    assert answered_at(ticket) == first_reply(ticket).created_at


def test_a_reply_from_the_ticket_page_sets_it(acme: Acme) -> None:
    ticket = customer_ticket(acme)
    url = reverse("ui:ticket_reply", args=[ticket.number])
    assert client_for(acme.agent).post(url, {"text": "Bonjour."}).status_code == 302
    assert answered_at(ticket) == first_reply(ticket).created_at


def test_a_reply_from_the_console_sets_it(acme: Acme) -> None:
    ticket = customer_ticket(acme)
    client = client_for(acme.agent)
    played = client.post(reverse("ui:play", args=["support"]))
    processing_id = int(played["Location"].strip("/").split("/")[-1])
    url = reverse("ui:console_reply", args=[processing_id])
    assert client.post(url, {"text": "Bonjour, c'est parti."}).status_code == 302
    assert answered_at(ticket) == first_reply(ticket).created_at


def test_a_reply_through_the_api_sets_it(db: None) -> None:
    world = make_api_acme()
    ticket = customer_ticket(world.acme)
    answer = Api().post(f"/tickets/{ticket.number}/reply", world.alice_token, {"text": "Bonjour."})
    assert answer.status == 201
    assert answered_at(ticket) == first_reply(ticket).created_at


def test_notes_and_qualifications_are_no_response(acme: Acme) -> None:
    ticket = customer_ticket(acme)
    add_note(ticket, author=acme.agent, text="À voir avec la logistique.")
    now = timezone.now()
    processing = claim_next_ticket(acme.agent, acme.support, now=now).processing
    assert processing is not None and processing.ticket_id == ticket.pk
    qualify(processing, outcome="done", answers={}, now=now + timedelta(minutes=1))
    assert answered_at(ticket) is None


def test_the_automatic_acknowledgement_is_no_response(acme: Acme) -> None:
    acme.support.auto_reply_enabled = True
    acme.support.save()
    raw = customer_mail("claire@client.test", "Colis", "ack-1@client.test")
    number = ingest_email(raw, domain=acme.domain).ticket
    ticket = Ticket.objects.get(domain=acme.domain, number=number)
    assert ticket.messages.filter(direction=Direction.OUTBOUND, is_automatic=True).count() == 1
    assert answered_at(ticket) is None


def test_bulk_ingest_opens_tickets_without_a_response(acme: Acme) -> None:
    acme.support.auto_reply_enabled = True
    acme.support.save()
    items = [
        (f"m{n}", customer_mail(f"c{n}@client.test", f"Demande {n}", f"bulk-{n}@client.test"))
        for n in range(3)
    ]
    results = ingest_many(items, campaign=acme.support, auto_reply=True)
    assert [r.outcome for _label, r in results] == ["created"] * 3
    tickets = Ticket.objects.filter(domain=acme.domain)
    assert Message.objects.filter(ticket__in=tickets, is_automatic=True).count() == 3
    assert list(tickets.values_list("first_response_at", flat=True)) == [None] * 3


BEFORE = [("tickets", "0007_event_data")]
AFTER = [("tickets", "0008_report_columns")]


def test_the_migration_fills_it_from_the_stored_replies(migrator: Migrate) -> None:
    old = migrator(BEFORE)
    domain = old.get_model("tenancy", "Domain").objects.create(slug="acme", name="Acme")
    campaign = old.get_model("campaigns", "Campaign").objects.create(
        domain=domain, slug="support", name="Support"
    )
    contact = old.get_model("tickets", "Contact").objects.create(domain=domain, email="c@x.test")
    OldTicket, OldMessage = old.get_model("tickets", "Ticket"), old.get_model("tickets", "Message")
    answered, unanswered = (
        OldTicket.objects.create(domain=domain, campaign=campaign, contact=contact, number=n)
        for n in (1, 2)
    )
    start = timezone.now()
    rows = [
        (answered, "inbound", False, 0),
        (answered, "outbound", True, 1),  # the acknowledgement
        (answered, "outbound", False, 20),
        (answered, "outbound", False, 10),  # stored after, written before: the first
        (answered, "note", False, 5),
        (unanswered, "inbound", False, 0),
        (unanswered, "outbound", True, 1),
    ]
    for n, (ticket, direction, automatic, minutes) in enumerate(rows):
        OldMessage.objects.create(
            domain=domain,
            ticket=ticket,
            direction=direction,
            is_automatic=automatic,
            dedupe_key=f"key-{n}",
            created_at=start + timedelta(minutes=minutes),
        )
    new = migrator(AFTER)
    tickets = new.get_model("tickets", "Ticket").objects.order_by("number")
    assert [t.first_response_at for t in tickets] == [start + timedelta(minutes=10), None]
