"""A clock the whole core reads, and Acme's people for the reports.

Play's actions take `now`; ingest and replies stamp their rows with `timezone.now()`. The
`clock` fixture sets what `django.utils.timezone.now` answers (the core calls it through the
module, never a copy), so a scripted month puts every ticket, message, history row and
processing at the instant the test says: a controllable clock, not a mock of anything the
test checks.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from itertools import count
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from comptoir.campaigns.models import Campaign, Holiday, OpeningHours
from comptoir.distribution.actions import claim_next_ticket
from comptoir.distribution.models import Processing
from comptoir.mail.ingest import ingest_email
from comptoir.supervision.periods import days_bounds
from comptoir.supervision.reports.query import ReportQuery
from comptoir.tenancy.models import Role, Team, User
from comptoir.tickets.models import Direction, Message, Ticket
from tests.conftest import Acme
from tests.mail.mail_client import customer_mail

PARIS = ZoneInfo("Europe/Paris")
_mails = count(1)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def at(self, moment: datetime) -> datetime:
        self.now = moment
        return moment


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[Clock]:
    moment = Clock(datetime(2025, 3, 1, tzinfo=PARIS))
    monkeypatch.setattr(timezone, "now", lambda: moment.now)
    yield moment


def paris(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    """A time of 2025 in Paris (March unless told)."""
    return datetime(2025, month, day, hour, minute, tzinfo=PARIS)


def make_user(acme: Acme, login: str, role: str = Role.AGENT, **rights: bool) -> User:
    user = User.objects.create_user(domain=acme.domain, login=login, password="pw", role=role)
    for right, value in rights.items():
        setattr(user, right, value)
    user.save()
    return user


def agent_of(acme: Acme, login: str) -> User:
    """Another agent of Acme's `Agents` team (so processing support and orders)."""
    user = make_user(acme, login)
    Team.objects.get(domain=acme.domain, name="Agents").members.add(user)
    return user


def weekday_hours(campaign: Campaign, ranges: list[tuple[time, time]], days: range) -> None:
    for weekday in days:
        for opens, closes in ranges:
            OpeningHours.objects.create(
                domain_id=campaign.domain_id,
                campaign=campaign,
                weekday=weekday,
                opens=opens,
                closes=closes,
            )


def holiday(acme: Acme, day: date, campaign: Campaign | None = None) -> None:
    Holiday.objects.create(domain=acme.domain, campaign=campaign, date=day, name="Fermé")


def writes(clock: Clock, when: datetime, sender: str, *, to: str = "support@acme.test") -> Ticket:
    """A customer's new request, received at `when` through the real ingest."""
    clock.at(when)
    raw = customer_mail(sender, f"Demande {sender}", f"new-{next(_mails)}@client.test", to=to)
    result = ingest_email(raw, domain=None, recipients=[to])
    assert result.outcome == "created", result
    return Ticket.objects.get(number=result.ticket, campaign__domain__slug="acme")


def writes_again(clock: Clock, when: datetime, ticket: Ticket) -> None:
    """The customer answers on the ticket's thread at `when`."""
    clock.at(when)
    first = Message.objects.filter(ticket=ticket, direction=Direction.INBOUND).earliest("pk")
    raw = customer_mail(
        first.from_email,
        f"RE: {ticket.subject}",
        f"again-{next(_mails)}@client.test",
        to=str(first.to[0]["email"]),
        In_Reply_To=f"<{first.message_id}>",
    )
    result = ingest_email(raw, domain=ticket.domain)
    assert (result.outcome, result.ticket) == ("appended", ticket.number), result


def claims(clock: Clock, when: datetime, agent: User, campaign: Campaign) -> Processing:
    clock.at(when)
    served = claim_next_ticket(agent, campaign, now=when)
    assert served.processing is not None, served.reason
    return served.processing


@dataclass
class Month:
    """The report query builder of the scripted month, for one user's view."""

    acme: Acme

    def query(
        self, first: date = date(2025, 3, 1), last: date = date(2025, 3, 31), **filters: object
    ) -> ReportQuery:
        start, end = days_bounds(first, last, PARIS)
        return ReportQuery(self.acme.domain, start, end, **filters)  # type: ignore[arg-type]
