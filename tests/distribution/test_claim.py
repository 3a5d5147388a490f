"""Play: which ticket comes next, which never comes, and the lock that keeps it to one agent."""

from datetime import datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied

from comptoir.campaigns.models import Campaign
from comptoir.distribution.actions import claim_next_ticket, heartbeat
from comptoir.distribution.models import EndReason, Processing
from comptoir.tenancy.models import Role, Team, User
from comptoir.tickets.models import Ticket, TicketStatus
from tests.conftest import Acme, make_acme
from tests.distribution.conftest import (
    customer_writes,
    event_kinds,
    fresh,
    lock_seconds,
    make_agent,
    play,
    served,
    waiting_since,
)


def test_play_serves_the_customer_who_has_waited_longest(acme: Acme, clock: datetime) -> None:
    recent = customer_writes(acme, "Récent")
    oldest = customer_writes(acme, "Le plus ancien")
    waiting_since(recent, clock - timedelta(minutes=5))
    waiting_since(oldest, clock - timedelta(hours=2))
    assert served(acme.agent, acme.support, clock) == oldest


def test_higher_priority_is_served_before_a_longer_wait(acme: Acme, clock: datetime) -> None:
    old = customer_writes(acme, "Ancien")
    urgent = customer_writes(acme, "Urgent")
    waiting_since(old, clock - timedelta(days=2))
    Ticket.objects.filter(pk=urgent.pk).update(priority=5)
    assert served(acme.agent, acme.support, clock) == urgent


def test_play_locks_the_ticket_to_the_agent_and_starts_a_processing(
    acme: Acme, clock: datetime
) -> None:
    ticket = customer_writes(acme)
    next_ticket = play(acme.agent, acme.support, clock)
    assert next_ticket.ticket == ticket
    ticket = fresh(ticket)
    assert ticket.locked_by == acme.agent
    assert ticket.locked_until == clock + lock_seconds()
    assert not ticket.has_unread  # the agent reads it now
    processing = next_ticket.processing
    assert processing is not None
    assert (processing.agent, processing.ticket, processing.started_at) == (
        acme.agent,
        ticket,
        clock,
    )
    assert processing.is_live and processing.was_unread
    assert event_kinds(ticket)[-1] == "processing_started"


def test_an_agent_asking_again_gets_the_ticket_they_already_hold(
    acme: Acme, clock: datetime
) -> None:
    customer_writes(acme, "Un")
    customer_writes(acme, "Deux")
    held = play(acme.agent, acme.support, clock)
    assert held.ticket is not None
    again = play(acme.agent, acme.support, clock + timedelta(seconds=30))
    assert (again.ticket, again.processing) == (held.ticket, held.processing)
    assert Processing.objects.filter(agent=acme.agent, ended_at__isnull=True).count() == 1
    assert Ticket.objects.filter(locked_by=acme.agent).count() == 1


def test_two_agents_are_never_served_the_same_ticket(
    acme: Acme, bob: User, clock: datetime
) -> None:
    customer_writes(acme, "Un")
    customer_writes(acme, "Deux")
    alices = served(acme.agent, acme.support, clock)
    bobs = served(bob, acme.support, clock)
    assert alices is not None and bobs is not None and alices != bobs
    third = play(make_agent(acme, "carol"), acme.support, clock)
    assert third.ticket is None


def test_an_empty_queue_says_there_is_nothing_to_do(acme: Acme, clock: datetime) -> None:
    nothing = play(acme.agent, acme.support, clock)
    assert (nothing.ticket, nothing.processing, nothing.opens_at) == (None, None, None)
    assert nothing.reason
    assert not Processing.objects.exists()


def test_closed_and_waiting_for_customer_tickets_are_never_served(
    acme: Acme, clock: datetime
) -> None:
    closed = customer_writes(acme, "Fermé")
    waiting = customer_writes(acme, "En attente du client")
    Ticket.objects.filter(pk=closed.pk).update(status=TicketStatus.CLOSED)
    Ticket.objects.filter(pk=waiting.pk).update(status=TicketStatus.WAITING)
    assert served(acme.agent, acme.support, clock) is None


def test_a_blocked_ticket_is_served_only_once_its_blocking_has_ended(
    acme: Acme, clock: datetime
) -> None:
    ticket = customer_writes(acme)
    Ticket.objects.filter(pk=ticket.pk).update(blocked_until=clock + timedelta(minutes=30))
    assert served(acme.agent, acme.support, clock) is None
    assert served(acme.agent, acme.support, clock + timedelta(minutes=30)) == ticket


def test_a_ticket_at_the_maximum_attempts_is_not_served(acme: Acme, clock: datetime) -> None:
    acme.support.max_attempts = 3
    acme.support.save()
    spent = customer_writes(acme, "Trois tentatives")
    Ticket.objects.filter(pk=spent.pk).update(attempts=3)
    almost = customer_writes(acme, "Deux tentatives")
    Ticket.objects.filter(pk=almost.pk).update(attempts=2)
    assert served(acme.agent, acme.support, clock) == almost


def test_a_flagged_ticket_is_not_served(acme: Acme, clock: datetime) -> None:
    ticket = customer_writes(acme)
    Ticket.objects.filter(pk=ticket.pk).update(flagged=True)
    assert served(acme.agent, acme.support, clock) is None


def test_a_ticket_with_a_reopen_date_to_come_is_not_served(acme: Acme, clock: datetime) -> None:
    ticket = customer_writes(acme)
    Ticket.objects.filter(pk=ticket.pk).update(reopen_at=clock + timedelta(days=1))
    assert served(acme.agent, acme.support, clock) is None


def test_a_ticket_locked_by_another_live_processing_is_not_served(
    acme: Acme, bob: User, clock: datetime
) -> None:
    customer_writes(acme)
    assert served(acme.agent, acme.support, clock) is not None
    later = clock + lock_seconds() - timedelta(seconds=1)
    assert served(bob, acme.support, later) is None


def test_a_ticket_assigned_to_someone_else_is_never_served(
    acme: Acme, bob: User, clock: datetime
) -> None:
    ticket = customer_writes(acme)  # unread: due for its assignee
    Ticket.objects.filter(pk=ticket.pk).update(assignee=bob)
    assert served(acme.agent, acme.support, clock) is None
    assert served(bob, acme.support, clock) == ticket


def test_play_on_one_campaign_never_serves_another_campaign_s_ticket(
    acme: Acme, clock: datetime
) -> None:
    order = customer_writes(acme, "Ma commande", to="orders@acme.test")
    assert served(acme.agent, acme.support, clock) is None
    assert served(acme.agent, acme.orders, clock) == order


def test_play_never_serves_another_domain_s_ticket(acme: Acme, clock: datetime) -> None:
    other = make_acme("globex")
    customer_writes(other, "Chez Globex", to="support@globex.test")
    # Alice's campaign object with the other domain's id would be a forgery; the query
    # itself also filters on the domain.
    assert served(acme.agent, acme.support, clock) is None


def test_a_campaign_not_given_to_the_agent_s_team_is_refused(acme: Acme, clock: datetime) -> None:
    sales = Campaign.objects.create(domain=acme.domain, slug="sales", name="Ventes")
    with pytest.raises(PermissionDenied):
        claim_next_ticket(acme.agent, sales, now=clock)


def test_a_supervisor_outside_the_agent_teams_may_not_press_play(
    acme: Acme, clock: datetime
) -> None:
    with pytest.raises(PermissionDenied):
        claim_next_ticket(acme.supervisor, acme.support, now=clock)


def test_an_agent_of_another_domain_may_not_press_play(acme: Acme, clock: datetime) -> None:
    other = make_acme("globex")
    with pytest.raises(PermissionDenied):
        claim_next_ticket(other.agent, acme.support, now=clock)


def test_a_deactivated_or_non_processing_user_may_not_press_play(
    acme: Acme, clock: datetime
) -> None:
    viewer = User.objects.create_user(
        domain=acme.domain, login="vera", password="pw", role=Role.AGENT, can_process=False
    )
    Team.objects.get(domain=acme.domain, name="Agents").members.add(viewer)
    with pytest.raises(PermissionDenied):
        claim_next_ticket(viewer, acme.support, now=clock)
    acme.agent.is_active = False
    acme.agent.save()
    with pytest.raises(PermissionDenied):
        claim_next_ticket(acme.agent, acme.support, now=clock)


# --- The lock and the heartbeat --------------------------------------------------------------


def test_a_lock_not_renewed_expires_and_another_agent_gets_the_ticket(
    acme: Acme, bob: User, clock: datetime
) -> None:
    ticket = customer_writes(acme)
    alices = play(acme.agent, acme.support, clock).processing
    assert alices is not None
    expired = clock + lock_seconds() + timedelta(seconds=1)
    bobs = play(bob, acme.support, expired)
    assert bobs.ticket == ticket
    assert fresh(ticket).locked_by == bob
    alices.refresh_from_db()
    assert (alices.ended_at, alices.end_reason) == (expired, EndReason.EXPIRED)
    assert not alices.counted_attempt and fresh(ticket).attempts == 0
    assert "lock_expired" in event_kinds(ticket)


def test_the_heartbeat_keeps_the_lock(acme: Acme, bob: User, clock: datetime) -> None:
    ticket = customer_writes(acme)
    processing = play(acme.agent, acme.support, clock).processing
    assert processing is not None
    beat = clock + lock_seconds() - timedelta(seconds=10)
    assert heartbeat(processing, now=beat) is True
    assert fresh(ticket).locked_until == beat + lock_seconds()
    assert served(bob, acme.support, clock + lock_seconds() + timedelta(seconds=1)) is None
    assert play(acme.agent, acme.support, beat).processing == processing


def test_the_heartbeat_after_losing_the_ticket_says_so(
    acme: Acme, bob: User, clock: datetime
) -> None:
    customer_writes(acme)
    processing = play(acme.agent, acme.support, clock).processing
    assert processing is not None
    expired = clock + lock_seconds() + timedelta(seconds=1)
    assert served(bob, acme.support, expired) is not None
    assert heartbeat(processing, now=expired) is False
    assert heartbeat(processing, now=expired + timedelta(seconds=5)) is False


def test_a_late_heartbeat_carries_on_when_nobody_took_the_ticket(
    acme: Acme, clock: datetime
) -> None:
    ticket = customer_writes(acme)
    processing = play(acme.agent, acme.support, clock).processing
    assert processing is not None
    late = clock + lock_seconds() + timedelta(minutes=2)
    assert heartbeat(processing, now=late) is True
    assert fresh(ticket).locked_until == late + lock_seconds()


def test_an_agent_back_after_their_lock_expired_starts_a_new_processing(
    acme: Acme, clock: datetime
) -> None:
    ticket = customer_writes(acme)
    first = play(acme.agent, acme.support, clock).processing
    assert first is not None
    back = play(acme.agent, acme.support, clock + lock_seconds() + timedelta(seconds=1))
    assert back.ticket == ticket and back.processing != first
    # The old processing's console (its object still says "live") is told it is over,
    # even though its own agent holds the ticket again.
    assert heartbeat(first, now=clock + lock_seconds() * 2) is False
    first.refresh_from_db()
    assert first.end_reason == EndReason.EXPIRED
