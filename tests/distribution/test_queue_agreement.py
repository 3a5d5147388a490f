"""The counts agents see (distribution.queues: "N tickets waiting", "N of your tickets are due")
and the claim (distribution.actions.claim_next_ticket and its SQL, distribution.claim) agree on
every ticket (issue 12 §2): counted while the campaign is open ⇔ play serves it; and "My
tickets" calls due exactly the agent's own tickets play serves. The supervisors' board
(supervision.board: "waiting now" and "due for their assignee", counted for every campaign in
one query) agrees with both: counted ⇔ play serves it to its assignee, or to anyone when it
has none.

One ticket per campaign, so that "play serves it" is "the next claim returns it". A closed
campaign (inactive, outside its opening hours) still counts what waits in its queue (the card
says when it opens): there "counted while open" is false, and play serves nothing."""

from collections.abc import Callable
from datetime import datetime, time, timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from comptoir.campaigns.models import Campaign, OpeningHours
from comptoir.distribution.actions import claim_next_ticket
from comptoir.distribution.planning import availability
from comptoir.distribution.queues import (
    AssignedState,
    assigned_state,
    assigned_to,
    due_for,
    waiting_count,
)
from comptoir.supervision.board import campaign_board
from comptoir.tenancy.models import Team, User
from comptoir.tickets.models import Ticket, TicketStatus
from comptoir.tickets.outbound import add_note
from tests.conftest import Acme
from tests.distribution.conftest import make_agent
from tests.ui.conftest import make_ticket

LOCK = timedelta(seconds=settings.COMPTOIR_LOCK_SECONDS)
HOUR = timedelta(hours=1)


class Case:
    def __init__(self, acme: Acme, me: User, other: User, now: datetime) -> None:
        self.acme, self.me, self.other, self.now = acme, me, other, now

    def ticket(self, **fields: object) -> Ticket:
        campaign = Campaign.objects.create(
            domain=self.acme.domain, slug=f"c{Campaign.objects.count()}", name="Cas"
        )
        campaign.agent_teams.add(Team.objects.get(domain=self.acme.domain, name="Agents"))
        # Sam's team supervises it: a supervisor's board shows only their teams' campaigns.
        campaign.supervision_teams.add(
            Team.objects.get(domain=self.acme.domain, name="Supervision")
        )
        ticket = make_ticket(campaign, status=str(fields.pop("status", TicketStatus.OPEN)))
        ticket.has_unread = False
        for name, value in fields.items():
            setattr(ticket, name, value)
        ticket.save()
        return ticket

    def expired_processing(self, *, noted: bool) -> Ticket:
        """Served to me because the customer wrote, then my console stopped answering."""
        ticket = self.ticket(assignee=self.me, has_unread=True)
        start = self.now - LOCK - timedelta(seconds=5)
        served = claim_next_ticket(self.me, ticket.campaign, now=start)
        assert served.ticket == ticket
        if noted:
            add_note(ticket, author=self.me, text="Appelé, pas de réponse.")
        return ticket


CASES: dict[str, Callable[[Case], Ticket]] = {
    "open, nobody's": lambda c: c.ticket(),
    "closed": lambda c: c.ticket(status=TicketStatus.CLOSED),
    "waiting for the customer": lambda c: c.ticket(status=TicketStatus.WAITING),
    "mine, the customer wrote": lambda c: c.ticket(assignee=c.me, has_unread=True),
    "mine, nothing new": lambda c: c.ticket(assignee=c.me),
    "another's, the customer wrote": lambda c: c.ticket(assignee=c.other, has_unread=True),
    "nobody's, locked by another": lambda c: c.ticket(locked_by=c.other, locked_until=c.now + HOUR),
    "nobody's, another's lock expired": lambda c: c.ticket(
        locked_by=c.other, locked_until=c.now - timedelta(seconds=1)
    ),
    "mine, reopen date to come": lambda c: c.ticket(assignee=c.me, reopen_at=c.now + HOUR),
    "mine, reopen date come": lambda c: c.ticket(assignee=c.me, reopen_at=c.now - HOUR),
    "nobody's, reopen date come": lambda c: c.ticket(reopen_at=c.now - HOUR),
    "blocked": lambda c: c.ticket(blocked_until=c.now + HOUR),
    "blocking over": lambda c: c.ticket(blocked_until=c.now - HOUR),
    "flagged": lambda c: c.ticket(flagged=True),
    "at max attempts, not flagged yet": lambda c: c.ticket(attempts=5),
    "no number yet": lambda c: c.ticket(number=None),
    "inactive campaign": lambda c: inactive(c.ticket()),
    "outside opening hours": lambda c: closed_today(c.ticket(), c.now),
    "mine, my lock expired with the message unread": lambda c: c.expired_processing(noted=False),
    "mine, my lock expired after I wrote a note": lambda c: c.expired_processing(noted=True),
}


def inactive(ticket: Ticket) -> Ticket:
    Campaign.objects.filter(pk=ticket.campaign_id).update(active=False)
    return ticket


def closed_today(ticket: Ticket, now: datetime) -> Ticket:
    """Open only another day of the week."""
    other_day = (now.astimezone(timezone.get_default_timezone()).weekday() + 3) % 7
    OpeningHours.objects.create(
        domain_id=ticket.domain_id,
        campaign_id=ticket.campaign_id,
        weekday=other_day,
        opens=time(9),
        closes=time(17),
    )
    return ticket


@pytest.mark.parametrize("case", CASES)
def test_counted_while_open_iff_play_serves_it(acme: Acme, case: str) -> None:
    now = timezone.now()
    me, other = acme.agent, make_agent(acme, "bruno")
    ticket = CASES[case](Case(acme, me, other, now))
    campaign = Campaign.objects.select_related("domain").get(pk=ticket.campaign_id)
    mine = assigned_to(me).filter(pk=ticket.pk).first()  # "My tickets", read before play
    counted = waiting_count(campaign, now) + due_for(me, campaign, now).count()
    assert counted in (0, 1)
    open_now = availability(campaign, now).open
    served = claim_next_ticket(me, campaign, now=now).ticket
    assert served in (None, ticket)
    assert (bool(counted) and open_now) == (served is not None), (counted, open_now, served)
    if mine is not None:  # "My tickets" says "due" of exactly those play serves first
        assert (assigned_state(mine, now) == AssignedState.DUE) == (served is not None)


@pytest.mark.parametrize("case", CASES)
def test_the_board_counts_a_ticket_iff_play_serves_it_to_someone(acme: Acme, case: str) -> None:
    now = timezone.now()
    me, other = acme.agent, make_agent(acme, "bruno")
    ticket = CASES[case](Case(acme, me, other, now))
    campaign = Campaign.objects.select_related("domain").get(pk=ticket.campaign_id)
    rows = campaign_board(acme.supervisor, now=now).rows
    board = next(row.figures for row in rows if row.campaign.pk == campaign.pk)
    owner = Ticket.objects.get(pk=ticket.pk).assignee
    assert board.waiting == waiting_count(campaign, now)
    assert board.due == (due_for(owner, campaign, now).count() if owner else 0)
    counted = board.waiting + board.due
    assert counted in (0, 1)
    open_now = availability(campaign, now).open
    served = claim_next_ticket(owner or me, campaign, now=now).ticket
    assert served in (None, ticket)
    assert (bool(counted) and open_now) == (served is not None), (counted, open_now, served)
