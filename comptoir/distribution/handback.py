"""Giving a ticket back: the agent's pause (`actions.release`) and a supervisor taking the
processing back (`supervision.states.force_pause`, `force_out_of_play`) end it the same way;
only the history line differs. With them, the outcome rules that qualify shares.

Apart from distribution.actions so that supervision.states may use it: actions calls
supervision.states (the agent's state follows play), and this module calls neither.
"""

from datetime import datetime, timedelta
from typing import Any

from django.utils.translation import gettext as _

from comptoir.distribution.errors import PlayError
from comptoir.distribution.models import EndReason, Processing
from comptoir.scripts.models import OutcomeKind
from comptoir.tickets.actions import record_event
from comptoir.tickets.models import Direction, EventKind, Message, Ticket, TicketStatus


def held_ticket(processing: Processing, now: datetime) -> Ticket:
    """The ticket of a live processing whose agent still holds it (or nobody took it since)."""
    ticket = Ticket.objects.select_for_update().get(pk=processing.ticket_id)
    if ticket.locked_by_id not in (None, processing.agent_id):
        raise PlayError(_("Your lock on this ticket expired and another agent took it."))
    # Checked in the database, after the ticket's row lock: the caller's object may be stale
    # (the lock expired and another agent took the ticket and let it go, a supervisor unlocked).
    live = Processing.objects.filter(pk=processing.pk, ended_at__isnull=True).exists()
    if processing.ended_at is not None or not live:
        raise PlayError(_("This processing is already over."))
    return ticket


def flag_at_max_attempts(ticket: Ticket, max_attempts: int) -> None:
    """After a counted attempt: at the campaign's maximum the ticket leaves the queue."""
    if ticket.attempts >= max_attempts and not ticket.flagged:
        ticket.flagged = True
        ticket.save(update_fields=["flagged"])
        kind = EventKind.MAX_ATTEMPTS_REACHED
        record_event(ticket=ticket, kind=kind, attempts=ticket.attempts)


def apply_outcome(
    ticket: Ticket, processing: Processing, kind: str, reopen_at: datetime | None, now: datetime
) -> bool:
    """Change the ticket as the outcome says; whether the processing counts as an attempt."""
    ticket.locked_by, ticket.locked_until, ticket.updated_at = None, None, now
    fields = ["locked_by", "locked_until", "updated_at"]
    if kind == OutcomeKind.FINAL:
        ticket.status, ticket.reopen_at, ticket.blocked_until = TicketStatus.CLOSED, None, None
        ticket.closing_qualification = {
            "outcome": processing.outcome_code,
            "answers": processing.answers,
        }
        closing = ["status", "reopen_at", "blocked_until", "closing_qualification"]
        ticket.save(update_fields=[*fields, *closing])
        return False
    blocking = timedelta(minutes=processing.campaign.blocking_minutes)
    ticket.attempts += 1
    ticket.blocked_until = now + blocking
    ticket.reopen_at = None
    if kind == OutcomeKind.REOPEN_LATER:
        # It comes back to this agent at that date (the seed's "A réouvrir plus tard").
        ticket.reopen_at, ticket.blocked_until = reopen_at, None
        ticket.assignee_id = ticket.assignee_id or processing.agent_id
    if kind == OutcomeKind.NOT_FINISHED and ticket.assignee_id is not None:
        # Only its assignee may be served an assigned ticket, and only when it is due: the
        # end of the blocking is its reopen date, else it would never come back to them.
        ticket.reopen_at = ticket.blocked_until
    if kind == OutcomeKind.WAITING_CUSTOMER:
        ticket.status = TicketStatus.WAITING
    ticket.save(
        update_fields=[
            *fields,
            "attempts",
            "blocked_until",
            "reopen_at",
            "assignee",
            "status",
        ]
    )
    return True


def did_something(processing: Processing) -> bool:
    """Whether the agent replied or wrote a note during this processing."""
    return Message.objects.filter(
        ticket_id=processing.ticket_id,
        author_id=processing.agent_id,
        direction__in=[Direction.OUTBOUND, Direction.NOTE],
        created_at__gte=processing.started_at,
    ).exists()


def give_back(
    processing: Processing, now: datetime, *, kind: EventKind, actor_id: int | None, **data: Any
) -> Processing:
    """End a live processing as a pause, in the caller's transaction; the history says
    `kind` (with `data`). Nothing done: the ticket goes back exactly as it was (no attempt).
    A reply or a note written: it counts as "not finished" (an attempt, then blocking), so
    that the customer who just got an answer is not served straight to another agent."""
    ticket = held_ticket(processing, now)
    if did_something(processing):
        apply_outcome(ticket, processing, OutcomeKind.NOT_FINISHED, None, now)
        processing.counted_attempt = True
        flag_at_max_attempts(ticket, processing.campaign.max_attempts)
    else:
        ticket.locked_by, ticket.locked_until = None, None
        ticket.has_unread = ticket.has_unread or processing.was_unread
        ticket.save(update_fields=["locked_by", "locked_until", "has_unread"])
    processing.ended_at, processing.end_reason = now, EndReason.RELEASED
    processing.save(update_fields=["ended_at", "end_reason", "counted_attempt"])
    record_event(ticket=ticket, kind=kind, actor_id=actor_id, **data)
    return processing
