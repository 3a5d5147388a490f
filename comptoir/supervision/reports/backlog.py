"""The backlog: how many tickets were not closed at the end of each day.

Reconstructed from the history rather than read from a daily snapshot: a ticket is opened
once (its creation), closed only by a final qualification (a Processing with a final
outcome) and reopened only by its customer's message (tickets.actions.wake, history
`ticket_reopened` with previous "closed"); closings and reopenings of one ticket alternate.
So at any instant t:

    not closed at t = created before t − closings before t + reopenings of closed tickets before t

which is exact for any past day, needs no worker to have run at midnight, and costs six
indexed aggregates: the three counts before the period, and the same three grouped by day
within it (ticket_received, processing_closing and event_reopened are their indexes). A
snapshot table would be exact only from the day it started, wrong for any day its worker
missed, and one more thing to keep in step with every action.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncDate

from comptoir.distribution.models import Processing
from comptoir.scripts.models import OutcomeKind
from comptoir.supervision.reports.query import ReportQuery, Scope, scope
from comptoir.tenancy.models import User
from comptoir.tickets.models import EventKind, Ticket, TicketEvent, TicketStatus


@dataclass(frozen=True)
class BacklogPoint:
    day: date  # in the domain's time zone
    at: datetime  # the end of that day, or now for a day not over yet
    open_tickets: int  # tickets not closed at that instant (open or waiting)


def changes(where: Scope) -> list[tuple[QuerySet[Any], str, int]]:
    """What moves the backlog, with the time column to read and the sign of each row."""
    created = Ticket.objects.filter(domain_id=where.domain_id, campaign_id__in=where.campaign_ids)
    closed = Processing.objects.filter(
        domain_id=where.domain_id,
        campaign_id__in=where.campaign_ids,
        outcome_kind=OutcomeKind.FINAL,
    )
    reopened = TicketEvent.objects.filter(
        domain_id=where.domain_id,
        kind=EventKind.TICKET_REOPENED,
        data__previous=TicketStatus.CLOSED,
        ticket__campaign_id__in=where.campaign_ids,
    )
    return [(created, "created_at", 1), (closed, "ended_at", -1), (reopened, "created_at", 1)]


def backlog(user: User, query: ReportQuery, *, now: datetime) -> list[BacklogPoint]:
    """Tickets of the campaigns not closed at the end of each day of the period (always by
    day, whatever the step); for today, at `now`; days not begun yet are left out. A
    campaign's number: the agent and team filters do not apply."""
    where = scope(user, query)
    zone = query.zone
    first = query.start.astimezone(zone).date()
    last = (query.end - timedelta(microseconds=1)).astimezone(zone).date()
    origin = datetime.combine(first, time(0), tzinfo=zone)
    days = []
    day = first
    while day <= last and datetime.combine(day, time(0), tzinfo=zone) <= now:
        end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
        days.append((day, min(end, now)))
        day += timedelta(days=1)
    if not days:
        return []
    upto = days[-1][1]
    level, moves = 0, dict[date, int]()
    for rows, field, sign in changes(where):
        level += sign * rows.filter(**{f"{field}__lt": origin}).count()
        for moved, count in per_day(rows, field, origin, upto, query).items():
            moves[moved] = moves.get(moved, 0) + sign * count
    points = []
    for day, at in days:
        level += moves.get(day, 0)
        points.append(BacklogPoint(day, at, level))
    return points


def per_day(
    rows: QuerySet[Any], field: str, start: datetime, end: datetime, query: ReportQuery
) -> dict[date, int]:
    """How many rows in [start, end), by local day: one GROUP BY."""
    found = (
        rows.filter(**{f"{field}__gte": start, f"{field}__lt": end})
        .annotate(day=TruncDate(field, tzinfo=query.zone))
        .values("day")
        .annotate(count=Count("id"))
        .order_by()
    )
    return {row["day"]: row["count"] for row in found}
