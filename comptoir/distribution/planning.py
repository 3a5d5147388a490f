"""Is a campaign distributing tickets now? Its active flag, planning dates, opening hours and
public holidays (closed all day, in the domain's time zone)."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import connection, models
from django.utils import formats
from django.utils.translation import gettext as _

from comptoir.campaigns.models import Campaign, Holiday, OpeningHours


@dataclass
class Availability:
    open: bool
    reason: str = ""  # why not, for the agent
    opens_at: datetime | None = None  # when it next opens, when known


def local_text(moment: datetime, time_zone: str) -> str:
    return formats.date_format(moment.astimezone(ZoneInfo(time_zone)), "DATETIME_FORMAT")


def availability(campaign: Campaign, now: datetime) -> Availability:
    zone = campaign.domain.time_zone
    if not campaign.active:
        return Availability(False, _("This campaign is not active."))
    if campaign.planning_end is not None and now >= campaign.planning_end:
        ended = local_text(campaign.planning_end, zone)
        return Availability(False, _("This campaign ended on %(date)s.") % {"date": ended})
    hours = opening_hours(campaign.pk)
    start = campaign.planning_start
    starting = start is not None and now < start
    since = start if start is not None and starting else now
    days_off = holidays(campaign, since.astimezone(ZoneInfo(zone)).date())
    if start is not None and starting:
        opens = next_opening(
            hours, start, zone, campaign.planning_end, inclusive=True, days_off=days_off
        )
        return closed(_("This campaign starts on %(date)s."), start, opens, zone)
    holiday = days_off.get(now.astimezone(ZoneInfo(zone)).date())
    if holiday is None and (not hours or is_within(hours, now, zone)):
        return Availability(True)
    opens = next_opening(hours, now, zone, campaign.planning_end, days_off=days_off)
    if opens is None:
        return Availability(False, _("This campaign is closed and does not open again."))
    when = local_text(opens, zone)
    if holiday is not None:
        text = _("Closed today: %(holiday)s; it opens on %(date)s.")
        return Availability(False, text % {"holiday": holiday, "date": when}, opens)
    text = _("This campaign is closed now; it opens on %(date)s.")
    return Availability(False, text % {"date": when}, opens)


HOURS_SQL = (
    f"SELECT weekday, opens, closes FROM {OpeningHours._meta.db_table} WHERE campaign_id = %s"
)


def opening_hours(campaign_id: int) -> list[OpeningHours]:
    """The campaign's weekly hours; plain SQL, since every press on play reads them."""
    with connection.cursor() as cursor:
        cursor.execute(HOURS_SQL, [campaign_id])
        rows = cursor.fetchall()
    # SQLite gives times back as text; TimeField.to_python reads both.
    as_time = models.TimeField().to_python
    return [
        OpeningHours(
            campaign_id=campaign_id, weekday=weekday, opens=as_time(opens), closes=as_time(closes)
        )
        for weekday, opens, closes in rows
    ]


HOLIDAYS_SQL = (
    f"SELECT date, name FROM {Holiday._meta.db_table} WHERE domain_id = %s"
    " AND (campaign_id = %s OR campaign_id IS NULL) AND date >= %s ORDER BY date LIMIT 400"
)


def holidays(campaign: Campaign, since: date) -> dict[date, str]:
    """The campaign's and its domain's holidays from `since` on: date -> name (plain SQL)."""
    with connection.cursor() as cursor:
        cursor.execute(HOLIDAYS_SQL, [campaign.domain_id, campaign.pk, since])
        rows = cursor.fetchall()
    as_date = models.DateField().to_python  # SQLite gives dates back as text
    days: dict[date, str] = {}
    for day, name in rows:
        days.setdefault(as_date(day), name)
    return days


def closed(text: str, start: datetime, opens: datetime | None, zone: str) -> Availability:
    return Availability(False, text % {"date": local_text(opens or start, zone)}, opens or start)


def is_within(hours: list[OpeningHours], now: datetime, zone: str) -> bool:
    local = now.astimezone(ZoneInfo(zone))
    moment = local.time()
    return any(h.weekday == local.weekday() and h.opens <= moment < h.closes for h in hours)


def next_opening(
    hours: list[OpeningHours],
    after: datetime,
    zone: str,
    end: datetime | None,
    *,
    inclusive: bool = False,
    days_off: Mapping[date, str] | None = None,
) -> datetime | None:
    """The first moment after `after` when the campaign is open (within the next 8 days, not
    counting the holidays in `days_off`, which are closed all day)."""
    days_off = days_off or {}
    tz = ZoneInfo(zone)
    local = after.astimezone(tz)
    if not hours:
        if local.date() not in days_off:
            return after
        day = local.date()
        while day in days_off:
            day += timedelta(days=1)
        opening = datetime.combine(day, time(0), tzinfo=tz)
        return opening if end is None or opening < end else None
    if inclusive and local.date() not in days_off and is_within(hours, after, zone):
        return after
    for offset in range(8 + len(days_off)):
        day = local.date() + timedelta(days=offset)
        if day in days_off:
            continue
        for h in sorted(hours, key=lambda h: h.opens):
            if h.weekday != day.weekday():
                continue
            opening = datetime.combine(day, h.opens, tzinfo=tz)
            if opening > after and (end is None or opening < end):
                return opening
    return None
