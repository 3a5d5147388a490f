"""Buckets are the domain's local hours and days, in Python and in the database alike,
across the changes of daylight saving time (Europe/Paris: 30 March and 26 October 2025)."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from comptoir.supervision.periods import days_bounds
from comptoir.supervision.reports.buckets import bucket_keys
from comptoir.supervision.reports.query import ReportQuery, Step
from comptoir.supervision.reports.volumes import tickets_received
from tests.conftest import Acme
from tests.supervision.reports.conftest import PARIS, Clock, writes


def day_query(acme: Acme, first: date, last: date, step: str = Step.DAY) -> ReportQuery:
    start, end = days_bounds(first, last, ZoneInfo(acme.domain.time_zone))
    return ReportQuery(acme.domain, start, end, step=step)


def test_the_spring_day_has_23_hour_buckets_and_no_2_oclock(acme: Acme) -> None:
    keys = bucket_keys(day_query(acme, date(2025, 3, 30), date(2025, 3, 30), Step.HOUR))
    assert [k.hour for k in keys] == [0, 1, *range(3, 24)]


def test_the_autumn_day_has_one_bucket_for_its_two_2_oclocks(acme: Acme) -> None:
    keys = bucket_keys(day_query(acme, date(2025, 10, 26), date(2025, 10, 26), Step.HOUR))
    assert [k.hour for k in keys] == list(range(24))


def test_hours_of_a_half_hour_time_zone_are_its_own(acme: Acme) -> None:
    acme.domain.time_zone = "Asia/Kolkata"
    keys = bucket_keys(day_query(acme, date(2025, 3, 3), date(2025, 3, 3), Step.HOUR))
    assert keys == [datetime(2025, 3, 3, hour) for hour in range(24)]


def test_day_keys_run_from_the_first_to_the_last_day(acme: Acme) -> None:
    keys = bucket_keys(day_query(acme, date(2025, 3, 29), date(2025, 4, 1)))
    assert keys == [datetime(2025, 3, 29), datetime(2025, 3, 30), datetime(2025, 3, 31),
                    datetime(2025, 4, 1)]  # fmt: skip


def at_utc(clock: Clock, moments: list[datetime]) -> None:
    for n, moment in enumerate(moments):
        writes(clock, moment, f"client{n}@client.test")


def test_the_database_counts_by_local_day_across_the_spring_change(
    acme: Acme, clock: Clock
) -> None:
    at_utc(
        clock,
        [
            datetime(2025, 3, 29, 23, 30, tzinfo=UTC),  # Sunday 30, 00:30 in Paris (CET)
            datetime(2025, 3, 30, 0, 30, tzinfo=UTC),  # Sunday 01:30 CET
            datetime(2025, 3, 30, 1, 30, tzinfo=UTC),  # Sunday 03:30 CEST
            datetime(2025, 3, 30, 22, 30, tzinfo=UTC),  # Monday 31, 00:30 CEST
            datetime(2025, 3, 29, 23, 0, tzinfo=UTC) - timedelta(seconds=1),  # Sat 23:59:59
        ],
    )
    query = day_query(acme, date(2025, 3, 29), date(2025, 3, 31))
    points = tickets_received(acme.supervisor, query, now=clock.now)
    assert [(p.start.day, p.tickets) for p in points] == [(29, 1), (30, 3), (31, 1)]
    hourly = day_query(acme, date(2025, 3, 30), date(2025, 3, 30), Step.HOUR)
    points = tickets_received(acme.supervisor, hourly, now=clock.now)
    assert len(points) == 23
    assert {p.start.hour: p.tickets for p in points if p.tickets} == {0: 1, 1: 1, 3: 1}
    assert points[2].start == datetime(2025, 3, 30, 3, tzinfo=PARIS)


def test_the_database_puts_both_2_oclocks_of_autumn_in_one_bucket(acme: Acme, clock: Clock) -> None:
    at_utc(
        clock,
        [
            datetime(2025, 10, 26, 0, 30, tzinfo=UTC),  # 02:30 CEST
            datetime(2025, 10, 26, 1, 30, tzinfo=UTC),  # 02:30 CET, an hour later
            datetime(2025, 10, 26, 2, 30, tzinfo=UTC),  # 03:30 CET
        ],
    )
    query = day_query(acme, date(2025, 10, 26), date(2025, 10, 26), Step.HOUR)
    points = tickets_received(acme.supervisor, query, now=clock.now)
    assert {p.start.hour: p.tickets for p in points if p.tickets} == {2: 2, 3: 1}


def test_the_database_counts_by_the_domains_days_not_the_servers(acme: Acme, clock: Clock) -> None:
    acme.domain.time_zone = "America/New_York"
    acme.domain.save()
    # Tuesday 4 March 03:00 in Paris (the server's zone) is Monday 21:00 in New York.
    at_utc(clock, [datetime(2025, 3, 4, 2, tzinfo=UTC)])
    query = day_query(acme, date(2025, 3, 3), date(2025, 3, 4))
    points = tickets_received(acme.supervisor, query, now=clock.now)
    assert [(p.start.day, p.tickets) for p in points] == [(3, 1), (4, 0)]
    assert points[0].start == datetime(2025, 3, 3, tzinfo=ZoneInfo("America/New_York"))
