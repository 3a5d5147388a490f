"""Scheduled reports' actions: create and delete a schedule, and the periods it mails.

Who may schedule: whoever may see reports (reports.report.may_see_reports), for campaigns
they supervise. Every recipient must be an active user of the domain with an email address
who may see the reports of every chosen campaign (with none chosen: any supervisor; each
then gets what they supervise). Rights are checked again when each mail is composed
(supervision.report_mail): a recipient who lost them gets nothing.
"""

from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils.translation import gettext as _

from comptoir.campaigns.models import Campaign
from comptoir.lib.checks import Errors, raise_if_any, refuse, storable_ids
from comptoir.supervision.models import Frequency, ScheduledReport
from comptoir.supervision.periods import days_bounds
from comptoir.supervision.reports.report import may_see_reports
from comptoir.tenancy.models import Domain, User
from comptoir.tickets.access import supervised_campaigns

NAME_LENGTH = 100


def last_period(domain: Domain, frequency: str, *, now: datetime) -> tuple[datetime, datetime]:
    """The [start, end) of the last whole period before `now` in the domain's time zone:
    yesterday, or last week from Monday."""
    zone = ZoneInfo(domain.time_zone)
    today = now.astimezone(zone).date()
    if frequency == Frequency.WEEKLY:
        monday = today - timedelta(days=today.weekday())
        return days_bounds(monday - timedelta(days=7), monday - timedelta(days=1), zone)
    yesterday = today - timedelta(days=1)
    return days_bounds(yesterday, yesterday, zone)


def managed_schedules(user: User) -> models.QuerySet[ScheduledReport]:
    """The schedules a user sees and may delete: theirs, or all of the domain's with the
    right to supervise every campaign."""
    if not may_see_reports(user):
        return ScheduledReport.objects.none()
    schedules = ScheduledReport.objects.filter(domain_id=user.domain_id)
    return schedules if user.can_supervise else schedules.filter(created_by=user)


def may_receive(user: User, campaigns: Sequence[Campaign]) -> bool:
    if not user.is_active or not user.email or not may_see_reports(user):
        return False
    seen = set(supervised_campaigns(user).values_list("id", flat=True))
    return {c.pk for c in campaigns} <= seen


def checked_campaigns(user: User, ids: list[int], errors: Errors) -> list[Campaign]:
    campaigns = list(supervised_campaigns(user).filter(pk__in=ids))
    if len(campaigns) != len(set(ids)):
        refuse(errors, "campaigns", _("Choose campaigns you supervise."))
    return campaigns


def checked_recipients(
    domain_id: int, ids: list[int], campaigns: list[Campaign], errors: Errors
) -> list[User]:
    recipients = list(User.objects.filter(domain_id=domain_id, pk__in=ids))
    if not ids:
        refuse(errors, "recipients", _("Choose at least one recipient."))
    elif len(recipients) != len(set(ids)):
        refuse(errors, "recipients", _("Choose from the list."))
    refused = [u for u in recipients if not may_receive(u, campaigns)]
    if refused:
        text = _("%(names)s may not receive this report (no email address, or no right to see it).")
        names = ", ".join(str(u) for u in refused)
        refuse(errors, "recipients", text % {"names": names})
    return recipients


def create_schedule(
    user: User,
    *,
    name: str,
    frequency: str,
    campaign_ids: Sequence[int] = (),
    recipient_ids: Sequence[int],
    now: datetime,
) -> ScheduledReport:
    """A new schedule; its first mail is about the period in progress at `now`."""
    if not may_see_reports(user):
        raise PermissionDenied("only supervisors schedule reports")
    errors: Errors = {}
    name = " ".join(name.split())
    if not name:
        refuse(errors, "name", _("This field is required."))
    elif len(name) > NAME_LENGTH:
        refuse(errors, "name", _("At most %(count)d characters.") % {"count": NAME_LENGTH})
    if frequency not in Frequency.values:
        refuse(errors, "frequency", _("Choose from the list."))
    campaign_set, recipient_set = (
        storable_ids(list(campaign_ids)),
        storable_ids(list(recipient_ids)),
    )
    for field, ids in (("campaigns", campaign_set), ("recipients", recipient_set)):
        if ids is None:
            refuse(errors, field, _("Choose from the list."))
    raise_if_any(errors)
    assert campaign_set is not None and recipient_set is not None
    campaigns = checked_campaigns(user, sorted(campaign_set), errors)
    recipients = checked_recipients(user.domain_id, sorted(recipient_set), campaigns, errors)
    raise_if_any(errors)
    start, _end = last_period(user.domain, frequency, now=now)
    with transaction.atomic():
        schedule = ScheduledReport.objects.create(
            domain_id=user.domain_id, name=name, frequency=frequency,
            last_period_sent=start, created_by=user, created_at=now,
        )  # fmt: skip
        schedule.campaigns.set(campaigns)
        schedule.recipients.set(recipients)
    return schedule


def delete_schedule(user: User, schedule: ScheduledReport) -> None:
    """ScheduledReport.DoesNotExist for one the user does not manage (a 404 in the UI)."""
    if not managed_schedules(user).filter(pk=schedule.pk).exists():
        raise ScheduledReport.DoesNotExist("not a schedule this user manages")
    schedule.delete()


def possible_recipients(user: User) -> models.QuerySet[User]:
    """The users offered as recipients: active, with an address; rights checked on saving."""
    users = User.objects.filter(domain_id=user.domain_id, is_active=True).exclude(email="")
    return users.order_by("login")
