"""What a campaign's supervisors do to its tickets: reassign, unassign, unlock, requeue."""

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied

from comptoir.distribution.actions import PlayError, heartbeat, qualify
from comptoir.distribution.models import EndReason, Processing
from comptoir.distribution.steering import reassign, requeue, unassign, unlock
from comptoir.tenancy.models import Role, Team, User
from comptoir.tickets.models import Ticket
from tests.conftest import Acme, make_acme
from tests.distribution.conftest import (
    customer_writes,
    customer_writes_again,
    event_kinds,
    fresh,
    play,
    served,
)


def alices(acme: Acme, now: datetime) -> Ticket:
    """A ticket assigned to Alice, with an unread customer message (due for her)."""
    ticket = customer_writes(acme)
    Ticket.objects.filter(pk=ticket.pk).update(assignee=acme.agent)
    return fresh(ticket)


def team_lead(acme: Acme) -> User:
    """Tom: no supervise right, but a seat in the support campaign's supervision team."""
    tom = User.objects.create_user(domain=acme.domain, login="tom", password="pw", role=Role.AGENT)
    leads = Team.objects.create(domain=acme.domain, name="Chefs d'équipe")
    leads.members.add(tom)
    acme.support.supervision_teams.add(leads)
    return tom


def test_a_supervisor_reassigns_a_ticket_to_another_agent(
    acme: Acme, bob: User, clock: datetime
) -> None:
    ticket = alices(acme, clock)
    reassign(ticket, bob, by=acme.supervisor)
    ticket = fresh(ticket)
    assert ticket.assignee == bob
    assert event_kinds(ticket)[-1] == "reassigned"
    assert ticket.events.get(kind="reassigned").actor == acme.supervisor
    assert served(acme.agent, acme.support, clock) is None
    assert served(bob, acme.support, clock) == ticket


def test_a_ticket_is_reassigned_only_to_an_agent_of_its_campaign(
    acme: Acme, clock: datetime
) -> None:
    ticket = alices(acme, clock)
    outsider = User.objects.create_user(
        domain=acme.domain, login="olga", password="pw", role=Role.AGENT
    )
    with pytest.raises(PlayError):
        reassign(ticket, outsider, by=acme.supervisor)
    with pytest.raises(PlayError):  # a supervisor in no agent team does not process it
        reassign(ticket, acme.supervisor, by=acme.supervisor)
    with pytest.raises(PermissionDenied):
        reassign(ticket, make_acme("globex").agent, by=acme.supervisor)
    assert fresh(ticket).assignee == acme.agent


def test_a_supervisor_unassigns_a_ticket_back_to_the_queue(
    acme: Acme, bob: User, clock: datetime
) -> None:
    ticket = alices(acme, clock)
    unassign(ticket, by=acme.supervisor)
    ticket = fresh(ticket)
    assert ticket.assignee is None
    assert event_kinds(ticket)[-1] == "unassigned"
    assert served(bob, acme.support, clock) == ticket


def test_a_supervisor_unlocks_a_ticket_an_agent_holds(
    acme: Acme, bob: User, clock: datetime
) -> None:
    ticket = customer_writes(acme)
    processing = play(acme.agent, acme.support, clock).processing
    assert processing is not None
    unlock(ticket, by=acme.supervisor, now=clock + timedelta(seconds=10))
    ticket = fresh(ticket)
    assert (ticket.locked_by, ticket.locked_until, ticket.attempts) == (None, None, 0)
    ended = Processing.objects.get(pk=processing.pk)
    assert (ended.end_reason, ended.ended_at) == (
        EndReason.UNLOCKED,
        clock + timedelta(seconds=10),
    )
    assert event_kinds(ticket)[-1] == "unlocked"
    # Free at once for another agent; the first one is told they lost it.
    assert served(bob, acme.support, clock + timedelta(seconds=20)) == ticket
    assert heartbeat(processing, now=clock + timedelta(seconds=30)) is False
    with pytest.raises(PlayError):
        qualify(processing, outcome="done", answers={}, now=clock + timedelta(seconds=30))


def test_unlocking_leaves_an_unread_message_due_for_its_assignee(
    acme: Acme, clock: datetime
) -> None:
    ticket = alices(acme, clock)
    assert served(acme.agent, acme.support, clock) == ticket
    unlock(ticket, by=acme.supervisor, now=clock)
    assert fresh(ticket).has_unread
    assert served(acme.agent, acme.support, clock) == ticket


def test_a_processing_unlocked_after_the_agent_gave_up_can_no_longer_be_qualified(
    acme: Acme, clock: datetime
) -> None:
    ticket = customer_writes(acme)
    processing = play(acme.agent, acme.support, clock).processing
    assert processing is not None
    unlock(ticket, by=acme.supervisor, now=clock)
    with pytest.raises(PlayError):
        qualify(processing, outcome="not-finished", answers={}, now=clock)
    assert fresh(ticket).attempts == 0


def test_a_supervisor_requeues_a_flagged_ticket(acme: Acme, clock: datetime) -> None:
    acme.support.max_attempts = 1
    acme.support.save()
    ticket = customer_writes(acme)
    processing = play(acme.agent, acme.support, clock).processing
    assert processing is not None
    qualify(processing, outcome="not-finished", answers={}, now=clock)
    assert fresh(ticket).flagged
    requeue(ticket, by=acme.supervisor)
    ticket = fresh(ticket)
    assert (ticket.flagged, ticket.attempts, ticket.blocked_until) == (False, 0, None)
    assert event_kinds(ticket)[-1] == "requeued"
    assert served(acme.agent, acme.support, clock) == ticket


def test_a_customer_message_does_not_requeue_a_flagged_ticket(acme: Acme, clock: datetime) -> None:
    ticket = customer_writes(acme)
    Ticket.objects.filter(pk=ticket.pk).update(flagged=True, has_unread=False)
    customer_writes_again(ticket)
    assert served(acme.agent, acme.support, clock) is None


STEERING: dict[str, Callable[[Ticket, User, User], object]] = {
    "reassign": lambda ticket, by, to: reassign(ticket, to, by=by),
    "unassign": lambda ticket, by, to: unassign(ticket, by=by),
    "unlock": lambda ticket, by, to: unlock(ticket, by=by),
    "requeue": lambda ticket, by, to: requeue(ticket, by=by),
}


@pytest.mark.parametrize("action", STEERING)
def test_an_agent_may_not_steer_tickets(
    acme: Acme, bob: User, clock: datetime, action: str
) -> None:
    ticket = alices(acme, clock)
    Ticket.objects.filter(pk=ticket.pk).update(flagged=True)
    before = fresh(ticket)
    with pytest.raises(PermissionDenied):
        STEERING[action](ticket, acme.agent, bob)
    after = fresh(ticket)
    assert (after.assignee, after.flagged) == (before.assignee, before.flagged)


@pytest.mark.parametrize("action", STEERING)
def test_a_supervisor_of_another_domain_may_not_steer_tickets(
    acme: Acme, bob: User, clock: datetime, action: str
) -> None:
    ticket = alices(acme, clock)
    with pytest.raises(PermissionDenied):
        STEERING[action](ticket, make_acme("globex").supervisor, bob)


def test_a_seat_in_the_campaign_s_supervision_team_is_enough_to_steer(
    acme: Acme, bob: User, clock: datetime
) -> None:
    tom = team_lead(acme)
    ticket = alices(acme, clock)
    reassign(ticket, bob, by=tom)
    assert fresh(ticket).assignee == bob
    order = customer_writes(acme, "Commande", to="orders@acme.test")
    with pytest.raises(PermissionDenied):  # he does not supervise orders
        unassign(order, by=tom)
