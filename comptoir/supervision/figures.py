"""The live board's numbers for a set of campaigns of one domain: one grouped query per family
of figures, whatever the number of campaigns (docs/supervision.md, "The live board").

- the backlog (every ticket not closed): waiting now, the oldest of them, due for their
  assignee, blocked and when the next comes back, reopen-later due today, waiting for the
  customer, flagged; what play serves is `distribution.queues.servable`, the claim's own
  conditions, and `due_again_to_assignee` its MINE clause;
- the day: tickets received today, tickets closed today;
- the live processings: who processes which ticket, since when;
- the domain's quarantine.

Read-only, and served by indexes (migrations tickets 0008 and distribution 0003, both
`board_indexes`): the backlog by `ticket_backlog` (index-only on PostgreSQL), the day by
`ticket_received` and `processing_closing`, the live processings by `processing_live`.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from django.db.models import Count, F, Min, Q

from comptoir.distribution.models import Processing
from comptoir.distribution.queues import due_again_to_assignee, servable
from comptoir.scripts.models import OutcomeKind
from comptoir.tickets.models import RawMessage, RawState, Ticket, TicketStatus


@dataclass(frozen=True)
class LiveProcessing:
    """A ticket in processing: by whom, since when."""

    processing_id: int
    ticket_number: int
    subject: str
    agent_id: int
    agent_name: str
    since: datetime


@dataclass(frozen=True)
class CampaignFigures:
    """One campaign's numbers at one moment (`at`, left out of comparisons: equal numbers
    computed at two moments are equal)."""

    at: datetime = field(repr=False, compare=False)
    waiting: int = 0
    oldest_waiting_since: datetime | None = None
    due: int = 0
    processing: tuple[LiveProcessing, ...] = field(default=())
    blocked: int = 0
    next_back_at: datetime | None = None
    reopen_today: int = 0
    waiting_customer: int = 0
    flagged: int = 0
    received_today: int = 0
    closed_today: int = 0

    @property
    def in_processing(self) -> int:
        return len(self.processing)


@dataclass(frozen=True)
class Day:
    """Today in the domain's time zone, as aware datetimes: [start, end)."""

    start: datetime
    end: datetime


def backlog(domain_id: int, ids: list[int], now: datetime, day: Day) -> dict[int, dict[str, Any]]:
    """The figures of the tickets not closed, by campaign, in one grouped query."""
    playable = servable(now, F("campaign__max_attempts"))
    waiting = playable & Q(assignee__isnull=True)
    due = playable & Q(assignee__isnull=False) & due_again_to_assignee(domain_id)
    held = Q(status=TicketStatus.OPEN, flagged=False)
    blocked = held & Q(blocked_until__gt=now)
    # A reopen date later today, not held by a blocking (a "not finished" of an assigned
    # ticket sets both to the same time: it is blocked, not a reopen-later).
    not_blocked = Q(blocked_until__isnull=True) | Q(blocked_until__lte=now)
    reopening = held & not_blocked & Q(reopen_at__gt=now, reopen_at__lt=day.end)
    rows = (
        Ticket.objects.filter(
            domain_id=domain_id,
            campaign_id__in=ids,
            status__in=[TicketStatus.OPEN, TicketStatus.WAITING],
            number__isnull=False,
        )
        .values("campaign_id")
        .annotate(
            waiting=Count("pk", filter=waiting),
            oldest_waiting_since=Min("waiting_since", filter=waiting),
            due=Count("pk", filter=due),
            blocked=Count("pk", filter=blocked),
            next_back_at=Min("blocked_until", filter=blocked),
            reopen_today=Count("pk", filter=reopening),
            waiting_customer=Count("pk", filter=Q(status=TicketStatus.WAITING, flagged=False)),
            flagged=Count("pk", filter=Q(flagged=True)),
        )
        .order_by()
    )
    return {
        row["campaign_id"]: {k: v for k, v in row.items() if k != "campaign_id"} for row in rows
    }


def received(domain_id: int, ids: list[int], now: datetime, day: Day) -> dict[int, int]:
    """Tickets opened today (a ticket's number is null only inside its creating
    transaction, which no other reader sees)."""
    rows = (
        Ticket.objects.filter(
            domain_id=domain_id, campaign_id__in=ids, created_at__gte=day.start, created_at__lte=now
        )
        .values("campaign_id")
        .annotate(count=Count("*"))
        .order_by()
    )
    return {row["campaign_id"]: row["count"] for row in rows}


def closed(domain_id: int, ids: list[int], now: datetime, day: Day) -> dict[int, int]:
    """Tickets closed today: given an outcome of the kind "final" today, the only way a ticket
    is closed (distribution.actions.apply_outcome); a ticket closed twice counts once, and
    still counts when its customer has written again since."""
    rows = (
        Processing.objects.filter(
            domain_id=domain_id,
            campaign_id__in=ids,
            outcome_kind=OutcomeKind.FINAL,
            ended_at__gte=day.start,
            ended_at__lte=now,
        )
        .values("campaign_id")
        .annotate(count=Count("ticket_id", distinct=True))
        .order_by()
    )
    return {row["campaign_id"]: row["count"] for row in rows}


def live_processings(
    domain_id: int, ids: list[int], now: datetime
) -> dict[int, list[LiveProcessing]]:
    """Processings whose agent holds the ticket now (a lapsed lock is no longer processing:
    the next play ends it), the oldest first."""
    rows = (
        Processing.objects.filter(
            domain_id=domain_id,
            campaign_id__in=ids,
            ended_at__isnull=True,
            ticket__locked_by=F("agent"),
            ticket__locked_until__gte=now,
        )
        .values(
            "pk",
            "campaign_id",
            "started_at",
            "agent_id",
            "agent__login",
            "agent__display_name",
            "ticket__number",
            "ticket__subject",
        )
        .order_by("started_at", "pk")
    )
    found: dict[int, list[LiveProcessing]] = {}
    for row in rows:
        found.setdefault(row["campaign_id"], []).append(
            LiveProcessing(
                processing_id=row["pk"],
                # Never null: play serves numbered tickets only.
                ticket_number=cast(int, row["ticket__number"]),
                subject=row["ticket__subject"],
                agent_id=row["agent_id"],
                agent_name=row["agent__display_name"] or row["agent__login"],
                since=row["started_at"],
            )
        )
    return found


def compute(domain_id: int, ids: list[int], now: datetime, day: Day) -> dict[int, CampaignFigures]:
    """Every figure of these campaigns: four queries, however many campaigns."""
    if not ids:
        return {}
    tickets = backlog(domain_id, ids, now, day)
    today_in, today_out = received(domain_id, ids, now, day), closed(domain_id, ids, now, day)
    live = live_processings(domain_id, ids, now)
    return {
        pk: CampaignFigures(
            at=now,
            processing=tuple(live.get(pk, ())),
            received_today=today_in.get(pk, 0),
            closed_today=today_out.get(pk, 0),
            **tickets.get(pk, {}),
        )
        for pk in ids
    }


def quarantined(domain_id: int) -> int:
    """Messages of the domain in the quarantine (index `domain, state`)."""
    return RawMessage.objects.filter(domain_id=domain_id, state=RawState.QUARANTINED).count()
