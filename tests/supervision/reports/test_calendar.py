"""business_seconds: the open seconds of a span, by opening hours and holidays, in the
domain's time zone, daylight saving time included; checked against a minute-by-minute
count on many random spans."""

import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from comptoir.supervision.reports.calendar import Calendar, business_seconds, calendars
from tests.conftest import Acme
from tests.supervision.reports.conftest import PARIS, holiday, paris, weekday_hours

HOUR = 3600
OFFICE = {day: [(time(9), time(12)), (time(14), time(18))] for day in range(5)}


def office(holidays: tuple[date, ...] = ()) -> Calendar:
    return Calendar(PARIS, OFFICE, holidays)


def always(holidays: tuple[date, ...] = (), zone: ZoneInfo = PARIS) -> Calendar:
    return Calendar(zone, {}, holidays)


def test_a_span_inside_one_opening_range() -> None:
    assert business_seconds(office(), paris(3, 10), paris(3, 11, 30)) == 1.5 * HOUR


def test_the_lunch_break_and_the_night_do_not_count() -> None:
    assert business_seconds(office(), paris(3, 11), paris(3, 15)) == 2 * HOUR
    assert business_seconds(office(), paris(3, 17), paris(4, 10)) == 2 * HOUR


def test_a_span_outside_opening_hours_is_zero() -> None:
    assert business_seconds(office(), paris(3, 19), paris(4, 8)) == 0
    assert business_seconds(office(), paris(8, 9), paris(9, 20)) == 0  # a weekend


def test_a_weekend_and_a_holiday_are_skipped() -> None:
    # Friday 7 17:00 to Tuesday 11 10:00, Monday 10 a holiday: 1 h + 1 h.
    calendar = office((date(2025, 3, 10),))
    assert business_seconds(calendar, paris(7, 17), paris(11, 10)) == 2 * HOUR


def test_an_end_before_the_start_is_zero() -> None:
    assert business_seconds(office(), paris(4, 10), paris(3, 10)) == 0
    assert business_seconds(office(), paris(4, 10), paris(4, 10)) == 0


def test_whole_weeks_count_their_opening_hours() -> None:
    # Four weeks from a Monday at midnight: 20 days of 7 hours.
    assert business_seconds(office(), paris(3, 0), paris(31, 0)) == 20 * 7 * HOUR


def test_without_opening_hours_every_hour_counts_but_holidays() -> None:
    assert business_seconds(always(), paris(3, 22), paris(5, 1)) == 27 * HOUR
    assert business_seconds(always((date(2025, 3, 4),)), paris(3, 22), paris(5, 1)) == 3 * HOUR


def test_the_day_clocks_go_forward_has_23_hours_and_back_25() -> None:
    spring = business_seconds(always(), paris(30, 0), paris(31, 0))
    autumn = business_seconds(always(), paris(26, 0, month=10), paris(27, 0, month=10))
    assert (spring, autumn) == (23 * HOUR, 25 * HOUR)
    # Open 01:00-04:00 every day: 2 hours on 30 March, 4 on 26 October.
    night = Calendar(PARIS, {day: [(time(1), time(4))] for day in range(7)}, ())
    assert business_seconds(night, paris(30, 0), paris(31, 0)) == 2 * HOUR
    assert business_seconds(night, paris(26, 0, month=10), paris(27, 0, month=10)) == 4 * HOUR


def test_overlapping_ranges_count_once() -> None:
    calendar = Calendar(PARIS, {0: [(time(9), time(12)), (time(11), time(13))]}, ())
    assert business_seconds(calendar, paris(3, 0), paris(4, 0)) == 4 * HOUR


def test_days_are_those_of_the_calendars_time_zone() -> None:
    # 09:00-17:00 in New York is 14:00-22:00 in UTC (winter).
    new_york = Calendar(ZoneInfo("America/New_York"), {0: [(time(9), time(17))]}, ())
    start = datetime(2025, 3, 3, 13, tzinfo=UTC)
    assert business_seconds(new_york, start, start + timedelta(hours=3)) == 2 * HOUR


def test_a_calendar_covers_more_days_as_spans_need_them() -> None:
    calendar = office()
    assert business_seconds(calendar, paris(3, 9), paris(3, 10)) == HOUR
    # Five weeks and Monday to Thursday of the sixth: 29 days of 7 hours, then 1 hour.
    assert business_seconds(calendar, paris(3, 9), paris(11, 10, month=4)) == 29 * 7 * HOUR + HOUR
    assert business_seconds(calendar, paris(3, 9, month=2), paris(3, 10, month=2)) == HOUR
    assert calendar.first == date(2025, 2, 3) and calendar.last == date(2025, 4, 11)


def minute_by_minute(calendar: Calendar, start: datetime, end: datetime) -> float:
    """The slow, obvious count: every minute whose start is open."""
    total, moment = 0, start
    while moment < end:
        local = moment.astimezone(calendar.zone)
        day = local.date()
        ranges = calendar.hours.get(day.weekday(), []) if calendar.hours else [(time(0), None)]
        is_open = day not in calendar.holidays and any(
            opens <= local.time() and (closes is None or local.time() < closes)
            for opens, closes in ranges
        )
        total += 60 if is_open else 0
        moment += timedelta(minutes=1)
    return total


@pytest.mark.parametrize("shape", ["office", "always"])
def test_random_spans_agree_with_a_minute_by_minute_count(shape: str) -> None:
    chance = random.Random(13)
    holidays = (date(2025, 3, 5), date(2025, 3, 31), date(2025, 4, 1))
    calendar = office(holidays) if shape == "office" else always(holidays)
    origin = datetime(2025, 3, 24, tzinfo=UTC)  # the week of the change to summer time
    for _ in range(40):
        start = origin + timedelta(minutes=chance.randrange(0, 14 * 24 * 60))
        end = start + timedelta(minutes=chance.randrange(0, 3 * 24 * 60))
        assert business_seconds(calendar, start, end) == minute_by_minute(calendar, start, end)


def test_each_campaign_gets_its_hours_its_holidays_and_the_domains(acme: Acme) -> None:
    weekday_hours(acme.support, [(time(9), time(12))], range(5))
    holiday(acme, date(2025, 3, 5))
    holiday(acme, date(2025, 3, 6), acme.support)
    found = calendars(acme.domain.pk, PARIS, [acme.support.pk, acme.orders.pk])
    support, orders = found[acme.support.pk], found[acme.orders.pk]
    assert support.hours == {day: [(time(9), time(12))] for day in range(5)}
    assert support.holidays == {date(2025, 3, 5), date(2025, 3, 6)}
    assert (orders.hours, orders.holidays) == ({}, {date(2025, 3, 5)})
