"""Play distributes a campaign's tickets only while it is active, inside its planning dates and
its weekly opening hours, closed on public holidays (in the domain's time zone); otherwise it says
why, and when it opens."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from comptoir.campaigns.holidays import easter, french_holidays
from comptoir.campaigns.models import Campaign, Holiday, OpeningHours
from comptoir.distribution.models import Processing
from comptoir.distribution.planning import availability
from comptoir.tickets.models import Ticket
from tests.conftest import Acme
from tests.distribution.conftest import customer_writes, play

PARIS = ZoneInfo("Europe/Paris")
MONDAY = 0


def paris(day: int, hour: int, minute: int = 0, month: int = 1) -> datetime:
    """A moment in January 2030 (Monday the 7th) or July 2030 (Monday the 1st), Paris time."""
    return datetime(2030, month, day, hour, minute, tzinfo=PARIS)


def open_on(campaign: Campaign, weekday: int, opens: time, closes: time) -> None:
    OpeningHours.objects.create(
        domain=campaign.domain, campaign=campaign, weekday=weekday, opens=opens, closes=closes
    )


@pytest.fixture
def waiting(acme: Acme) -> Ticket:
    return customer_writes(acme)


def test_an_inactive_campaign_serves_nothing_and_says_why(acme: Acme, waiting: Ticket) -> None:
    acme.support.active = False
    acme.support.save()
    answer = play(acme.agent, acme.support, paris(7, 10))
    assert (answer.ticket, answer.opens_at) == (None, None)
    assert answer.reason
    assert Ticket.objects.get(pk=waiting.pk).locked_by is None
    assert not Processing.objects.exists()


def test_before_its_planning_start_a_campaign_says_when_it_starts(
    acme: Acme, waiting: Ticket
) -> None:
    acme.support.planning_start = paris(14, 8)
    acme.support.save()
    answer = play(acme.agent, acme.support, paris(7, 10))
    assert (answer.ticket, answer.opens_at) == (None, paris(14, 8))
    assert answer.reason
    assert play(acme.agent, acme.support, paris(14, 8)).ticket == waiting


def test_until_its_planning_end_a_campaign_serves(acme: Acme, waiting: Ticket) -> None:
    acme.support.planning_end = paris(7, 18)
    acme.support.save()
    assert play(acme.agent, acme.support, paris(7, 17, 59)).ticket == waiting


def test_at_its_planning_end_a_campaign_has_ended(acme: Acme, waiting: Ticket) -> None:
    acme.support.planning_end = paris(7, 18)
    acme.support.save()
    answer = play(acme.agent, acme.support, paris(7, 18))
    assert (answer.ticket, answer.opens_at) == (None, None)
    assert answer.reason


def test_inside_its_opening_hours_a_campaign_serves(acme: Acme, waiting: Ticket) -> None:
    open_on(acme.support, MONDAY, time(9), time(12))
    assert play(acme.agent, acme.support, paris(7, 9)).ticket == waiting


def test_before_the_day_s_opening_play_says_when_it_opens(acme: Acme, waiting: Ticket) -> None:
    open_on(acme.support, MONDAY, time(9), time(12))
    answer = play(acme.agent, acme.support, paris(7, 8, 30))
    assert (answer.ticket, answer.opens_at) == (None, paris(7, 9))
    assert answer.reason


def test_at_closing_time_play_names_the_next_opening(acme: Acme, waiting: Ticket) -> None:
    open_on(acme.support, MONDAY, time(9), time(12))
    open_on(acme.support, MONDAY, time(14), time(18))
    open_on(acme.support, MONDAY + 1, time(9), time(12))
    assert play(acme.agent, acme.support, paris(7, 12)).opens_at == paris(7, 14)
    assert play(acme.agent, acme.support, paris(7, 18)).opens_at == paris(8, 9)


def test_on_friday_evening_play_names_monday_morning(acme: Acme, waiting: Ticket) -> None:
    for weekday in range(5):
        open_on(acme.support, weekday, time(9), time(18))
    answer = play(acme.agent, acme.support, paris(11, 19))  # Friday the 11th
    assert (answer.ticket, answer.opens_at) == (None, paris(14, 9))


def test_opening_hours_are_in_the_domain_s_time_zone(acme: Acme, waiting: Ticket) -> None:
    open_on(acme.support, MONDAY, time(9), time(12))
    # 08:30 UTC is 09:30 in Paris in winter, 10:30 in summer: open both times.
    assert play(acme.agent, acme.support, paris(7, 9, 30).astimezone(ZoneInfo("UTC"))).ticket
    Ticket.objects.update(locked_by=None, locked_until=None)
    Processing.objects.all().delete()
    acme.domain.time_zone = "America/New_York"
    acme.domain.save()
    acme.support.refresh_from_db()
    # 09:30 in Paris is 03:30 in New York: closed, opening at 09:00 New York time.
    answer = play(acme.agent, acme.support, paris(7, 9, 30))
    new_york = datetime(2030, 1, 7, 9, tzinfo=ZoneInfo("America/New_York"))
    assert (answer.ticket, answer.opens_at) == (None, new_york)


def test_summer_time_is_followed(acme: Acme, waiting: Ticket) -> None:
    open_on(acme.support, MONDAY, time(9), time(12))
    answer = play(acme.agent, acme.support, paris(1, 8, 30, month=7))
    assert answer.opens_at == paris(1, 9, month=7)
    assert answer.opens_at is not None
    assert answer.opens_at.utcoffset() == timedelta(hours=2)
    assert play(acme.agent, acme.support, paris(1, 9, month=7)).ticket == waiting


def test_a_campaign_starting_later_names_its_first_opening_after_the_start(
    acme: Acme, waiting: Ticket
) -> None:
    open_on(acme.support, MONDAY, time(9), time(12))
    acme.support.planning_start = paris(8, 0)  # Tuesday: the first opening is next Monday
    acme.support.save()
    answer = play(acme.agent, acme.support, paris(7, 10))
    assert (answer.ticket, answer.opens_at) == (None, paris(14, 9))


def test_a_campaign_ending_before_its_next_opening_does_not_open_again(
    acme: Acme, waiting: Ticket
) -> None:
    open_on(acme.support, MONDAY, time(9), time(12))
    acme.support.planning_end = paris(10, 18)
    acme.support.save()
    answer = play(acme.agent, acme.support, paris(7, 13))
    assert (answer.ticket, answer.opens_at) == (None, None)
    assert answer.reason


def test_a_closed_campaign_leaves_tickets_untouched(acme: Acme, waiting: Ticket) -> None:
    open_on(acme.support, MONDAY, time(9), time(12))
    play(acme.agent, acme.support, paris(7, 13))
    ticket = Ticket.objects.get(pk=waiting.pk)
    assert (ticket.locked_by, ticket.has_unread, ticket.attempts) == (None, True, 0)


# --- Public holidays ------------------------------------------------------------------------


def holiday(campaign: Campaign, day: date, name: str, *, every_campaign: bool = False) -> None:
    Holiday.objects.create(
        domain=campaign.domain, campaign=None if every_campaign else campaign, date=day, name=name
    )


def test_on_a_holiday_play_says_so_and_names_the_next_opening_after_it(
    acme: Acme, waiting: Ticket
) -> None:
    for weekday in range(5):
        open_on(acme.support, weekday, time(9), time(18))
    holiday(acme.support, date(2030, 1, 7), "Fermeture annuelle")  # Monday
    holiday(acme.support, date(2030, 1, 8), "Fermeture annuelle")  # and Tuesday
    answer = play(acme.agent, acme.support, paris(7, 10))
    assert (answer.ticket, answer.opens_at) == (None, paris(9, 9))
    assert "Fermeture annuelle" in answer.reason
    # Friday evening: the next opening skips Monday and Tuesday.
    assert play(acme.agent, acme.support, paris(4, 19)).opens_at == paris(9, 9)
    assert play(acme.agent, acme.support, paris(9, 9)).ticket == waiting


def test_a_holiday_closes_a_campaign_without_opening_hours_all_day(
    acme: Acme, waiting: Ticket
) -> None:
    holiday(acme.support, date(2030, 1, 7), "Jour férié")
    answer = play(acme.agent, acme.support, paris(7, 23, 59))
    assert (answer.ticket, answer.opens_at) == (None, paris(8, 0))
    assert "Jour férié" in answer.reason
    assert play(acme.agent, acme.support, paris(8, 0)).ticket == waiting


def test_a_domain_wide_holiday_closes_every_campaign(acme: Acme, waiting: Ticket) -> None:
    other = Campaign.objects.create(domain=acme.domain, slug="sales", name="Sales")
    holiday(acme.support, date(2030, 1, 7), "Jour de l'an décalé", every_campaign=True)
    for campaign in (acme.support, other):
        where = availability(campaign, paris(7, 10))
        assert (where.open, where.opens_at) == (False, paris(8, 0))
        assert "Jour de l'an décalé" in where.reason
    # Another campaign's own holiday is not this one's.
    holiday(other, date(2030, 1, 8), "Sales only")
    assert play(acme.agent, acme.support, paris(8, 10)).ticket == waiting


def test_a_holiday_follows_the_domain_s_time_zone(acme: Acme, waiting: Ticket) -> None:
    holiday(acme.support, date(2030, 1, 7), "Lundi")
    # 23:59 on Sunday and 00:00 on Tuesday in Paris are outside it; 00:00 Monday is inside,
    # though it is still Sunday in UTC.
    assert play(acme.agent, acme.support, paris(6, 23, 59)).ticket == waiting
    Ticket.objects.update(locked_by=None, locked_until=None)
    Processing.objects.all().delete()
    monday_midnight = paris(7, 0).astimezone(ZoneInfo("UTC"))
    assert monday_midnight.day == 6
    assert play(acme.agent, acme.support, monday_midnight).ticket is None
    assert play(acme.agent, acme.support, paris(7, 23, 59)).ticket is None
    assert play(acme.agent, acme.support, paris(8, 0)).ticket == waiting


def test_a_campaign_starting_on_a_holiday_opens_the_day_after(acme: Acme, waiting: Ticket) -> None:
    open_on(acme.support, MONDAY, time(9), time(12))
    open_on(acme.support, MONDAY + 1, time(9), time(12))
    acme.support.planning_start = paris(14, 0)
    acme.support.save()
    holiday(acme.support, date(2030, 1, 14), "Lundi")
    assert play(acme.agent, acme.support, paris(7, 10)).opens_at == paris(15, 9)


@pytest.mark.parametrize(
    ("year", "sunday"),
    [(2024, date(2024, 3, 31)), (2025, date(2025, 4, 20)), (2026, date(2026, 4, 5))],
)
def test_easter_is_computed(year: int, sunday: date) -> None:
    assert easter(year) == sunday


def test_france_s_public_holidays(acme: Acme) -> None:
    days = dict(french_holidays(2026))
    assert len(days) == 11
    assert days[date(2026, 4, 6)] == "Lundi de Pâques"
    assert days[date(2026, 5, 14)] == "Ascension"
    assert days[date(2026, 5, 25)] == "Lundi de Pentecôte"
    assert days[date(2026, 12, 25)] == "Noël"
