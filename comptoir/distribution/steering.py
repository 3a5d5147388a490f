"""What a campaign's supervisors do to its tickets: reassign, unassign, unlock, requeue."""

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from comptoir.distribution.actions import PlayError, end_processing
from comptoir.distribution.models import EndReason, Processing
from comptoir.tenancy.models import User
from comptoir.tickets.access import playable_campaigns, supervises
from comptoir.tickets.actions import record_event
from comptoir.tickets.models import EventKind, Ticket


def check_supervises(user: User, ticket: Ticket) -> None:
    if not supervises(user, ticket.campaign):
        raise PermissionDenied("only the campaign's supervisors may do this")


def locked(ticket: Ticket) -> Ticket:
    return Ticket.objects.select_for_update().select_related("campaign").get(pk=ticket.pk)


def reassign(ticket: Ticket, to: User, *, by: User) -> Ticket:
    """Give the ticket to another agent of the campaign (it is theirs alone from now on)."""
    check_supervises(by, ticket)
    if to.domain_id != ticket.domain_id or not to.is_active:
        raise PermissionDenied("not a user of this domain")
    if not playable_campaigns(to).filter(pk=ticket.campaign_id).exists():
        raise PlayError(f"{to.login} does not process this campaign")
    with transaction.atomic():
        ticket = locked(ticket)
        ticket.assignee = to
        ticket.save(update_fields=["assignee"])
        kind = EventKind.REASSIGNED
        record_event(ticket=ticket, kind=kind, actor_id=by.pk, agent=to.login)
    return ticket


def unassign(ticket: Ticket, *, by: User) -> Ticket:
    check_supervises(by, ticket)
    with transaction.atomic():
        ticket = locked(ticket)
        ticket.assignee = None
        ticket.save(update_fields=["assignee"])
        record_event(ticket=ticket, kind=EventKind.UNASSIGNED, actor_id=by.pk)
    return ticket


def unlock(ticket: Ticket, *, by: User, now: datetime | None = None) -> Ticket:
    """End the live processing on the ticket (no attempt counted) and free it."""
    check_supervises(by, ticket)
    now = now or timezone.now()
    with transaction.atomic():
        ticket = locked(ticket)
        # As an expired lock: an unread customer message stays due for the assignee.
        for processing in Processing.objects.filter(ticket=ticket, ended_at__isnull=True):
            end_processing(processing, EndReason.UNLOCKED, now)
        ticket.locked_by, ticket.locked_until = None, None
        ticket.save(update_fields=["locked_by", "locked_until"])
        record_event(ticket=ticket, kind=EventKind.UNLOCKED, actor_id=by.pk)
    return ticket


def requeue(ticket: Ticket, *, by: User) -> Ticket:
    """A ticket flagged at max attempts goes back to the queue with its attempts reset."""
    check_supervises(by, ticket)
    with transaction.atomic():
        ticket = locked(ticket)
        ticket.flagged, ticket.attempts, ticket.blocked_until = False, 0, None
        ticket.save(update_fields=["flagged", "attempts", "blocked_until"])
        record_event(ticket=ticket, kind=EventKind.REQUEUED, actor_id=by.pk)
    return ticket
