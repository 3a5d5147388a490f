"""What a report is about (period, step, filters) and what the user may see of it.

A `ReportQuery` is plain data: the domain, an aware [start, end) period, the step of its
buckets and the campaign, team and agent filters. `scope` checks it and the user's rights
once, and gives every figure the campaigns and agents its SQL filters on: a supervisor
only the campaigns their teams supervise (tickets.access), a user with the right to
supervise every campaign of the domain, anyone else nothing (PermissionDenied).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from comptoir.campaigns.models import Campaign
from comptoir.lib.checks import Errors, raise_if_any, refuse, storable_ids
from comptoir.lib.dates import year_error
from comptoir.supervision import periods
from comptoir.supervision.filters import agent_filter
from comptoir.supervision.periods import FIRST_YEAR, LAST_YEAR
from comptoir.tenancy.models import Domain, User
from comptoir.tickets.access import supervised_campaigns

# Hour buckets over more than a month would make thousands of points: refused.
MAX_HOUR_DAYS = 31
# A report spans at most about two years (days are its largest bucket).
MAX_DAYS = 732


class Step(models.TextChoices):
    HOUR = "hour", gettext_lazy("By hour")
    DAY = "day", gettext_lazy("By day")


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


def period_bounds(
    domain: Domain,
    period: str,
    *,
    now: datetime,
    first_day: date | None = None,
    last_day: date | None = None,
) -> tuple[datetime, datetime]:
    """A report's period (supervision.periods), at most MAX_DAYS days long."""
    bounds = periods.period_bounds
    return bounds(
        domain, period, now=now, first_day=first_day, last_day=last_day, max_days=MAX_DAYS
    )


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
    return Scope(
        user.domain_id,
        sorted(campaigns),
        agent_filter(user.domain_id, query.team_ids, query.agent_ids),
    )
