"""First response time and resolution time, in the campaign's business hours.

Each is measured from the ticket's creation, in the opening hours of its campaign minus its
and its domain's holidays (calendar.py), and also in elapsed time; average and median per
bucket and over the period. The database gives, per ticket, only its campaign, its two
times and its bucket; the business seconds are then computed in Python (the one per-row
loop of the reports: opening hours are rules no SQL aggregate can apply).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from comptoir.supervision.reports.buckets import bucket_keys, bucket_of, key_of, start_of
from comptoir.supervision.reports.calendar import Calendar, calendars
from comptoir.supervision.reports.query import ReportQuery, Scope, scope
from comptoir.supervision.reports.rows import closings
from comptoir.supervision.reports.stats import Summary, by_key, summarise
from comptoir.tenancy.models import User
from comptoir.tickets.models import Ticket

Row = tuple[int, datetime, datetime | None, datetime]  # campaign, from, to, bucket


@dataclass(frozen=True)
class DurationPoint:
    start: datetime  # the bucket's start, aware, in the domain's time zone
    business: Summary  # seconds while the campaign was open
    elapsed: Summary  # seconds on the clock


@dataclass(frozen=True)
class DurationFigure:
    business: Summary
    elapsed: Summary
    buckets: list[DurationPoint]


def first_response_time(user: User, query: ReportQuery, *, now: datetime) -> DurationFigure:
    """For the tickets first answered in the period (by the time of that first reply):
    from the ticket's creation to the first reply an agent wrote (Ticket.first_response_at;
    automatic acknowledgements are not responses). A campaign's number: the agent and team
    filters do not apply."""
    where = scope(user, query)
    tickets = Ticket.objects.filter(
        domain_id=where.domain_id,
        campaign_id__in=where.campaign_ids,
        first_response_at__gte=query.start,
        first_response_at__lt=query.end,
    )
    rows = tickets.annotate(bucket=bucket_of("first_response_at", query)).values_list(
        "campaign_id", "created_at", "first_response_at", "bucket"
    )
    return durations(where, query, list(rows))


def resolution_time(user: User, query: ReportQuery, *, now: datetime) -> DurationFigure:
    """For each closing in the period (by its time): from the ticket's creation to that
    closing. A ticket closed twice counts twice, each time from its creation. The agent
    and team filters apply to the agent who closed it."""
    where = scope(user, query)
    rows = (
        closings(where, query)
        .annotate(bucket=bucket_of("ended_at", query))
        .values_list("campaign_id", "ticket__created_at", "ended_at", "bucket")
    )
    return durations(where, query, list(rows))


def durations(where: Scope, query: ReportQuery, rows: list[Row]) -> DurationFigure:
    business: list[tuple[datetime, float]] = []
    elapsed: list[tuple[datetime, float]] = []
    known = calendars(where.domain_id, query.zone, where.campaign_ids)
    cover(known.values(), rows)
    for campaign_id, start, end, bucket in rows:
        assert end is not None  # filtered on a period
        key = key_of(bucket)
        business.append((key, known[campaign_id].between(start, end)))
        elapsed.append((key, max(0.0, (end - start).total_seconds())))
    in_business, on_clock = by_key(business), by_key(elapsed)
    points = [
        DurationPoint(
            start_of(key, query),
            summarise(in_business.get(key, [])),
            summarise(on_clock.get(key, [])),
        )
        for key in bucket_keys(query)
    ]
    return DurationFigure(
        summarise([value for _key, value in business]),
        summarise([value for _key, value in elapsed]),
        points,
    )


def cover(known: Iterable[Calendar], rows: list[Row]) -> None:
    """Build each calendar's table once, for every day the rows span."""
    if not rows:
        return
    first = min(row[1] for row in rows)
    last = max(row[2] or row[1] for row in rows)
    for calendar in known:
        calendar.cover(calendar.local_day(first), calendar.local_day(last))
