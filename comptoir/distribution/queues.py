"""What waits in a campaign's queue, and where an agent's own tickets stand; read-only.

The conditions are those of `claim.claim_row` (its ELIGIBLE, QUEUE and MINE_DUE clauses),
written with the ORM so that the campaign list and the supervisors' board
(supervision.board) count exactly what play would serve, plus what
`actions.claim_next_ticket` does before it claims: end the agent's processing whose lock
expired, which gives an unread message back (`came_back_unread`).
tests/distribution/test_queue_agreement.py holds them together.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from django.db.models import (
    BooleanField,
    Count,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Coalesce, Greatest

from comptoir.campaigns.models import Campaign
from comptoir.distribution.models import Processing
from comptoir.tenancy.models import User
from comptoir.tickets.models import Direction, Message, Ticket, TicketStatus


def servable(now: datetime, max_attempts: int | F) -> Q:
    """The claim's ELIGIBLE clause but for its domain and campaign: what play may serve now
    (to someone). `max_attempts` is the campaign's number, or F("campaign__max_attempts")
    where one query counts several campaigns (the board)."""
    return Q(
        Q(locked_until__isnull=True) | Q(locked_until__lt=now),
        Q(blocked_until__isnull=True) | Q(blocked_until__lte=now),
        Q(reopen_at__isnull=True) | Q(reopen_at__lte=now),
        status=TicketStatus.OPEN,
        flagged=False,
        number__isnull=False,
        attempts__lt=max_attempts,
    )


def eligible(campaign: Campaign, now: datetime) -> QuerySet[Ticket]:
    """Tickets of the campaign that play may serve now (to someone)."""
    return Ticket.objects.filter(
        servable(now, campaign.max_attempts), domain_id=campaign.domain_id, campaign=campaign
    )


def waiting_count(campaign: Campaign, now: datetime) -> int:
    """Unassigned tickets waiting to be served."""
    return eligible(campaign, now).filter(assignee__isnull=True).count()


def due_for(agent: User, campaign: Campaign, now: datetime) -> QuerySet[Ticket]:
    """The agent's own tickets that came back (a customer wrote, the reopen date came):
    play serves these to them first."""
    return eligible(campaign, now).filter(due_again(agent), assignee=agent)


def due_again(agent: User) -> Q:
    """The MINE clause of the claim, for a ticket assigned to the agent and servable now:
    a customer wrote, the reopen date came, or the agent's lapsed processing gives an unread
    message back."""
    return Q(has_unread=True) | Q(reopen_at__isnull=False) | came_back_unread(processings_of(agent))


def processings_of(agent: User) -> QuerySet[Processing]:
    return Processing.objects.filter(domain_id=agent.domain_id, agent=agent)


def due_again_to_assignee(domain_id: int) -> Q:
    """`due_again` of each ticket's own assignee, for a query over everyone's tickets."""
    lapsed = Processing.objects.filter(domain_id=domain_id, agent_id=F("ticket__assignee_id"))
    return Q(has_unread=True) | Q(reopen_at__isnull=False) | came_back_unread(lapsed)


def came_back_unread(processings: QuerySet[Processing]) -> Q:
    """The ticket has a live processing among these, served because the customer wrote and
    left with nothing written: once its lock expired (which `eligible` asks), the next play
    ends it and the message is unread again (actions.end_processing), so it is due now.

    An uncorrelated `id IN (…)`: the live processings are few (index processing_live), the
    database reads them once per query, not once per ticket; a correlated EXISTS made
    PostgreSQL's planner expect a subquery per row, and compile the board's query (JIT)."""
    written = Message.objects.filter(
        ticket_id=OuterRef("ticket_id"),
        author_id=OuterRef("agent_id"),
        direction__in=[Direction.OUTBOUND, Direction.NOTE],
        created_at__gte=OuterRef("started_at"),
    )
    lapsed = processings.filter(ended_at__isnull=True, was_unread=True).exclude(Exists(written))
    return Q(pk__in=lapsed.values("ticket_id"))


@dataclass
class Returning:
    """Tickets held back now (blocked after an unfinished processing, or to reopen later) that
    play will serve this agent: how many, and when the first comes back."""

    count: int
    first_at: datetime | None


def returning_for(agent: User, campaign: Campaign, now: datetime) -> Returning:
    """What comes back to the agent's queue later: the claim's conditions except the time
    ones, for the unassigned tickets and the agent's own due ones (MINE_DUE)."""
    never = Value(datetime(1970, 1, 1, tzinfo=UTC), output_field=DateTimeField())
    held = (
        Ticket.objects.filter(
            Q(assignee__isnull=True)
            | Q(Q(has_unread=True) | Q(reopen_at__isnull=False), assignee=agent),
            domain_id=campaign.domain_id,
            campaign=campaign,
            status=TicketStatus.OPEN,
            flagged=False,
            number__isnull=False,
            attempts__lt=campaign.max_attempts,
        )
        .annotate(back_at=Greatest(Coalesce("blocked_until", never), Coalesce("reopen_at", never)))
        .filter(back_at__gt=now)
    )
    found = held.aggregate(count=Count("id"), first_at=Min("back_at"))
    return Returning(found["count"], found["first_at"])


def assigned_to(agent: User) -> QuerySet[Ticket]:
    """The agent's assigned tickets that are not closed ("My tickets")."""
    return (
        Ticket.objects.filter(domain_id=agent.domain_id, assignee=agent, number__isnull=False)
        .exclude(status=TicketStatus.CLOSED)
        .annotate(
            came_back_unread=ExpressionWrapper(
                came_back_unread(processings_of(agent)), BooleanField()
            )
        )
        .select_related("campaign", "contact")
        .order_by("reopen_at", "-updated_at", "-id")
    )


class AssignedState:
    """Where one of the agent's tickets stands (names for the template)."""

    DUE = "due"  # play serves it to them now
    PROCESSING = "processing"  # locked in a live processing
    REOPEN = "reopen"  # parked until its reopen date
    WAITING = "waiting"  # waiting for the customer
    BLOCKED = "blocked"  # held after an unfinished processing
    FLAGGED = "flagged"  # max attempts reached: the supervisors decide
    IDLE = "idle"  # nothing new: it comes back when the customer writes


def assigned_state(ticket: Ticket, now: datetime) -> str:
    if ticket.flagged or ticket.attempts >= ticket.campaign.max_attempts:
        return AssignedState.FLAGGED
    if ticket.status == TicketStatus.WAITING:
        return AssignedState.WAITING
    if ticket.locked_until is not None and ticket.locked_until >= now:
        return AssignedState.PROCESSING
    if ticket.reopen_at is not None and ticket.reopen_at > now:
        return AssignedState.REOPEN
    if ticket.blocked_until is not None and ticket.blocked_until > now:
        return AssignedState.BLOCKED
    # came_back_unread: annotated by assigned_to (an unread message play gives back).
    if (
        ticket.has_unread
        or ticket.reopen_at is not None
        or getattr(ticket, "came_back_unread", False)
    ):
        return AssignedState.DUE
    return AssignedState.IDLE
