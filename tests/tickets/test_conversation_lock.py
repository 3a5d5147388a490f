"""A transaction filing a conversation makes others filing it wait, and only those."""

import threading
import time

import pytest
from django.db import connection, transaction

from comptoir.tickets.conversation_lock import lock_conversation, lock_id
from tests.conftest import is_postgres

pytestmark = pytest.mark.django_db(transaction=True)

HOLD = 0.6


def hold_then_try(first: list[str], second: list[str]) -> float:
    """How long a transaction locking `second` waited while another held `first`."""
    held, done = threading.Event(), threading.Event()
    waited: list[float] = []

    def holder() -> None:
        try:
            with transaction.atomic():
                lock_conversation(1, first)
                held.set()
                time.sleep(HOLD)
        finally:
            connection.close()
            done.set()

    def other() -> None:
        try:
            held.wait(10)
            start = time.monotonic()
            with transaction.atomic():
                lock_conversation(1, second)
                waited.append(time.monotonic() - start)
        finally:
            connection.close()

    threads = [threading.Thread(target=holder), threading.Thread(target=other)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert done.is_set() and len(waited) == 1
    return waited[0]


def test_a_message_of_the_same_conversation_waits_for_the_first_to_commit() -> None:
    # On SQLite the IMMEDIATE transaction itself waits; on PostgreSQL the advisory lock.
    assert hold_then_try(["parent"], ["reply", "parent"]) > HOLD / 2


only_postgres = pytest.mark.skipif(
    not is_postgres(), reason="SQLite has one writer at a time, whatever the conversation"
)


@only_postgres
def test_another_conversation_does_not_wait() -> None:
    assert hold_then_try(["parent"], ["someone-else"]) < HOLD / 2


def test_lock_ids_are_stable_per_domain_and_signed_64_bit() -> None:
    assert lock_id(1, "k") == lock_id(1, "k")
    assert lock_id(1, "k") != lock_id(2, "k")
    assert all(-(2**63) <= lock_id(1, str(n)) < 2**63 for n in range(100))


@only_postgres
def test_locking_outside_a_transaction_is_refused() -> None:
    with pytest.raises(RuntimeError):
        lock_conversation(1, ["k"])
