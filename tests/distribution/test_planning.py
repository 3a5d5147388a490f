"""Play distributes a campaign's tickets only while it is active, inside its planning dates and
its weekly opening hours (in the domain's time zone); otherwise it says why, and when it opens."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from comptoir.campaigns.models import Campaign, OpeningHours
from comptoir.distribution.models import Processing
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
