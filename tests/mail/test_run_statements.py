"""The bulk path's statements per run (mail.batch_write.write_run) do not grow with the run
and stay few: with one SMTP connection every run holds one message, so each statement is
paid per message (issue 11: 300 mails/s on one connection)."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from comptoir.mail.batch import Delivery, prepare
from comptoir.mail.batch_write import write_run
from comptoir.tickets.models import Contact, Ticket
from tests.conftest import Acme
from tests.mail.threading_stream import mail


# PostgreSQL: the conversation lock, what is known, then one INSERT per table written
# (raw, contact, ticket, message, history) and the numbering; a reply: the ticket's read,
# its reference and its wake-up in place of contact and numbering. SQLite takes no lock but
# numbers in two statements and reads known customers apart from inserting the new ones.
# Before issue 11's work: 12 (new) and 9 + one per reply (PostgreSQL).
def most() -> int:
    return 8 if connection.vendor == "postgresql" else 9


def new_mail(i: int) -> bytes:
    return mail(f"c{i}@exemple.fr", f"Demande {i}", f"n{i}@exemple.fr", "Bonjour")


def reply_mail(i: int) -> bytes:
    parent = f"<n{i}@exemple.fr>"
    return mail(
        f"c{i}@exemple.fr", f"Re: Demande {i}", f"r{i}@exemple.fr", "Merci",
        In_Reply_To=parent, References=parent,
    )  # fmt: skip


def statements(acme: Acme, raws: list[bytes]) -> tuple[list[str], list[str]]:
    """The run's statements (the test's own savepoints left out) and its outcomes."""
    run = [prepare(Delivery(f"m{i}", raw, campaign=acme.support)) for i, raw in enumerate(raws)]
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        results = write_run([item for item in run if item is not None])
    sql = [q["sql"] for q in queries.captured_queries]
    return [s for s in sql if "SAVEPOINT" not in s], [r.outcome for r in results]


@pytest.mark.parametrize("size", [1, 16])
def test_a_run_costs_a_few_statements_whatever_its_size(acme: Acme, size: int) -> None:
    statements(acme, [new_mail(999)])  # the domain's first ticket creates its counter
    Contact.objects.create(domain=acme.domain, email="c0@exemple.fr")  # a known customer
    new, outcomes = statements(acme, [new_mail(i) for i in range(size)])
    assert outcomes == ["created"] * size
    assert len(new) <= most(), new
    replies, outcomes = statements(acme, [reply_mail(i) for i in range(size)])
    assert outcomes == ["appended"] * size
    assert len(replies) <= most(), replies
    tickets = Ticket.objects.filter(domain=acme.domain).order_by("number")
    assert [t.number for t in tickets] == list(range(1, size + 2))
    assert all(t.messages.count() == 2 for t in tickets[1:])
    assert Contact.objects.filter(domain=acme.domain).count() == size + 1


# A new ticket and its acknowledgement, per run: with one SMTP connection, per message. The
# run's statements above (the history joins the acknowledgement's INSERT), the contacts locked,
# one UNION ALL for the counts and the addresses Comptoir receives mail on, the reply's raw
# message, message and the history. Before (i11/int): 18 on both, the campaign's sender,
# inbound address and mail domains read again on every run.
def most_acknowledged() -> int:
    return 12


def acknowledged(acme: Acme, raws: list[bytes]) -> tuple[list[str], list[str]]:
    run = [prepare(Delivery(f"m{i}", raw, campaign=acme.support)) for i, raw in enumerate(raws)]
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        results = write_run([item for item in run if item is not None], auto_reply=True)
    sql = [q["sql"] for q in queries.captured_queries]
    return [s for s in sql if "SAVEPOINT" not in s], [r.outcome for r in results]


@pytest.mark.parametrize("size", [1, 16])
def test_a_new_ticket_and_its_acknowledgement_cost_a_few_statements(acme: Acme, size: int) -> None:
    from comptoir.campaigns.models import Campaign
    from comptoir.tickets.models import Direction, Message

    Campaign.objects.filter(pk=acme.support.pk).update(auto_reply_enabled=True)
    acme.support.refresh_from_db()
    acknowledged(acme, [new_mail(999)])  # the counter, and what may be cached, warmed up
    new, outcomes = acknowledged(acme, [new_mail(i) for i in range(size)])
    assert outcomes == ["created"] * size
    replies = Message.objects.filter(domain=acme.domain, direction=Direction.OUTBOUND)
    assert replies.count() == size + 1
    assert len(new) <= most_acknowledged(), "\n".join(new)
