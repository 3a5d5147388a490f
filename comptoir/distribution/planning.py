"""Is a campaign distributing tickets now? Its active flag, planning dates and opening hours."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import connection, models
from django.utils import formats
from django.utils.translation import gettext as _

from comptoir.campaigns.models import Campaign, OpeningHours


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
    if start is not None and now < start:
        opens = next_opening(hours, start, zone, campaign.planning_end, inclusive=True)
        return closed(_("This campaign starts on %(date)s."), start, opens, zone)
    if not hours or is_within(hours, now, zone):
        return Availability(True)
    opens = next_opening(hours, now, zone, campaign.planning_end)
    if opens is None:
        return Availability(False, _("This campaign is closed and does not open again."))
    text = _("This campaign is closed now; it opens on %(date)s.")
    return Availability(False, text % {"date": local_text(opens, zone)}, opens)


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
) -> datetime | None:
    """The first moment after `after` when the campaign is open (within the next 8 days)."""
    if not hours:
        return after
    tz = ZoneInfo(zone)
    if inclusive and is_within(hours, after, zone):
        return after
    local = after.astimezone(tz)
    for offset in range(8):
        day = local.date() + timedelta(days=offset)
        for h in sorted(hours, key=lambda h: h.opens):
            if h.weekday != day.weekday():
                continue
            opening = datetime.combine(day, h.opens, tzinfo=tz)
            if opening > after and (end is None or opening < end):
                return opening
    return None
