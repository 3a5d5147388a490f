"""What the API answers: tickets, messages and processings as JSON-ready dicts.

A message has the shape of the export format (supervision.export, docs/export.md), plus its
id and author, with `delivery` and `automatic` always present (null when they do not apply).
"""

from datetime import datetime
from typing import Any

from django.db.models import Prefetch

from comptoir.campaigns.models import Campaign
from comptoir.distribution.actions import NextTicket
from comptoir.distribution.models import Processing
from comptoir.supervision.export import export_message
from comptoir.tenancy.models import User
from comptoir.tickets.models import Attachment, Message, Ticket


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def login_of(user: User | None) -> str | None:
    return user.login if user is not None else None


def message_json(message: Message) -> dict[str, Any]:
    row: dict[str, Any] = {"id": message.pk, **export_message(message)}
    row["delivery"] = row.get("delivery")
    row["automatic"] = row.get("automatic")
    row["author"] = login_of(message.author)
    return row


def thread(ticket: Ticket) -> list[Message]:
    attachments = Attachment.objects.order_by("pk")
    return list(
        Message.objects.filter(domain_id=ticket.domain_id, ticket=ticket)
        .select_related("author")
        .prefetch_related(Prefetch("attachments", queryset=attachments))
        .order_by("created_at", "pk")
    )


def live_processing_on(ticket: Ticket, user: User) -> Processing | None:
    """The user's processing of this ticket that has not ended, if any."""
    return (
        Processing.objects.filter(
            domain_id=user.domain_id, ticket=ticket, agent=user, ended_at__isnull=True
        )
        .select_related("campaign", "ticket")
        .first()
    )


def ticket_json(ticket: Ticket, user: User) -> dict[str, Any]:
    """The ticket as the user sees it, thread included."""
    live = live_processing_on(ticket, user)
    return {
        "number": ticket.number,
        "subject": ticket.subject,
        "status": ticket.status,
        "campaign": ticket.campaign.slug,
        "contact": {"email": ticket.contact.email, "name": ticket.contact.name},
        "assignee": login_of(ticket.assignee),
        "attempts": ticket.attempts,
        "priority": ticket.priority,
        "flagged": ticket.flagged,
        "reopen_at": iso(ticket.reopen_at),
        "blocked_until": iso(ticket.blocked_until),
        "locked_by": login_of(ticket.locked_by),
        "locked_until": iso(ticket.locked_until),
        "created_at": iso(ticket.created_at),
        "processing": live.pk if live is not None else None,
        "messages": [message_json(m) for m in thread(ticket)],
    }


def next_json(served: NextTicket, user: User) -> dict[str, Any]:
    if served.ticket is None or served.processing is None:
        return {"ticket": None, "reason": served.reason, "opens_at": iso(served.opens_at)}
    return {"ticket": ticket_json(served.ticket, user), "processing": served.processing.pk}


def processing_json(processing: Processing) -> dict[str, Any]:
    outcome = None
    if processing.outcome_code:
        outcome = {
            "code": processing.outcome_code,
            "label": processing.outcome_label,
            "kind": processing.outcome_kind,
        }
    return {
        "id": processing.pk,
        "ticket": processing.ticket.number,
        "campaign": processing.campaign.slug,
        "started_at": iso(processing.started_at),
        "ended_at": iso(processing.ended_at),
        "end_reason": processing.end_reason or None,
        "outcome": outcome,
        "answers": processing.answers,
        "reopen_at": iso(processing.reopen_at),
        "counted_attempt": processing.counted_attempt,
        "script": script_json(processing),
    }


def script_json(processing: Processing) -> dict[str, Any] | None:
    """The script version it was qualified with (null: the standard outcomes, or not qualified)."""
    version = processing.script_version
    if version is None:
        return None
    return {"id": version.script_id, "name": version.script.name, "version": version.number}


def campaign_json(campaign: Campaign, *, playable: bool) -> dict[str, Any]:
    return {"slug": campaign.slug, "name": campaign.name, "playable": playable}
