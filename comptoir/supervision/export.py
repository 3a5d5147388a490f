"""The public export format (docs/export.md): one JSON object per ticket, or per quarantined
message. Stable: a user takes their data out with it, tests check what was stored with it."""

import base64
from collections.abc import Iterator
from typing import Any

from django.db.models import Prefetch

from comptoir.tenancy.models import Domain
from comptoir.tickets.models import (
    Attachment,
    Direction,
    Message,
    RawMessage,
    RawState,
    Ticket,
    TicketEvent,
)

BATCH = 200


def export_message(message: Message) -> dict[str, Any]:
    row: dict[str, Any] = {
        "direction": message.direction,
        "message_id": message.message_id,
        "from": {"email": message.from_email, "name": message.from_name},
        "to": message.to,
        "cc": message.cc,
        "subject": message.subject,
        "date": (message.date or message.created_at).isoformat(),
        "text": message.text,
        "html": message.html,
        "attachments": [
            {
                "filename": a.filename,
                "content_type": a.content_type,
                "size": a.size,
                "sha256": a.sha256,
                "inline": a.inline,
            }
            for a in message.attachments.all()
        ],
    }
    if message.direction == Direction.OUTBOUND:
        row["delivery"] = {
            "state": message.delivery_state,
            "attempts": message.delivery_attempts,
            "last_error": message.delivery_error,
        }
    if message.is_automatic:
        row["automatic"] = message.automatic_reason
    return row


def export_ticket(ticket: Ticket) -> dict[str, Any]:
    return {
        "number": ticket.number,
        "campaign": ticket.campaign.slug,
        "subject": ticket.subject,
        "status": ticket.status,
        "created_at": ticket.created_at.isoformat(),
        "contact": {"email": ticket.contact.email, "name": ticket.contact.name},
        "messages": [export_message(m) for m in ticket.messages.all()],
        "history": [export_event(e) for e in ticket.events.all()],
    }


def export_event(event: TicketEvent) -> dict[str, Any]:
    """The machine form of a history line: its kind and parameters, and the English sentence
    (the same whatever the exporting user's language)."""
    return {
        "at": event.created_at.isoformat(),
        "kind": event.kind,
        "actor": event.actor.login if event.actor is not None else None,
        "data": event.data,
        "text": event.text("en"),
    }


def export_tickets(domain: Domain) -> Iterator[dict[str, Any]]:
    messages = Message.objects.order_by("created_at", "pk").prefetch_related(
        Prefetch("attachments", queryset=Attachment.objects.order_by("pk"))
    )
    events = TicketEvent.objects.select_related("actor").order_by("created_at", "pk")
    tickets = (
        Ticket.objects.filter(domain=domain, number__isnull=False)
        .select_related("campaign", "contact")
        .prefetch_related(
            Prefetch("messages", queryset=messages),
            Prefetch("events", queryset=events),
        )
        .order_by("number")
    )
    last = 0
    while True:
        batch = list(tickets.filter(number__gt=last)[:BATCH])
        if not batch:
            return
        for ticket in batch:
            yield export_ticket(ticket)
        last = batch[-1].number or last


def export_quarantine(domain: Domain) -> Iterator[dict[str, Any]]:
    rows = RawMessage.objects.filter(domain=domain, state=RawState.QUARANTINED).order_by("pk")
    for raw in rows.iterator(chunk_size=BATCH):
        yield {
            "quarantine": True,
            "id": raw.pk,
            "received_at": raw.received_at.isoformat(),
            "source": raw.source,
            "reason": raw.reason,
            "subject": raw.subject,
            "from": raw.from_address,
            "size": raw.size,
            "sha256": raw.sha256,
            "raw_base64": base64.b64encode(bytes(raw.content)).decode("ascii"),
        }
