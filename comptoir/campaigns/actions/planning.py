"""When a campaign distributes tickets: its weekly opening hours, and public holidays, which
close it all day in the domain's time zone. A holiday is a campaign's own, or the domain's
(campaign null: every campaign of the domain is closed); one implementation serves both
(the owner is a campaign or a domain, campaign.Owner).

A date is a domain-wide holiday once at most (a constraint says so too). A campaign may list
the same date as its own holiday: it is closed either way, and removing one keeps the other.
A campaign's holiday on a date its domain already closes is refused as listed.
"""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.campaigns.actions.campaign import Owner, check_manages
from comptoir.campaigns.holidays import french_holidays
from comptoir.campaigns.limits import NAME_LENGTH
from comptoir.campaigns.models import Campaign, Holiday, OpeningHours
from comptoir.lib.checks import Errors, check_number, check_text, raise_if_any, refuse
from comptoir.lib.dates import PLANNING_FIRST_YEAR, PLANNING_LAST_YEAR, planning_error
from comptoir.tenancy.models import Domain, User

# Holidays are planning dates: the years of comptoir.lib.dates (outside, surely a typo).
FIRST_YEAR, LAST_YEAR = PLANNING_FIRST_YEAR, PLANNING_LAST_YEAR


def add_opening_hours(
    campaign: Campaign, *, weekday: int, opens: time, closes: time, by: User
) -> OpeningHours:
    check_manages(by, campaign.domain_id)
    errors: Errors = {}
    check_number(errors, "weekday", weekday, 0, 6)
    raise_if_any(errors)
    hours = OpeningHours(
        domain_id=campaign.domain_id, campaign=campaign, weekday=weekday, opens=opens, closes=closes
    )
    hours.full_clean(exclude=["domain", "campaign"])
    hours.save()
    return hours


def remove_opening_hours(campaign: Campaign, hours_id: int, *, by: User) -> None:
    check_manages(by, campaign.domain_id)
    OpeningHours.objects.filter(campaign=campaign, pk=hours_id).delete()


# --- Public holidays ------------------------------------------------------------------------


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


def holidays_of(owner: Campaign | Domain) -> list[Holiday]:
    """The owner's own holidays, by date (a campaign's: without its domain's)."""
    return list(Owner.of(owner).rows(Holiday).order_by("date"))


def listed_dates(owner: Owner) -> set[date]:
    """The dates that close the owner: the domain's holidays, and a campaign's own."""
    rows = Holiday.objects.filter(domain_id=owner.domain_id).filter(
        models.Q(campaign__isnull=True) | models.Q(campaign=owner.campaign)
    )
    return set(rows.values_list("date", flat=True))


def add_holiday(owner: Campaign | Domain, *, date: date, name: str, by: User) -> Holiday:
    """Close the campaign, or every campaign of the domain, all that day; a date once only."""
    of = Owner.of(owner)
    of.check(by)
    name = checked_name(name, date)
    if of.campaign is None:
        taken = ValidationError({"date": _("This date is already a public holiday of the domain.")})
    else:
        taken = ValidationError({"date": _("This date is already a holiday of this campaign.")})
    if date in listed_dates(of):
        raise taken
    try:
        with transaction.atomic():
            return Holiday.objects.create(
                domain_id=of.domain_id, campaign=of.campaign, date=date, name=name
            )
    except IntegrityError:  # added by someone else meanwhile
        raise taken from None


def remove_holiday(owner: Campaign | Domain, holiday_id: int, *, by: User) -> None:
    """Only the owner's own: a campaign never removes its domain's holiday, nor another's."""
    of = Owner.of(owner)
    of.check(by)
    of.rows(Holiday).filter(pk=holiday_id).delete()


def add_french_holidays(
    owner: Campaign | Domain, *, by: User, year: int | None = None, now: datetime | None = None
) -> int:
    """France's public holidays of `year` (without one: of this year and the next, in the
    domain's time zone), but the dates listed already: adding them twice adds nothing.
    How many were added."""
    of = Owner.of(owner)
    of.check(by)
    years = [checked_year(year)] if year is not None else this_and_next(owner, now)
    try:
        with transaction.atomic():
            listed = listed_dates(of)
            new = [
                Holiday(domain_id=of.domain_id, campaign=of.campaign, date=day, name=name)
                for y in years
                for day, name in french_holidays(y)
                if day not in listed
            ]
            Holiday.objects.bulk_create(new)
    except IntegrityError:  # one of them added by someone else meanwhile: nothing is saved
        raise ValidationError(
            {"year": _("The holidays changed meanwhile; nothing was added: try again.")}
        ) from None
    return len(new)


def checked_year(year: int) -> int:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        text = _("Choose a year between %(first)d and %(last)d.")
        raise ValidationError({"year": text % {"first": FIRST_YEAR, "last": LAST_YEAR}})
    return year


def this_and_next(owner: Campaign | Domain, now: datetime | None) -> list[int]:
    domain = owner if isinstance(owner, Domain) else owner.domain
    year = (now or timezone.now()).astimezone(ZoneInfo(domain.time_zone)).year
    return [year, year + 1]
