"""A message the database refuses, in a group-commit run (comptoir/mail/batch.py `flush`).

The listener writes the messages of many sessions in one transaction. When the database
refuses one of them (a DataError: here a size limit the database itself enforces), the run is
rolled back and its messages are written one by one: only the refused one gets 451, the
others 250, each stored exactly once.
"""

import sqlite3
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connection, connections, transaction
from django.db.backends.signals import connection_created

from comptoir.mail.committer import Committer
from comptoir.mail.server import ComptoirController
from comptoir.tickets.models import Message, RawMessage, Ticket
from tests.conftest import is_postgres
from tests.mail.test_smtp import make_email, send
from tests.mail.test_smtp_group_commit import listener, message_id

pytestmark = pytest.mark.django_db(transaction=True)
__all__ = ["listener"]  # a fixture, used below

# The database refuses a raw message larger than this (the others are about 500 bytes).
LIMIT = 20_000
POISON = 5


def refuse_large_on_postgres() -> Iterator[None]:
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION refuse_large() RETURNS trigger AS $$ BEGIN "
            f"IF length(NEW.content) > {LIMIT} THEN "
            "RAISE EXCEPTION 'content too large' USING ERRCODE = '22001'; "
            "END IF; RETURN NEW; END $$ LANGUAGE plpgsql"
        )
        cursor.execute(
            "CREATE TRIGGER refuse_large BEFORE INSERT ON tickets_rawmessage "
            "FOR EACH ROW EXECUTE FUNCTION refuse_large()"
        )
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER refuse_large ON tickets_rawmessage")
            cursor.execute("DROP FUNCTION refuse_large()")


def refuse_large_on_sqlite() -> Iterator[None]:
    """SQLite's own limit on a value's length (SQLITE_TOOBIG: a DataError), on every
    connection opened from now on: the listener's committer opens its own."""

    def limit(sender: Any, connection: Any, **kwargs: Any) -> None:
        connection.connection.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, LIMIT)

    connection_created.connect(limit)
    try:
        yield
    finally:
        connection_created.disconnect(limit)


@pytest.fixture
def large_refused() -> Iterator[None]:
    yield from refuse_large_on_postgres() if is_postgres() else refuse_large_on_sqlite()


def hold_the_write_lock() -> None:
    """Inside a transaction: the listener's writes wait until it ends."""
    if is_postgres():
        with connection.cursor() as cursor:
            cursor.execute("LOCK TABLE tickets_rawmessage IN ACCESS EXCLUSIVE MODE")
    else:
        Ticket.objects.filter(pk=-1).update(subject="")


def wait_until(condition: Callable[[], bool], seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_a_message_the_database_refuses_fails_alone_in_its_group(
    listener: Callable[..., tuple[int, ComptoirController]], large_refused: None
) -> None:
    port, controller = listener()
    committer = controller.handler.committer
    assert isinstance(committer, Committer)
    emails = [make_email(message_id=message_id(i), body=f"Order {i}") for i in range(12)]
    emails[POISON] = make_email(message_id=message_id(POISON), body="x" * (2 * LIMIT))

    def deliver(i: int) -> tuple[int, bytes]:
        try:
            return send(port, emails[i])
        finally:
            connections.close_all()

    with ThreadPoolExecutor(len(emails)) as pool:
        with transaction.atomic():
            hold_the_write_lock()
            # The first message is taken alone and waits for the lock; the others gather
            # meanwhile, so that they are written as one group, the refused one among them.
            first = pool.submit(deliver, 0)
            time.sleep(1)
            rest: list[Future[tuple[int, bytes]]] = [
                pool.submit(deliver, i) for i in range(1, len(emails))
            ]
            wait_until(lambda: committer.queue.qsize() == len(rest))
        replies = [first.result(timeout=60), *(f.result(timeout=60) for f in rest)]
    codes = [code for code, _text in replies]
    assert codes == [451 if i == POISON else 250 for i in range(len(emails))]
    assert committer.groups == 2
    stored = Message.objects.values_list("message_id", flat=True)
    assert sorted(stored) == sorted(
        message_id(i).strip("<>") for i in range(len(emails)) if i != POISON
    )
    assert RawMessage.objects.count() == len(emails) - 1
    # A retry: the stored one is a duplicate, the refused one is refused again, alone.
    assert send(port, emails[1])[1].startswith(b"2.0.0 Ok: already stored")
    assert send(port, emails[POISON])[0] == 451
