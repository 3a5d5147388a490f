"""The hours or days of a report, in the domain's time zone, and SQL grouped by them.

The database truncates each timestamp to its local hour or day (Django's Trunc with the
domain's zone: `date_trunc(…, ts AT TIME ZONE zone)` on PostgreSQL, a Python function on
SQLite), so both give the same buckets, daylight saving time included. A bucket is known by
its start as a local wall-clock time (its key): on the night clocks go back, the hour
repeated (02:00–03:00 twice in Paris) is one bucket of two hours; on the night they go
forward, the hour that does not exist has no bucket.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from django.db.models import DateTimeField, QuerySet
from django.db.models.functions import Trunc

from comptoir.supervision.reports.query import ReportQuery, Step


@dataclass(frozen=True)
class CountPoint:
    start: datetime  # the bucket's start, aware, in the domain's time zone
    count: int


def bucket_of(field: str, query: ReportQuery) -> Trunc:
    """The SQL expression of the local hour or day `field` falls in."""
    return Trunc(field, query.step, output_field=DateTimeField(), tzinfo=query.zone)


def key_of(value: datetime) -> datetime:
    """A bucket's key: its start as a local wall-clock time (naive), as SQL truncated it."""
    return value.replace(tzinfo=None)


def bucket_keys(query: ReportQuery) -> list[datetime]:
    """Every bucket of the period, in order (the ones without data too)."""
    return list(dict.fromkeys(keys_between(query)))


def keys_between(query: ReportQuery) -> Iterator[datetime]:
    zone, last = query.zone, query.end - timedelta(microseconds=1)
    if query.step == Step.DAY:
        day, last_day = query.start.astimezone(zone).date(), last.astimezone(zone).date()
        while day <= last_day:
            yield datetime.combine(day, time(0))
            day += timedelta(days=1)
        return
    # Every time zone's offset is a multiple of 15 minutes: a step of 15 minutes meets
    # every local hour of the period, whatever the offset and its changes. Stepped in UTC:
    # Python adds to an aware local time on the wall clock, through the missing hour.
    moment, last = query.start.astimezone(UTC), last.astimezone(UTC)
    while moment <= last:
        yield hour_key(moment, query)
        moment += timedelta(minutes=15)
    yield hour_key(last, query)


def hour_key(moment: datetime, query: ReportQuery) -> datetime:
    return moment.astimezone(query.zone).replace(minute=0, second=0, microsecond=0, tzinfo=None)


def start_of(key: datetime, query: ReportQuery) -> datetime:
    """The aware start of a bucket (the first of two equal wall-clock hours)."""
    return key.replace(tzinfo=query.zone)


def grouped(
    rows: QuerySet[Any], field: str, query: ReportQuery, **aggregates: Any
) -> dict[datetime, dict[str, Any]]:
    """The aggregates of `rows` by the bucket of `field`: one GROUP BY in the database."""
    found = (
        rows.annotate(bucket=bucket_of(field, query))
        .values("bucket")
        .annotate(**aggregates)
        .order_by()
    )
    return {key_of(row["bucket"]): row for row in found}


def count_points(counts: dict[datetime, dict[str, Any]], query: ReportQuery) -> list[CountPoint]:
    """A count per bucket of the period (0 where there is none), from grouped(count=…)."""
    return [
        CountPoint(start_of(key, query), counts.get(key, {}).get("count", 0))
        for key in bucket_keys(query)
    ]
