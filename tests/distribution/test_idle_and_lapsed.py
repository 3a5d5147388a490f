"""Issue 12 §3: a console left open gives its ticket back after the idle limit (the heartbeat
carries the last activity; the give-back is `release`), a lapsed lock is settled by one
function before anything counts what is due, and the waiting page knows when held tickets
come back."""

from datetime import datetime, timedelta

from django.test import override_settings

from comptoir.distribution.actions import assign_to_me, heartbeat, settle_lapsed
from comptoir.distribution.models import EndReason
from comptoir.distribution.queues import AssignedState, assigned_state, due_for, returning_for
from comptoir.tenancy.models import User
from comptoir.tickets.models import EventKind, Ticket
from tests.conftest import Acme
from tests.distribution.conftest import (
    customer_writes,
    customer_writes_again,
    fresh,
    lock_seconds,
    play,
)


@override_settings(COMPTOIR_IDLE_SECONDS=600)
def test_a_heartbeat_past_the_idle_limit_gives_the_ticket_back(acme: Acme, clock: datetime) -> None:
    ticket = customer_writes(acme)
    processing = play(acme.agent, acme.support, clock).processing
    assert processing is not None
    beat = clock + timedelta(seconds=30)
    # Active a moment ago: the lock is renewed.
    assert heartbeat(processing, now=beat, last_activity=beat - timedelta(seconds=599)) is True
    assert fresh(ticket).locked_by_id == acme.agent.pk
    # Idle for the whole limit: released, as a pause (no attempt), the ticket free again.
    assert heartbeat(processing, now=beat, last_activity=beat - timedelta(seconds=600)) is False
    processing.refresh_from_db()
    assert processing.end_reason == EndReason.RELEASED and not processing.counted_attempt
    back = fresh(ticket)
    assert back.locked_by_id is None and back.locked_until is None and back.attempts == 0


@override_settings(COMPTOIR_IDLE_SECONDS=600)
def test_the_idle_give_back_is_its_own_event_not_a_pause(acme: Acme, clock: datetime) -> None:
    ticket = customer_writes(acme)
    processing = play(acme.agent, acme.support, clock).processing
    assert processing is not None
    assert heartbeat(processing, now=clock, last_activity=clock - timedelta(seconds=600)) is False
    last = ticket.events.order_by("pk").last()
    assert last is not None and last.kind == EventKind.RELEASED_IDLE
    assert last.data == {"seconds": 600} and last.actor_id == acme.agent.pk
    assert not ticket.events.filter(kind=EventKind.PROCESSING_RELEASED).exists()
    assert last.detail == "the agent did nothing for 10 minutes: the ticket went back"


@override_settings(COMPTOIR_IDLE_SECONDS=600)
def test_a_heartbeat_without_last_activity_only_renews(acme: Acme, clock: datetime) -> None:
    ticket = customer_writes(acme)
    processing = play(acme.agent, acme.support, clock).processing
    assert processing is not None
    later = clock + timedelta(hours=2)
    assert heartbeat(processing, now=later) is True
    assert fresh(ticket).locked_until == later + lock_seconds()


@override_settings(COMPTOIR_IDLE_SECONDS=0)
def test_no_idle_limit_when_the_setting_is_zero(acme: Acme, clock: datetime) -> None:
    customer_writes(acme)
    processing = play(acme.agent, acme.support, clock).processing
    assert processing is not None
    assert heartbeat(processing, now=clock, last_activity=clock - timedelta(days=1)) is True


def abandoned_due_ticket(acme: Acme, clock: datetime) -> tuple[Ticket, datetime]:
    """Alice's own ticket, due because the customer wrote, served to her, then her browser
    closed: the lock lapsed, nobody played since."""
    ticket = customer_writes(acme)
    assign_to_me(ticket, acme.agent, now=clock)
    customer_writes_again(ticket)
    assert fresh(ticket).has_unread
    assert play(acme.agent, acme.support, clock).ticket == ticket
    return ticket, clock + lock_seconds() + timedelta(seconds=1)


def test_a_lapsed_lock_is_counted_due_once_settled_and_play_agrees(
    acme: Acme, clock: datetime
) -> None:
    ticket, later = abandoned_due_ticket(acme, clock)
    # The counts see it due even before settling (queues.came_back_unread), as play does.
    assert list(due_for(acme.agent, acme.support, later)) == [fresh(ticket)]
    assert settle_lapsed(acme.agent, now=later) == 1
    assert list(due_for(acme.agent, acme.support, later)) == [fresh(ticket)]
    assigned = Ticket.objects.select_related("campaign").get(pk=ticket.pk)
    assert assigned_state(assigned, later) == AssignedState.DUE
    assert settle_lapsed(acme.agent, now=later) == 0
    assert play(acme.agent, acme.support, later).ticket == ticket


def test_settling_leaves_a_held_lock_alone(acme: Acme, clock: datetime) -> None:
    ticket = customer_writes(acme)
    processing = play(acme.agent, acme.support, clock).processing
    assert processing is not None
    assert settle_lapsed(acme.agent, now=clock + timedelta(seconds=10)) == 0
    processing.refresh_from_db()
    assert processing.ended_at is None and fresh(ticket).locked_by_id == acme.agent.pk


def test_returning_counts_the_held_tickets_and_the_first_return(
    acme: Acme, bob: User, clock: datetime
) -> None:
    blocked, reopen, others = (customer_writes(acme, f"T{n}") for n in range(3))
    Ticket.objects.filter(pk=blocked.pk).update(blocked_until=clock + timedelta(hours=2))
    Ticket.objects.filter(pk=reopen.pk).update(
        reopen_at=clock + timedelta(hours=1), blocked_until=clock - timedelta(hours=1)
    )
    # Assigned to someone else: never comes back to alice.
    Ticket.objects.filter(pk=others.pk).update(
        assignee=bob, blocked_until=clock + timedelta(minutes=5)
    )
    found = returning_for(acme.agent, acme.support, clock)
    assert found.count == 2 and found.first_at == clock + timedelta(hours=1)
    assert returning_for(acme.agent, acme.support, clock + timedelta(hours=3)).count == 0
