"""Assignment ("M'affecter ce ticket" / "Supprimer mon affectation"): once an agent takes a
ticket, only they are served it and may open it; the customer's news brings it back to them."""

from datetime import datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied

from comptoir.distribution.actions import (
    PlayError,
    assign_to_me,
    claim_next_ticket,
    qualify,
    release,
    remove_my_assignment,
)
from comptoir.tenancy.models import User
from comptoir.tickets.access import may_open, visible_tickets
from comptoir.tickets.models import Ticket, TicketEvent
from tests.conftest import Acme
from tests.distribution.conftest import (
    customer_writes,
    customer_writes_again,
    event_kinds,
    fresh,
    lock_seconds,
    play,
    served,
    waiting_since,
)


def processed_and_assigned(acme: Acme, now: datetime, subject: str = "Ma commande") -> Ticket:
    """A ticket Alice was served, took for herself ("M'affecter ce ticket") and paused."""
    ticket = customer_writes(acme, subject)
    waiting_since(ticket, now - timedelta(days=1))  # first in the queue
    processing = play(acme.agent, acme.support, now).processing
    assert processing is not None and processing.ticket == ticket
    assign_to_me(ticket, acme.agent, now=now)
    release(processing, now=now)
    # Its message was read (a pause gives an unread one back): nothing new since.
    Ticket.objects.filter(pk=ticket.pk).update(has_unread=False)
    return fresh(ticket)


def test_assign_to_me_makes_the_ticket_the_agent_s_alone(acme: Acme, clock: datetime) -> None:
    ticket = customer_writes(acme)
    processing = play(acme.agent, acme.support, clock).processing
    assert processing is not None
    assign_to_me(ticket, acme.agent, now=clock)
    assert fresh(ticket).assignee == acme.agent
    event = TicketEvent.objects.get(ticket=ticket, kind="assigned")
    assert event.actor == acme.agent


def test_only_the_assignee_and_supervisors_may_open_an_assigned_ticket(
    acme: Acme, bob: User, clock: datetime
) -> None:
    ticket = processed_and_assigned(acme, clock)
    assert may_open(acme.agent, ticket)
    assert may_open(acme.supervisor, ticket)
    assert not may_open(bob, ticket)
    assert ticket not in visible_tickets(bob)
    assert ticket in visible_tickets(acme.agent)


def test_another_agent_is_never_served_an_assigned_ticket_even_when_it_is_due(
    acme: Acme, bob: User, clock: datetime
) -> None:
    ticket = processed_and_assigned(acme, clock)
    customer_writes_again(ticket)
    assert served(bob, acme.support, clock + timedelta(days=1)) is None
    assert served(acme.agent, acme.support, clock + timedelta(days=1)) == ticket


def test_an_assigned_ticket_without_news_is_not_served_to_its_assignee(
    acme: Acme, clock: datetime
) -> None:
    ticket = processed_and_assigned(acme, clock)
    other = customer_writes(acme, "Autre demande")
    assert served(acme.agent, acme.support, clock) == other
    assert fresh(ticket).locked_by is None


def test_a_customer_message_serves_the_assigned_ticket_to_its_assignee_first(
    acme: Acme, bob: User, clock: datetime
) -> None:
    ticket = processed_and_assigned(acme, clock)
    older = customer_writes(acme, "Attend depuis longtemps")
    urgent = customer_writes(acme, "Urgent")
    waiting_since(older, clock - timedelta(days=3))
    Ticket.objects.filter(pk=urgent.pk).update(priority=9)
    ticket = customer_writes_again(ticket, "Voici mon numéro de commande : 1234.")
    assert ticket.has_unread
    assert served(bob, acme.support, clock) == urgent  # bob: the queue, never Alice's ticket
    next_ticket = play(acme.agent, acme.support, clock)
    assert next_ticket.ticket == ticket
    assert next_ticket.processing is not None and next_ticket.processing.was_unread


def test_a_customer_message_makes_an_assigned_ticket_due_before_its_reopen_date(
    acme: Acme, clock: datetime
) -> None:
    ticket = customer_writes(acme)
    processing = play(acme.agent, acme.support, clock).processing
    assert processing is not None
    qualify(
        processing,
        outcome="reopen-later",
        answers={},
        reopen_at=clock + timedelta(days=7),
        now=clock,
    )
    assert served(acme.agent, acme.support, clock + timedelta(hours=1)) is None
    ticket = customer_writes_again(ticket)
    assert (ticket.reopen_at, ticket.blocked_until) == (None, None)
    assert served(acme.agent, acme.support, clock + timedelta(hours=1)) == ticket


def test_a_due_ticket_abandoned_by_its_assignee_stays_due_for_them(
    acme: Acme, clock: datetime
) -> None:
    ticket = processed_and_assigned(acme, clock)
    customer_writes_again(ticket)
    first = play(acme.agent, acme.support, clock).processing
    assert first is not None and first.ticket == ticket
    # The browser was closed: the lock expires with the message unread, and the ticket must
    # not be lost to play: it is still the assignee's first one.
    waiting = customer_writes(acme, "Dans la file")
    waiting_since(waiting, clock - timedelta(days=5))
    back = play(acme.agent, acme.support, clock + lock_seconds() + timedelta(seconds=1))
    assert back.ticket == ticket and back.processing != first
    assert back.processing is not None and back.processing.was_unread


def test_remove_my_assignment_puts_the_ticket_back_in_the_team_queue(
    acme: Acme, bob: User, clock: datetime
) -> None:
    ticket = processed_and_assigned(acme, clock)
    assert served(bob, acme.support, clock) is None
    remove_my_assignment(ticket, acme.agent, now=clock)
    ticket = fresh(ticket)
    assert ticket.assignee is None
    assert may_open(bob, ticket)
    assert served(bob, acme.support, clock) == ticket
    assert event_kinds(ticket).count("unassigned") == 1


def test_removing_an_assignment_that_is_not_mine_is_refused(
    acme: Acme, bob: User, clock: datetime
) -> None:
    ticket = processed_and_assigned(acme, clock)
    with pytest.raises(PlayError):
        remove_my_assignment(ticket, bob, now=clock)
    free = customer_writes(acme, "Libre")
    with pytest.raises(PlayError):
        remove_my_assignment(free, acme.agent, now=clock)
    assert fresh(ticket).assignee == acme.agent


def test_an_agent_may_not_take_a_ticket_assigned_to_someone_else(
    acme: Acme, bob: User, clock: datetime
) -> None:
    ticket = processed_and_assigned(acme, clock)
    with pytest.raises(PermissionDenied):  # it does not exist for bob
        assign_to_me(ticket, bob, now=clock)
    assert fresh(ticket).assignee == acme.agent


def test_assigning_to_myself_twice_changes_nothing(acme: Acme, clock: datetime) -> None:
    ticket = processed_and_assigned(acme, clock)
    assign_to_me(ticket, acme.agent, now=clock)
    assert fresh(ticket).assignee == acme.agent


def test_an_agent_may_not_take_a_ticket_another_agent_is_processing(
    acme: Acme, bob: User, clock: datetime
) -> None:
    ticket = customer_writes(acme)
    assert served(bob, acme.support, clock) == ticket
    with pytest.raises(PlayError):
        assign_to_me(ticket, acme.agent, now=clock)
    # Once bob's lock has expired, the ticket is free to take.
    assign_to_me(ticket, acme.agent, now=clock + lock_seconds() + timedelta(seconds=1))
    assert fresh(ticket).assignee == acme.agent


def test_only_an_agent_of_the_campaign_may_take_its_ticket(acme: Acme, clock: datetime) -> None:
    ticket = customer_writes(acme)
    # Sam supervises everything but is in no agent team: play would never serve it to him.
    with pytest.raises(PermissionDenied):
        assign_to_me(ticket, acme.supervisor, now=clock)
    assert fresh(ticket).assignee is None


def test_the_assignee_alone_may_claim_in_order_among_their_due_tickets(
    acme: Acme, clock: datetime
) -> None:
    newer = processed_and_assigned(acme, clock, "Deuxième")
    older = processed_and_assigned(acme, clock, "Première")
    waiting_since(newer, clock - timedelta(hours=1))
    waiting_since(older, clock - timedelta(hours=5))
    customer_writes_again(newer)
    customer_writes_again(older)
    assert claim_next_ticket(acme.agent, acme.support, now=clock).ticket == older
