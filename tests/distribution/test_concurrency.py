"""Fifty agents press play at the same moment: each ticket is served exactly once.

Every thread has its own database connection (a transactional test, so that the rows they
read are committed); a barrier releases them together. On PostgreSQL the claim skips rows
another transaction is locking; on SQLite writers take turns (IMMEDIATE transactions and a
generous busy timeout)."""

import threading
import time
from collections import Counter
from datetime import timedelta

import pytest
from django.db import OperationalError, connection
from django.utils import timezone

from comptoir.campaigns.models import Campaign
from comptoir.distribution.actions import NextTicket, claim_next_ticket, release
from comptoir.distribution.models import Processing
from comptoir.tenancy.models import User
from comptoir.tickets.models import Contact, Ticket
from tests.conftest import Acme, make_acme
from tests.distribution.conftest import make_agent

AGENTS = 50
TICKETS = 40


def waiting_tickets(acme: Acme, campaign: Campaign, count: int) -> list[Ticket]:
    """`count` numbered tickets in the queue, written directly (ingest is tested elsewhere)."""
    start = timezone.now() - timedelta(hours=1)
    contacts = Contact.objects.bulk_create(
        Contact(domain=acme.domain, email=f"client{i}@exemple.fr") for i in range(count)
    )
    return Ticket.objects.bulk_create(
        Ticket(
            domain=acme.domain,
            campaign=campaign,
            contact=contact,
            number=index + 1,
            subject=f"Demande {index + 1}",
            waiting_since=start + timedelta(seconds=index),
        )
        for index, contact in enumerate(contacts)
    )


CONNECT_SECONDS = 120


def connect() -> None:
    """Open this thread's connection, waiting while a shared server is full of other
    clients (fifty more is a lot for a PostgreSQL with max_connections = 100)."""
    deadline = time.monotonic() + CONNECT_SECONDS
    while True:
        try:
            connection.ensure_connection()
            return
        except OperationalError as exc:
            if "too many clients" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def press_play_together(agents: list[User], campaign: Campaign) -> list[NextTicket]:
    """Each agent presses play in their own thread, all released at once."""
    barrier = threading.Barrier(len(agents))
    answers: list[NextTicket] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def press(agent: User) -> None:
        try:
            connect()  # first, so that the claims start together
            barrier.wait(timeout=CONNECT_SECONDS + 30)
            answer = claim_next_ticket(agent, campaign)
            with lock:
                answers.append(answer)
        except BaseException as exc:  # reported by the main thread
            barrier.abort()  # the others stop waiting for this one
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=press, args=(agent,)) for agent in agents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=CONNECT_SECONDS + 240)
    assert not errors, errors[:3]
    assert len(answers) == len(agents)
    return answers


def agents_of(acme: Acme, count: int) -> list[User]:
    return [make_agent(acme, f"agent{index:02d}") for index in range(count)]


@pytest.mark.django_db(transaction=True)
def test_fifty_agents_pressing_play_at_once_are_each_served_a_different_ticket() -> None:
    acme = make_acme()
    tickets = waiting_tickets(acme, acme.support, TICKETS)
    agents = agents_of(acme, AGENTS)
    answers = press_play_together(agents, acme.support)
    served = [answer.ticket.pk for answer in answers if answer.ticket is not None]
    assert sorted(served) == sorted(ticket.pk for ticket in tickets)  # each exactly once
    assert sum(answer.ticket is None for answer in answers) == AGENTS - TICKETS
    assert all(answer.reason for answer in answers if answer.ticket is None)
    # The database agrees: one live processing per ticket, each by the agent holding it.
    live = Processing.objects.filter(ended_at__isnull=True)
    assert Counter(live.values_list("ticket_id", flat=True)) == Counter(served)
    for processing in live.select_related("ticket"):
        assert processing.ticket.locked_by_id == processing.agent_id
    assert len(set(live.values_list("agent_id", flat=True))) == TICKETS


@pytest.mark.django_db(transaction=True)
def test_agents_pausing_and_pressing_play_again_never_share_a_ticket() -> None:
    acme = make_acme()
    waiting_tickets(acme, acme.support, TICKETS)
    agents = agents_of(acme, AGENTS)
    first = press_play_together(agents, acme.support)
    for answer in first:
        if answer.processing is not None:
            release(answer.processing)  # nothing done: straight back to the queue
    again = press_play_together(agents, acme.support)
    served = [answer.ticket.pk for answer in again if answer.ticket is not None]
    assert len(served) == len(set(served)) == TICKETS
    assert Processing.objects.filter(ended_at__isnull=True).count() == TICKETS
