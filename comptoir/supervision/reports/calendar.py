"""Business hours: how long a span lasted while the campaign was open.

A campaign is open during its weekly opening hours (campaigns.OpeningHours; none at all:
every hour of every day), except on its own and its domain's public holidays (closed all
day), in the domain's time zone: the rules of distribution.planning, which decides when
play serves tickets. Planning dates (start, end) are not taken into account.

`business_seconds(calendar, start, end)` is computed from a table of the open intervals of
each local day, built once for the days a report needs (O(days), `Calendar.cover`), with
the open seconds before each interval: any span is then two binary searches, whatever its
length. Local times are turned into instants with the zone's rules of that day, so a day
when clocks go forward has an hour less, the day they go back an hour more.
"""

from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Q

from comptoir.campaigns.models import Holiday, OpeningHours

Ranges = Sequence[tuple[time, time]]


def merged(ranges: Iterable[tuple[time, time]]) -> list[tuple[time, time]]:
    """The ranges of one weekday sorted, overlapping or touching ones joined."""
    out: list[tuple[time, time]] = []
    for opens, closes in sorted(ranges):
        if out and opens <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], closes))
        else:
            out.append((opens, closes))
    return out


class Calendar:
    """A campaign's opening hours and holidays in its domain's time zone, with the table
    of open intervals of the days covered so far."""

    def __init__(
        self, zone: ZoneInfo, hours: Mapping[int, Ranges], holidays: Iterable[date]
    ) -> None:
        self.zone = zone
        self.hours = {day: merged(ranges) for day, ranges in hours.items() if ranges}
        self.holidays = frozenset(holidays)
        self.first: date | None = None
        self.last: date | None = None
        self.starts: list[float] = []  # each open interval's start and end, epoch seconds
        self.ends: list[float] = []
        self.before: list[float] = []  # open seconds of the covered days before each start

    def instant(self, day: date, moment: time) -> float:
        return datetime.combine(day, moment, tzinfo=self.zone).timestamp()

    def day_intervals(self, day: date) -> list[tuple[float, float]]:
        if day in self.holidays:
            return []
        if not self.hours:  # no opening hours: open all day
            return [(self.instant(day, time(0)), self.instant(day + timedelta(days=1), time(0)))]
        ranges = self.hours.get(day.weekday(), [])
        return [(self.instant(day, opens), self.instant(day, closes)) for opens, closes in ranges]

    def cover(self, first: date, last: date) -> None:
        """Build the table for these local days (and those covered before): once per
        report, so that each span after it costs two binary searches."""
        if self.first is not None and self.last is not None:
            if self.first <= first and last <= self.last:
                return
            first, last = min(first, self.first), max(last, self.last)
        starts, ends, before, total = [], [], [], 0.0
        day = first
        while day <= last:
            for start, end in self.day_intervals(day):
                starts.append(start)
                ends.append(end)
                before.append(total)
                total += end - start
            day += timedelta(days=1)
        self.first, self.last = first, last
        self.starts, self.ends, self.before = starts, ends, before

    def open_until(self, instant: float) -> float:
        """Open seconds from the first covered day to `instant` (inside the covered days)."""
        index = bisect_right(self.starts, instant) - 1
        if index < 0:
            return 0.0
        return self.before[index] + min(instant, self.ends[index]) - self.starts[index]

    def local_day(self, moment: datetime) -> date:
        return moment.astimezone(self.zone).date()

    def between(self, start: datetime, end: datetime) -> float:
        """business_seconds on days already covered (the reports' loop: no check)."""
        if end <= start:
            return 0.0
        return self.open_until(end.timestamp()) - self.open_until(start.timestamp())


def business_seconds(calendar: Calendar, start: datetime, end: datetime) -> float:
    """The seconds of [start, end) during which the calendar's campaign was open (0 when
    end is not after start)."""
    if end <= start:
        return 0.0
    calendar.cover(calendar.local_day(start), calendar.local_day(end))
    return calendar.between(start, end)


def calendars(domain_id: int, zone: ZoneInfo, campaign_ids: Sequence[int]) -> dict[int, Calendar]:
    """The calendar of each campaign: two queries (its hours; its and the domain's holidays)."""
    hours: dict[int, dict[int, list[tuple[time, time]]]] = {pk: {} for pk in campaign_ids}
    rows = OpeningHours.objects.filter(domain_id=domain_id, campaign_id__in=campaign_ids)
    for campaign_id, weekday, opens, closes in rows.values_list(
        "campaign_id", "weekday", "opens", "closes"
    ):
        hours[campaign_id].setdefault(weekday, []).append((opens, closes))
    shared: set[date] = set()
    own: dict[int, set[date]] = {pk: set() for pk in campaign_ids}
    days = Holiday.objects.filter(
        Q(campaign__isnull=True) | Q(campaign_id__in=campaign_ids), domain_id=domain_id
    )
    for campaign_id, day in days.values_list("campaign_id", "date"):
        (shared if campaign_id is None else own[campaign_id]).add(day)
    return {pk: Calendar(zone, hours[pk], shared | own[pk]) for pk in campaign_ids}
