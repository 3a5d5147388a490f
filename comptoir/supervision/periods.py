"""Named periods (today, yesterday, this week, last week, this month, custom days) as aware
[start, end) bounds: whole local days of the domain's time zone, weeks from Monday. The one
rule of the reports (with a bound on their length), the exports and the API."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from comptoir.lib.checks import Errors, raise_if_any, refuse
from comptoir.lib.dates import year_error
from comptoir.tenancy.models import Domain

# The years a custom period may name (imported archives can be old, nothing is after 2100).
FIRST_YEAR, LAST_YEAR = 1970, 2100


class Period(models.TextChoices):
    TODAY = "today", gettext_lazy("Today")
    YESTERDAY = "yesterday", gettext_lazy("Yesterday")
    THIS_WEEK = "this_week", gettext_lazy("This week")
    LAST_WEEK = "last_week", gettext_lazy("Last week")
    THIS_MONTH = "this_month", gettext_lazy("This month")
    CUSTOM = "custom", gettext_lazy("Custom dates")


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)


def days_bounds(first: date, last: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """[first 00:00, the day after last 00:00) in the zone: whole local days."""
    return local_midnight(first, zone), local_midnight(last + timedelta(days=1), zone)


def period_bounds(
    domain: Domain,
    period: str,
    *,
    now: datetime,
    first_day: date | None = None,
    last_day: date | None = None,
    max_days: int | None = None,
) -> tuple[datetime, datetime]:
    """The [start, end) of a named period; `custom` takes first_day and last_day (included),
    at most `max_days` days when given (a report's bound; an export has none).
    ValidationError by field when it cannot be a period."""
    zone = ZoneInfo(domain.time_zone)
    today = now.astimezone(zone).date()
    monday = today - timedelta(days=today.weekday())
    if period == Period.TODAY:
        return days_bounds(today, today, zone)
    if period == Period.YESTERDAY:
        return days_bounds(today - timedelta(days=1), today - timedelta(days=1), zone)
    if period == Period.THIS_WEEK:
        return days_bounds(monday, monday + timedelta(days=6), zone)
    if period == Period.LAST_WEEK:
        return days_bounds(monday - timedelta(days=7), monday - timedelta(days=1), zone)
    if period == Period.THIS_MONTH:
        following = (today.replace(day=28) + timedelta(days=4)).replace(day=1)
        return days_bounds(today.replace(day=1), following - timedelta(days=1), zone)
    if period == Period.CUSTOM:
        return custom_bounds(first_day, last_day, zone, max_days=max_days)
    raise ValidationError({"period": _("Choose a period from the list.")})


def custom_bounds(
    first: date | None, last: date | None, zone: ZoneInfo, *, max_days: int | None = None
) -> tuple[datetime, datetime]:
    errors: Errors = {}
    for field, day in (("first_day", first), ("last_day", last)):
        if day is None:
            refuse(errors, field, _("This field is required."))
        elif year_error(day, FIRST_YEAR, LAST_YEAR):
            refuse(errors, field, year_error(day, FIRST_YEAR, LAST_YEAR))
    raise_if_any(errors)
    assert first is not None and last is not None
    if last < first:
        raise ValidationError({"last_day": _("The last day must not be before the first.")})
    if max_days is not None and (last - first).days >= max_days:
        text = _("A report covers at most %(days)d days.")
        raise ValidationError({"last_day": text % {"days": max_days}})
    return days_bounds(first, last, zone)
