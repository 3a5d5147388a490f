"""What a report is about (period, step, filters) and what the user may see of it.

A `ReportQuery` is plain data: the domain, an aware [start, end) period, the step of its
buckets and the campaign, team and agent filters. `scope` checks it and the user's rights
once, and gives every figure the campaigns and agents its SQL filters on: a supervisor
only the campaigns their teams supervise (tickets.access), a user with the right to
supervise every campaign of the domain, anyone else nothing (PermissionDenied).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from comptoir.campaigns.models import Campaign
from comptoir.lib.checks import Errors, raise_if_any, refuse, storable_ids
from comptoir.lib.dates import year_error
from comptoir.tenancy.models import Domain, Team, User
from comptoir.tickets.access import supervised_campaigns

# Hour buckets over more than a month would make thousands of points: refused.
MAX_HOUR_DAYS = 31
# A report spans at most about two years (days are its largest bucket).
MAX_DAYS = 732
# The years a custom period may name (imported archives can be old, nothing is after 2100).
FIRST_YEAR, LAST_YEAR = 1970, 2100


class Step(models.TextChoices):
    HOUR = "hour", gettext_lazy("By hour")
    DAY = "day", gettext_lazy("By day")


class Period(models.TextChoices):
    TODAY = "today", gettext_lazy("Today")
    YESTERDAY = "yesterday", gettext_lazy("Yesterday")
    THIS_WEEK = "this_week", gettext_lazy("This week")
    LAST_WEEK = "last_week", gettext_lazy("Last week")
    THIS_MONTH = "this_month", gettext_lazy("This month")
    CUSTOM = "custom", gettext_lazy("Custom dates")


@dataclass(frozen=True)
class ReportQuery:
    domain: Domain
    start: datetime  # aware, included
    end: datetime  # aware, excluded
    step: str = Step.DAY
    campaign_ids: Sequence[int] = ()  # none: every campaign the user supervises
    team_ids: Sequence[int] = ()  # the agents of these teams
    agent_ids: Sequence[int] = ()

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.domain.time_zone)


@dataclass(frozen=True)
class Scope:
    """What the figures filter on, checked: every id is of the user's domain and visible."""

    domain_id: int
    campaign_ids: list[int]
    agent_ids: list[int] | None  # None: no agent filter


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
) -> tuple[datetime, datetime]:
    """The [start, end) of a named period in the domain's time zone: whole local days,
    weeks from Monday, this month from its first day to its last. `custom` takes
    `first_day` and `last_day` (both included)."""
    zone = ZoneInfo(domain.time_zone)
    today = now.astimezone(zone).date()
    monday = today - timedelta(days=today.weekday())
    if period == Period.TODAY:
        return days_bounds(today, today, zone)
    if period == Period.YESTERDAY:
        yesterday = today - timedelta(days=1)
        return days_bounds(yesterday, yesterday, zone)
    if period == Period.THIS_WEEK:
        return days_bounds(monday, monday + timedelta(days=6), zone)
    if period == Period.LAST_WEEK:
        return days_bounds(monday - timedelta(days=7), monday - timedelta(days=1), zone)
    if period == Period.THIS_MONTH:
        following = (today.replace(day=28) + timedelta(days=4)).replace(day=1)
        return days_bounds(today.replace(day=1), following - timedelta(days=1), zone)
    if period == Period.CUSTOM:
        return custom_bounds(first_day, last_day, zone)
    raise ValidationError({"period": _("Choose a period from the list.")})


def custom_bounds(
    first: date | None, last: date | None, zone: ZoneInfo
) -> tuple[datetime, datetime]:
    errors: Errors = {}
    if first is None:
        refuse(errors, "first_day", _("This field is required."))
    if last is None:
        refuse(errors, "last_day", _("This field is required."))
    raise_if_any(errors)
    assert first is not None and last is not None
    if last < first:
        raise ValidationError({"last_day": _("The last day must not be before the first.")})
    for field, day in (("first_day", first), ("last_day", last)):
        if year_error(day, FIRST_YEAR, LAST_YEAR):
            refuse(errors, field, year_error(day, FIRST_YEAR, LAST_YEAR))
    raise_if_any(errors)
    if (last - first).days >= MAX_DAYS:
        text = _("A report covers at most %(days)d days.")
        raise ValidationError({"last_day": text % {"days": MAX_DAYS}})
    return days_bounds(first, last, zone)


def check_query(query: ReportQuery) -> None:
    """ValidationError by field when the period or the step cannot make a report."""
    errors: Errors = {}
    if query.start.tzinfo is None or query.end.tzinfo is None:
        refuse(errors, "start", _("The period needs dates with a time zone."))
        raise_if_any(errors)
    for field in ("start", "end"):
        # The end of a period of 31 December 2100 is 1 January 2101.
        refused = year_error(getattr(query, field).date(), FIRST_YEAR, LAST_YEAR + 1)
        if refused:
            refuse(errors, field, refused)
    raise_if_any(errors)
    # In UTC: Python subtracts two times of one zone on the wall clock.
    length = query.end.astimezone(UTC) - query.start.astimezone(UTC)
    if length <= timedelta(0):
        refuse(errors, "end", _("The end of the period must be after its start."))
    elif length > timedelta(days=MAX_DAYS):
        refuse(errors, "end", _("A report covers at most %(days)d days.") % {"days": MAX_DAYS})
    if query.step not in Step.values:
        refuse(errors, "step", _("Choose by hour or by day."))
    elif query.step == Step.HOUR and length > timedelta(days=MAX_HOUR_DAYS):
        text = _("By hour, a report covers at most %(days)d days.")
        refuse(errors, "step", text % {"days": MAX_HOUR_DAYS})
    for field in ("campaign_ids", "team_ids", "agent_ids"):
        if storable_ids(list(getattr(query, field))) is None:
            refuse(errors, field, _("Choose from the list."))
    raise_if_any(errors)


def scope(user: User, query: ReportQuery) -> Scope:
    """The checked filters of a report for this user. PermissionDenied for anyone who
    supervises nothing (agents); DoesNotExist for a campaign, team or agent the user cannot
    see (the UI answers 404, as for any other object outside their reach)."""
    if not user.is_active or user.domain_id != query.domain.pk:
        raise PermissionDenied("not a user of this domain")
    allowed = set(supervised_campaigns(user).values_list("id", flat=True))
    if not allowed and not user.can_supervise:
        raise PermissionDenied("only supervisors see reports")
    check_query(query)
    campaigns = set(query.campaign_ids) or allowed
    if not campaigns <= allowed:
        raise Campaign.DoesNotExist("not a campaign this user supervises")
    return Scope(user.domain_id, sorted(campaigns), agent_filter(user.domain_id, query))


def agent_filter(domain_id: int, query: ReportQuery) -> list[int] | None:
    """The agents the report is narrowed to: the members of its teams, the agents it names
    (both: those in both), or None for no filter."""
    agents: set[int] | None = None
    if query.team_ids:
        teams = Team.objects.filter(domain_id=domain_id, pk__in=query.team_ids)
        if teams.count() != len(set(query.team_ids)):
            raise Team.DoesNotExist("not a team of this domain")
        members = User.objects.filter(domain_id=domain_id, teams__in=teams)
        agents = set(members.values_list("id", flat=True))
    if query.agent_ids:
        named = set(
            User.objects.filter(domain_id=domain_id, pk__in=query.agent_ids).values_list(
                "id", flat=True
            )
        )
        if named != set(query.agent_ids):
            raise User.DoesNotExist("not a user of this domain")
        agents = named if agents is None else agents & named
    return None if agents is None else sorted(agents)
