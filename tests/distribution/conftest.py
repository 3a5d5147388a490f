"""Play-mode helpers: customers who write, more agents for Acme, and a clock to move.

Every action takes `now`; tests pass `clock` (the real time when the test starts, so that the
messages the ticket core stamps with the real time are "during" a processing started then)
and move it forward with `timedelta` instead of sleeping.
"""

from datetime import datetime, timedelta
from itertools import count

import pytest
from django.conf import settings
from django.utils import timezone

from comptoir.campaigns.models import Campaign
from comptoir.distribution.actions import NextTicket, claim_next_ticket
from comptoir.mail.ingest import ingest_email
from comptoir.tenancy.models import Role, Team, User
from comptoir.tickets.models import Direction, Message, Ticket
from tests.conftest import Acme
from tests.mail.mail_client import customer_mail

_mails = count(1)


def lock_seconds() -> timedelta:
    return timedelta(seconds=settings.COMPTOIR_LOCK_SECONDS)


def make_agent(acme: Acme, login: str) -> User:
    """Another agent of Acme's `Agents` team (so processing support and orders)."""
    user = User.objects.create_user(domain=acme.domain, login=login, password="pw", role=Role.AGENT)
    Team.objects.get(domain=acme.domain, name="Agents").members.add(user)
    return user


def customer_writes(
    acme: Acme,
    subject: str = "Impossible de me connecter",
    *,
    sender: str = "claire@exemple.fr",
    to: str = "support@acme.test",
) -> Ticket:
    """A customer's new request: a new ticket through the real ingest."""
    raw = customer_mail(sender, subject, f"new-{next(_mails)}@exemple.fr", to=to)
    result = ingest_email(raw, domain=acme.domain)
    assert result.outcome == "created"
    return Ticket.objects.get(domain=acme.domain, number=result.ticket)


def customer_writes_again(ticket: Ticket, body: str = "Des nouvelles ?") -> Ticket:
    """The customer answers on the ticket's thread (In-Reply-To their first message)."""
    first = Message.objects.filter(ticket=ticket, direction=Direction.INBOUND).earliest("pk")
    raw = customer_mail(
        first.from_email,
        f"RE: {ticket.subject}",
        f"again-{next(_mails)}@exemple.fr",
        to=str(first.to[0]["email"]) if first.to else "support@acme.test",
        body=body,
        In_Reply_To=f"<{first.message_id}>",
    )
    result = ingest_email(raw, domain=ticket.domain)
    assert (result.outcome, result.ticket) == ("appended", ticket.number)
    return Ticket.objects.get(pk=ticket.pk)


def waiting_since(ticket: Ticket, moment: datetime) -> None:
    """Set when the customer entered the queue (creation times are too close to order)."""
    Ticket.objects.filter(pk=ticket.pk).update(waiting_since=moment)


def served(agent: User, campaign: Campaign, now: datetime) -> Ticket | None:
    """The ticket play serves the agent now (locked to them), or None."""
    return claim_next_ticket(agent, campaign, now=now).ticket


def play(agent: User, campaign: Campaign, now: datetime) -> NextTicket:
    return claim_next_ticket(agent, campaign, now=now)


def fresh(ticket: Ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


def event_kinds(ticket: Ticket) -> list[str]:
    return list(ticket.events.order_by("pk").values_list("kind", flat=True))


@pytest.fixture
def clock() -> datetime:
    return timezone.now()


@pytest.fixture
def bob(acme: Acme) -> User:
    return make_agent(acme, "bob")
