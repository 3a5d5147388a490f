"""`comptoir ingest` with acknowledgements on keeps its bulk path: a run of ordinary messages
is written together, and each new ticket's automatic reply is queued by the same
implementation as ingest_email's (tickets.auto_reply). Same results as one by one:
tests/tickets/test_auto_reply.py, test_bulk_ingest_gives_the_same_automatic_replies_as_one_by_one.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comptoir.mail.batch import ingest_many
from comptoir.tickets.models import Message, TicketEvent
from tests.conftest import Acme, make_acme
from tests.mail.threading_stream import build_stream


@pytest.fixture
def acme(db: None) -> Acme:
    """Acme, whose support campaign acknowledges every new ticket."""
    acme = make_acme()
    acme.support.auto_reply_enabled = True
    acme.support.save()
    return acme


def raw_inserts(queries: CaptureQueriesContext) -> int:
    return sum(q["sql"].startswith('INSERT INTO "tickets_rawmessage"') for q in queries)


def statements(acme: Acme, customers: int) -> int:
    """The statements of one run of `customers` customers' conversations (new domain each)."""
    items = [(f"s{i}", m.raw) for i, m in enumerate(build_stream(customers=customers, steps=40))]
    with CaptureQueriesContext(connection) as queries:
        list(ingest_many(items, campaign=acme.support))
    return len(queries)


def test_a_run_with_acknowledgements_is_written_with_one_insert_of_raw_messages(
    acme: Acme,
) -> None:
    items = [(f"s{i}", m.raw) for i, m in enumerate(build_stream(customers=6, steps=40))]
    with CaptureQueriesContext(connection) as queries:
        results = [r for _label, r in ingest_many(items, campaign=acme.support)]
    created = sum(r.outcome == "created" for r in results)
    assert created >= 6
    acknowledgements = Message.objects.filter(direction="outbound", is_automatic=True).count()
    decided = TicketEvent.objects.filter(kind__startswith="auto_reply").count()
    assert acknowledgements >= 1
    assert decided == created  # each new ticket acknowledged, or why not in its history
    # The inbound raw messages of the run in one INSERT, its acknowledgements' in another.
    assert raw_inserts(queries) == 2


def test_a_runs_statements_do_not_grow_with_its_new_tickets(db: None) -> None:
    few, many = make_acme("few"), make_acme("many")
    for acme in (few, many):
        acme.support.auto_reply_enabled = True
        acme.support.save()
    # The same number of messages; more customers: more new tickets, more acknowledgements.
    assert statements(few, 2) == statements(many, 8)
    replies = Message.objects.filter(direction="outbound", is_automatic=True)
    acknowledged = [replies.filter(domain=acme.domain).count() for acme in (few, many)]
    assert acknowledged[1] >= 2 * acknowledged[0] > 0


def test_without_acknowledgements_a_run_queues_none(acme: Acme) -> None:
    globex = make_acme("globex")
    items = [(f"s{i}", m.raw) for i, m in enumerate(build_stream(customers=3, steps=12))]
    list(ingest_many(items, campaign=acme.support, auto_reply=False))
    list(ingest_many(items, campaign=globex.support))  # globex does not acknowledge
    assert not Message.objects.filter(direction="outbound").exists()
    assert not TicketEvent.objects.filter(kind__startswith="auto_reply").exists()
