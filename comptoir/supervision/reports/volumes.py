"""Volumes per bucket: tickets received, messages in and out, tickets closed.

Each is one GROUP BY in the database. Tickets and inbound mail belong to a campaign, not
to an agent: the agent and team filters narrow only what agents did (their replies, their
closings). docs/reports.md defines each number.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q

from comptoir.supervision.reports.buckets import (
    CountPoint,
    bucket_keys,
    count_points,
    grouped,
    start_of,
)
from comptoir.supervision.reports.query import ReportQuery, scope
from comptoir.supervision.reports.rows import by_agents, closings
from comptoir.tenancy.models import User
from comptoir.tickets.models import Direction, Message, Ticket


@dataclass(frozen=True)
class ReceivedPoint:
    start: datetime
    tickets: int  # every ticket opened in the bucket
    automatic: int  # of which opened by automatic mail (an out-of-office, a list, a bounce)


@dataclass(frozen=True)
class MessagePoint:
    start: datetime
    inbound: int  # customers' messages written by a person
    inbound_automatic: int  # automatic mail received (out-of-office, lists, bounces)
    replies: int  # replies written by agents (outbound, not automatic)
    acknowledgements: int  # automatic replies acknowledging a new ticket


def tickets_received(user: User, query: ReportQuery, *, now: datetime) -> list[ReceivedPoint]:
    """Tickets opened in each bucket (by their creation time), in the campaigns."""
    where = scope(user, query)
    tickets = Ticket.objects.filter(
        domain_id=where.domain_id,
        campaign_id__in=where.campaign_ids,
        created_at__gte=query.start,
        created_at__lt=query.end,
    )
    found = grouped(
        tickets,
        "created_at",
        query,
        count=Count("id"),
        automatic=Count("id", filter=Q(is_automatic=True)),
    )
    empty = {"count": 0, "automatic": 0}
    return [
        ReceivedPoint(start_of(key, query), row["count"], row["automatic"])
        for key in bucket_keys(query)
        for row in [found.get(key, empty)]
    ]


def messages(user: User, query: ReportQuery, *, now: datetime) -> list[MessagePoint]:
    """Messages of the campaigns' tickets in each bucket (by the time they were stored:
    received, or queued for sending), by direction; internal notes are not messages."""
    where = scope(user, query)
    rows = Message.objects.filter(
        domain_id=where.domain_id,
        ticket__campaign_id__in=where.campaign_ids,
        created_at__gte=query.start,
        created_at__lt=query.end,
        direction__in=[Direction.INBOUND, Direction.OUTBOUND],
    )
    inbound, outbound = Q(direction=Direction.INBOUND), Q(direction=Direction.OUTBOUND)
    found = grouped(
        rows,
        "created_at",
        query,
        inbound=Count("id", filter=inbound & Q(is_automatic=False)),
        inbound_automatic=Count("id", filter=inbound & Q(is_automatic=True)),
        replies=Count(
            "id", filter=outbound & Q(is_automatic=False) & by_agents("author_id", where)
        ),
        acknowledgements=Count("id", filter=outbound & Q(is_automatic=True)),
    )
    empty = {"inbound": 0, "inbound_automatic": 0, "replies": 0, "acknowledgements": 0}
    return [
        MessagePoint(
            start_of(key, query),
            row["inbound"],
            row["inbound_automatic"],
            row["replies"],
            row["acknowledgements"],
        )
        for key in bucket_keys(query)
        for row in [found.get(key, empty)]
    ]


def tickets_closed(user: User, query: ReportQuery, *, now: datetime) -> list[CountPoint]:
    """Closings in each bucket: qualifications with a final outcome (the only way a ticket
    is closed), by the time of the qualification. A ticket closed, reopened by its customer
    and closed again counts once each time it was closed."""
    where = scope(user, query)
    return count_points(
        grouped(closings(where, query), "ended_at", query, count=Count("id")), query
    )
