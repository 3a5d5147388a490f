"""State changes of tickets caused by inbound mail, called by mail.ingest in its transaction."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection
from django.utils import timezone

from comptoir.campaigns.models import Campaign
from comptoir.lib.dates import readable_or_none
from comptoir.lib.fastsql import insert
from comptoir.lib.text import clean
from comptoir.tickets.blobs import store_blob
from comptoir.tickets.history import Reason
from comptoir.tickets.models import (
    Attachment,
    Contact,
    DeliveryState,
    Direction,
    EventKind,
    Message,
    MessageReference,
    RawMessage,
    Ticket,
    TicketEvent,
    TicketStatus,
)
from comptoir.tickets.numbering import allocate_ticket_number


@dataclass
class InboundAttachment:
    filename: str
    content_type: str
    content: bytes
    content_id: str = ""
    inline: bool = False


@dataclass
class InboundMessage:
    """What ingest hands to the ticket core: parsed, cleaned, classified."""

    raw: RawMessage
    message_id: str
    dedupe_key: str
    reference_keys: list[str]
    in_reply_to: str
    references: list[str]
    from_email: str
    from_name: str
    to: list[dict[str, str]]
    cc: list[dict[str, str]]
    reply_to: list[dict[str, str]]
    subject: str
    date: datetime | None
    text: str
    html: str
    attachments: list[InboundAttachment]
    automatic_reason: str


CONTACT_SQL = f"SELECT id, name FROM {Contact._meta.db_table} WHERE domain_id = %s AND email = %s"


def find_or_create_contact(domain_id: int, email: str, name: str) -> int:
    """The id of the domain's contact with this address, created when new."""
    email, name = clean(email, 320), clean(name, 200)
    with connection.cursor() as cursor:
        cursor.execute(CONTACT_SQL, [domain_id, email])
        row = cursor.fetchone()
        if row is None:
            # ON CONFLICT DO NOTHING: a concurrent insert of the same contact is not an error
            # and needs no savepoint; the row is then read back, whoever inserted it.
            new = Contact(domain_id=domain_id, email=email, name=name)
            Contact.objects.bulk_create([new], ignore_conflicts=True)
            cursor.execute(CONTACT_SQL, [domain_id, email])
            row = cursor.fetchone()
    contact_id, known_name = row
    if name and not known_name:
        Contact.objects.filter(pk=contact_id).update(name=name)
    return int(contact_id)


NUMBER_SQL = f"UPDATE {Ticket._meta.db_table} SET number = %s WHERE id = %s"


def new_ticket(campaign: Campaign, inbound: InboundMessage, contact_id: int) -> Ticket:
    """The (unsaved) ticket a new message opens; its number is given at the end."""
    now = timezone.now()
    return Ticket(
        domain_id=campaign.domain_id,
        campaign=campaign,
        contact_id=contact_id,
        subject=clean(inbound.subject, 998),
        priority=campaign.priority,
        is_automatic=bool(inbound.automatic_reason),
        last_inbound_at=now,
        created_at=now,
        updated_at=now,
        waiting_since=now,  # the customer waits from now (not the column default's clock)
    )


def open_ticket(campaign: Campaign, inbound: InboundMessage, why: Reason) -> tuple[Ticket, Message]:
    """A new ticket for a message that belongs to no existing one."""
    contact_id = find_or_create_contact(campaign.domain_id, inbound.from_email, inbound.from_name)
    ticket = new_ticket(campaign, inbound, contact_id)
    insert(ticket)
    message = save_message(ticket, inbound)
    # Allocated last: the counter row stays locked only until this transaction commits.
    ticket.number = allocate_ticket_number(campaign.domain_id)
    with connection.cursor() as cursor:
        cursor.execute(NUMBER_SQL, [ticket.number, ticket.pk])
    record_event(ticket=ticket, message=message, kind=EventKind.TICKET_CREATED, **why.data)
    return ticket, message


def wake(ticket: Ticket, inbound: InboundMessage) -> tuple[list[str], str]:
    """A new message on a ticket: a person's message marks it unread, makes it due at once
    (no blocking, no reopen date: for its assignee only when it has one) and reopens it
    (SPEC §3, §4); automatic mail changes nothing but the time. Returns the fields changed
    and, when it was reopened, the status it had (a TicketStatus value)."""
    fields = ["updated_at"]
    ticket.updated_at = timezone.now()
    if inbound.automatic_reason:
        return fields, ""
    ticket.has_unread = True
    ticket.last_inbound_at = ticket.updated_at
    ticket.blocked_until, ticket.reopen_at = None, None
    fields += ["has_unread", "last_inbound_at", "blocked_until", "reopen_at"]
    if ticket.status == TicketStatus.OPEN:
        return fields, ""
    previous = str(ticket.status)
    ticket.status = TicketStatus.OPEN
    ticket.waiting_since = ticket.updated_at  # back in the queue from now
    return [*fields, "status", "waiting_since"], previous


def append_inbound(ticket: Ticket, inbound: InboundMessage, why: Reason) -> Message:
    """Add a message to its ticket and wake the ticket up."""
    message = save_message(ticket, inbound)
    record_event(ticket=ticket, message=message, kind=EventKind.MESSAGE_APPENDED, **why.data)
    fields, previous = wake(ticket, inbound)
    if previous:
        record_event(
            ticket=ticket, message=message, kind=EventKind.TICKET_REOPENED, previous=previous
        )
    ticket.save(update_fields=fields)
    return message


def message_row(ticket: Ticket, inbound: InboundMessage) -> Message:
    """The (unsaved) Message row of an inbound message."""
    return Message(
        domain_id=ticket.domain_id,
        ticket=ticket,
        direction=Direction.INBOUND,
        raw=inbound.raw,
        message_id=clean(inbound.message_id),
        dedupe_key=inbound.dedupe_key,
        in_reply_to=clean(inbound.in_reply_to),
        references=[clean(r) for r in inbound.references],
        from_email=clean(inbound.from_email, 320),
        from_name=clean(inbound.from_name, 200),
        to=inbound.to,
        cc=inbound.cc,
        reply_to=inbound.reply_to,
        subject=clean(inbound.subject, 998),
        # The sender's Date: header, from anyone: year 10000 in UTC would be stored but
        # unreadable, and break every page showing the ticket (issue 10, finding 8).
        date=readable_or_none(inbound.date),
        text=clean(inbound.text),
        html=clean(inbound.html),
        is_automatic=bool(inbound.automatic_reason),
        automatic_reason=clean(inbound.automatic_reason, 200),
        # Stamped here, by the clock the ticket's times are read from (timezone.now), not
        # by the column's default: the reports count messages by this time.
        created_at=timezone.now(),
    )


def reference_rows(message: Message, inbound: InboundMessage) -> list[MessageReference]:
    return [
        MessageReference(domain_id=message.domain_id, message=message, ref_key=key)
        for key in inbound.reference_keys
    ]


def save_message(ticket: Ticket, inbound: InboundMessage) -> Message:
    message = message_row(ticket, inbound)
    insert(message)
    MessageReference.objects.bulk_create(reference_rows(message, inbound))
    save_attachments(message, inbound.attachments)
    return message


def attachment_rows(message: Message, attachments: list[InboundAttachment]) -> list[Attachment]:
    """Attachment rows, their contents stored first (content-addressed)."""
    rows = []
    for item in attachments:
        digest, name = store_blob(item.content)
        rows.append(
            Attachment(
                domain_id=message.domain_id,
                message=message,
                filename=clean(item.filename, 255),
                content_type=clean(item.content_type, 255),
                size=len(item.content),
                content_id=clean(item.content_id, 255),
                inline=item.inline,
                sha256=digest,
                storage_name=name,
            )
        )
    return rows


def save_attachments(message: Message, attachments: list[InboundAttachment]) -> None:
    Attachment.objects.bulk_create(attachment_rows(message, attachments))


def event_row(
    *,
    ticket: Ticket,
    kind: EventKind,
    message: Message | None = None,
    actor_id: int | None = None,
    **data: object,
) -> TicketEvent:
    """An (unsaved) history row: what record_event writes, and the bulk paths with it."""
    return TicketEvent(
        domain_id=ticket.domain_id,
        ticket_id=ticket.pk,
        message=message,
        actor_id=actor_id,
        # Raises ValueError for a kind outside the vocabulary: history has no free strings.
        kind=EventKind(kind),
        data=storable(data),
        created_at=timezone.now(),  # the clock of the ticket's times, as message_row
    )


def storable(value: object) -> Any:
    """Parameters as a JSON column holds them: strings (from mail, from anyone) without NUL."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, dict):
        return {str(k): storable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [storable(v) for v in value]
    return value


def record_event(
    *,
    ticket: Ticket,
    kind: EventKind,
    message: Message | None = None,
    actor_id: int | None = None,
    **data: object,
) -> TicketEvent:
    """Append to the ticket's history: its kind and its parameters (tickets.history says them
    in words); `actor_id` is the user who acted, when one did. The only writer of history
    one row at a time; bulk paths build the same rows with event_row."""
    event = event_row(ticket=ticket, kind=kind, message=message, actor_id=actor_id, **data)
    insert(event)
    return event


def record_bounce(
    original: Message, inbound: InboundMessage, status: str, diagnostic: str
) -> Message:
    """A delivery-status report for one of our messages: keep it on that message's ticket and,
    when the message was ours (outbound), mark its delivery failed. Never a new ticket."""
    ticket = original.ticket
    bounce = save_message(ticket, inbound)
    reason = " ".join(part for part in (status, diagnostic) if part) or "delivery failed"
    if original.direction == Direction.OUTBOUND:
        original.delivery_state = DeliveryState.FAILED
        original.delivery_error = clean(reason)
        original.save(update_fields=["delivery_state", "delivery_error"])
    record_event(
        ticket=ticket,
        message=bounce,
        kind=EventKind.DELIVERY_FAILED,
        rule="delivery-report",
        message_id=original.message_id,
        status=clean(status),
        diagnostic=clean(diagnostic),
    )
    return bounce
