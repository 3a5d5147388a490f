"""Tickets, messages and logged-in clients for the web UI tests, built with the models."""

import hashlib
import itertools

from django.test import Client

from comptoir.campaigns.models import Campaign
from comptoir.lib.html import sanitize_html
from comptoir.tenancy.models import User
from comptoir.tickets.models import Contact, Direction, Message, Ticket, TicketEvent
from comptoir.tickets.numbering import allocate_ticket_number

_keys = itertools.count()


def make_ticket(
    campaign: Campaign,
    *,
    subject: str = "Ma commande n'est pas arrivée",
    contact_email: str = "claire@client.test",
    assignee: User | None = None,
    status: str = "open",
) -> Ticket:
    contact, _created = Contact.objects.get_or_create(
        domain_id=campaign.domain_id, email=contact_email, defaults={"name": "Claire Client"}
    )
    return Ticket.objects.create(
        domain_id=campaign.domain_id,
        campaign=campaign,
        contact=contact,
        subject=subject,
        status=status,
        assignee=assignee,
        number=allocate_ticket_number(campaign.domain_id),
    )


def add_message(
    ticket: Ticket,
    *,
    direction: str = Direction.INBOUND,
    text: str = "Bonjour,\nje n'ai rien reçu.\nClaire",
    html: str = "",
    **fields: object,
) -> Message:
    # The customer writing to the support address, unless `fields` says otherwise.
    values: dict[str, object] = {
        "from_email": ticket.contact.email,
        "from_name": ticket.contact.name,
        "to": [{"name": "Support", "email": "support@acme.test"}],
        "subject": ticket.subject,
        **fields,
    }
    return Message.objects.create(
        domain_id=ticket.domain_id,
        ticket=ticket,
        direction=direction,
        dedupe_key=hashlib.sha256(f"test-{next(_keys)}".encode()).hexdigest(),
        text=text,
        # What ingest stores: the sanitiser's output, never the sender's markup.
        html=sanitize_html(html) if html else "",
        **values,
    )


def add_event(ticket: Ticket, kind: str, detail: str) -> TicketEvent:
    """A history row as written before events had parameters: its sentence in data["text"]."""
    return TicketEvent.objects.create(
        domain_id=ticket.domain_id, ticket=ticket, kind=kind, data={"text": detail}
    )


def client_for(user: User, host: str = "") -> Client:
    """A test client logged in as `user`, on the domain's own address unless told otherwise."""
    client = Client(HTTP_HOST=host or f"{user.domain.slug}.localhost")
    client.force_login(user)
    return client
