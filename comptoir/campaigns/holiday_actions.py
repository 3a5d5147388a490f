"""Public holidays: a campaign's own, and the domain's (campaign null). Either closes the
campaign all that day, in the domain's time zone.

A date is a domain-wide holiday once at most (a constraint says so too). A campaign may list
the same date as its own holiday: it is closed either way, and removing one keeps the other.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.campaigns.actions import check_manages
from comptoir.campaigns.holidays import french_holidays
from comptoir.campaigns.limits import NAME_LENGTH
from comptoir.campaigns.models import Campaign, Holiday
from comptoir.lib.checks import Errors, check_text, raise_if_any, refuse
from comptoir.lib.dates import PLANNING_FIRST_YEAR, PLANNING_LAST_YEAR, planning_error
from comptoir.tenancy.models import Domain, User

# Holidays are planning dates: the years of comptoir.lib.dates (outside, surely a typo).
FIRST_YEAR, LAST_YEAR = PLANNING_FIRST_YEAR, PLANNING_LAST_YEAR


def checked_name(name: str, day: date) -> str:
    """The holiday's name, stripped; refused when blank or too long, or the date out of range."""
    errors: Errors = {}
    if not name.strip():
        refuse(errors, "name", _("A holiday needs a name."))
    name = check_text(errors, "name", name, limit=NAME_LENGTH, required=False)
    if not isinstance(day, date) or planning_error(day):
        refuse(errors, "date", planning_error(day) if isinstance(day, date) else _("Enter a date."))
    raise_if_any(errors)
    return name


def domain_holidays(domain: Domain) -> list[Holiday]:
    return list(Holiday.objects.filter(domain=domain, campaign__isnull=True).order_by("date"))


def add_domain_holiday(domain: Domain, *, date: date, name: str, by: User) -> Holiday:
    """Close every campaign of the domain all that day; a date once only."""
    check_manages(by, domain.pk)
    name = checked_name(name, date)
    taken = ValidationError({"date": _("This date is already a public holiday of the domain.")})
    if Holiday.objects.filter(domain=domain, campaign__isnull=True, date=date).exists():
        raise taken
    try:
        with transaction.atomic():
            return Holiday.objects.create(domain=domain, campaign=None, date=date, name=name)
    except IntegrityError:  # added by someone else meanwhile
        raise taken from None


def remove_domain_holiday(domain: Domain, holiday_id: int, *, by: User) -> None:
    check_manages(by, domain.pk)
    Holiday.objects.filter(domain=domain, campaign__isnull=True, pk=holiday_id).delete()


def add_french_domain_holidays(domain: Domain, *, year: int, by: User) -> int:
    """France's public holidays of `year` for the whole domain, but the dates listed already:
    adding them twice adds nothing. How many were added."""
    check_manages(by, domain.pk)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        text = _("Choose a year between %(first)d and %(last)d.")
        raise ValidationError({"year": text % {"first": FIRST_YEAR, "last": LAST_YEAR}})
    rows = Holiday.objects.filter(domain=domain, campaign__isnull=True)
    try:
        with transaction.atomic():
            listed = set(rows.values_list("date", flat=True))
            new = [
                Holiday(domain=domain, campaign=None, date=day, name=name)
                for day, name in french_holidays(year)
                if day not in listed
            ]
            Holiday.objects.bulk_create(new)
    except IntegrityError:  # one of them added by someone else meanwhile: nothing is saved
        raise ValidationError(
            {"year": _("The holidays changed meanwhile; nothing was added: try again.")}
        ) from None
    return len(new)


# --- A campaign's own holidays --------------------------------------------------------------


def listed_dates(campaign: Campaign) -> set[date]:
    """The holidays that close the campaign: its own and its domain's (campaign null)."""
    rows = Holiday.objects.filter(domain_id=campaign.domain_id).filter(
        models.Q(campaign=campaign) | models.Q(campaign__isnull=True)
    )
    return set(rows.values_list("date", flat=True))


def add_holiday(campaign: Campaign, *, date: date, name: str, by: User) -> Holiday:
    """Close the campaign all that day (in the domain's time zone); a date once only."""
    check_manages(by, campaign.domain_id)
    name = checked_name(name, date)
    taken = ValidationError({"date": _("This date is already a holiday of this campaign.")})
    if date in listed_dates(campaign):
        raise taken
    try:
        with transaction.atomic():
            return Holiday.objects.create(
                domain_id=campaign.domain_id, campaign=campaign, date=date, name=name
            )
    except IntegrityError:  # added by someone else meanwhile
        raise taken from None


def remove_holiday(campaign: Campaign, holiday_id: int, *, by: User) -> None:
    check_manages(by, campaign.domain_id)
    Holiday.objects.filter(campaign=campaign, pk=holiday_id).delete()


def add_french_holidays(campaign: Campaign, *, by: User, now: datetime | None = None) -> int:
    """France's public holidays of this year and the next (in the domain's time zone) for the
    campaign, but the dates listed already: adding them twice adds nothing. How many added."""
    check_manages(by, campaign.domain_id)
    year = (now or timezone.now()).astimezone(ZoneInfo(campaign.domain.time_zone)).year
    with transaction.atomic():
        listed = listed_dates(campaign)
        new = [
            Holiday(domain_id=campaign.domain_id, campaign=campaign, date=day, name=name)
            for y in (year, year + 1)
            for day, name in french_holidays(y)
            if day not in listed
        ]
        Holiday.objects.bulk_create(new)
    return len(new)
