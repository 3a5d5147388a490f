"""The accepted range of every date an action takes (docs/api.md, "Dates and their ranges").

A date far out of any sensible range is not harmless: Python's datetime stops at year 9999,
so `9999-12-31T23:59:59-14:00` is year 10000 once in UTC, which the database stores but
nothing can read back (issue 10, finding 8). Each action checks its dates here, so the UI,
the API and the commands refuse the same values with the same sentence.
"""

from datetime import UTC, date, datetime, timedelta

from django.utils.translation import gettext as _

# "Reopen later": after now, and at most five years ahead (a contact centre's longest wait).
MAX_REOPEN_YEARS = 5
MAX_REOPEN_DAYS = MAX_REOPEN_YEARS * 365 + 2  # the leap days of any five years
# Planning dates and public holidays: the years a campaign can plausibly be run in.
PLANNING_FIRST_YEAR, PLANNING_LAST_YEAR = 2000, 2100
# Dates answered to a qualification question (a birth date, a contract's end).
ANSWER_FIRST_YEAR, ANSWER_LAST_YEAR = 1900, 2100


# What Python reads back from the database, with a day's room for any time zone's offset.
FIRST_READABLE = datetime(1, 1, 3, tzinfo=UTC)
LAST_READABLE = datetime(9999, 12, 29, tzinfo=UTC)


def readable_or_none(moment: datetime | None) -> datetime | None:
    """The moment when it can be stored and read back, else None (unknown): for dates that
    come from outside and are only shown, like a mail's Date: header."""
    if moment is None or moment.tzinfo is None:
        return moment
    try:
        in_range = FIRST_READABLE <= moment <= LAST_READABLE
    except OverflowError:
        return None
    return moment if in_range else None


def reopen_horizon(now: datetime) -> datetime:
    return now + timedelta(days=MAX_REOPEN_DAYS)


def reopen_error(reopen_at: datetime, now: datetime) -> str:
    """Why this reopening date is refused, or "" when it is accepted."""
    if reopen_at <= now:
        return _("The reopening date must be in the future.")
    if reopen_at > reopen_horizon(now):
        text = _("The reopening date must be at most %(years)d years ahead.")
        return text % {"years": MAX_REOPEN_YEARS}
    return ""


def year_error(day: date, first: int, last: int) -> str:
    """Why this date (or date and time) is refused, or "" when its year is in first..last.
    Any offset moves a date by a day at most: far from the year 9999 where reading fails."""
    if first <= day.year <= last:
        return ""
    return _("Choose a date between the years %(first)d and %(last)d.") % {
        "first": first,
        "last": last,
    }


def planning_error(day: date) -> str:
    return year_error(day, PLANNING_FIRST_YEAR, PLANNING_LAST_YEAR)


def answer_error(day: date) -> str:
    return year_error(day, ANSWER_FIRST_YEAR, ANSWER_LAST_YEAR)
