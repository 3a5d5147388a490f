"""Workers: `comptoir worker --once` sends the outbox; a worker's lease keeps others off its
messages until it dies; several workers side by side never send a message twice.

The workers are real processes (or threads with their own database connections), so these
tests use a transactional database: committed rows, visible across connections; on SQLite the
test database is a file. The claim is `UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED)`
on PostgreSQL and the same UPDATE on SQLite, where writers take turns.
"""

import subprocess
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from pytest_django.fixtures import Settings

from comptoir.mail.outbox import claim, finish, send_due
from comptoir.tickets.models import DeliveryState, Message
from tests.concurrency import run_together, uncommitted
from tests.conftest import Acme, comptoir_bin, is_postgres, subprocess_env
from tests.mail.outbox_helpers import (
    MeetingHandler,
    SlowHandler,
    fresh,
    open_ticket,
    queue_reply,
    received_ids,
    running,
)
from tests.smtp_sink import SmtpSink, free_port

pytestmark = pytest.mark.django_db(transaction=True)

WORKER = "test-host:1"


@pytest.fixture
def sink(settings: Settings) -> Iterator[SmtpSink]:
    """A capture server on loopback, where the outbox (in this process) sends."""
    server = SmtpSink()
    settings.COMPTOIR_SMTP_URL = server.url
    with running(server):
        yield server


def worker_env(smtp_url: str) -> dict[str, str]:
    return subprocess_env() | {"COMPTOIR_SMTP_URL": smtp_url}


def start_worker(smtp_url: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [comptoir_bin(), "worker", "--once"],
        env=worker_env(smtp_url),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish_worker(process: subprocess.Popen[str], timeout: float = 60) -> str:
    """Wait for a worker; its log (stderr). It must have succeeded."""
    try:
        _out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        raise
    assert process.returncode == 0, err
    return err


def queue_replies(acme: Acme, count: int, tickets: int = 10) -> list[Message]:
    opened = [open_ticket(acme, message_id=f"q{n}@client.test") for n in range(tickets)]
    return [queue_reply(acme, opened[n % tickets], text=f"Reply {n}") for n in range(count)]


def test_worker_once_sends_the_queued_reply_and_exits(acme: Acme) -> None:
    message = queue_reply(acme)
    with running(SmtpSink()) as sink:
        log = finish_worker(start_worker(sink.url))
    assert received_ids(sink) == [message.message_id]
    message = fresh(message)
    assert (message.delivery_state, message.delivery_attempts) == (DeliveryState.SENT, 1)
    assert "1 sent, 0 to retry, 0 failed" in log


def test_worker_without_smtp_url_exits_and_leaves_mail_queued(acme: Acme) -> None:
    message = queue_reply(acme)
    log = finish_worker(start_worker(""))
    assert "COMPTOIR_SMTP_URL is not set" in log
    message = fresh(message)
    assert (message.delivery_state, message.delivery_attempts) == (DeliveryState.QUEUED, 0)


def test_worker_with_the_server_down_exits_and_keeps_the_reply_for_later(acme: Acme) -> None:
    message = queue_reply(acme)
    finish_worker(start_worker(f"smtp://127.0.0.1:{free_port()}?timeout=5"))
    message = fresh(message)
    assert (message.delivery_state, message.delivery_attempts) == (DeliveryState.QUEUED, 1)
    assert "Connection refused" in message.delivery_error


def test_worker_with_an_unusable_smtp_url_fails_and_says_why(acme: Acme) -> None:
    message = queue_reply(acme)
    worker = start_worker("http://mail.example.com")
    _out, err = worker.communicate(timeout=60)
    assert worker.returncode == 1
    assert "COMPTOIR_SMTP_URL must look like smtp://" in err
    assert fresh(message).delivery_state == DeliveryState.QUEUED


def test_worker_takes_over_a_reply_left_sending_by_a_dead_worker(acme: Acme) -> None:
    message = queue_reply(acme)
    claim("dead-host:1")
    expired = timezone.now() - timedelta(seconds=1)
    Message.objects.filter(pk=message.pk).update(claimed_until=expired)
    with running(SmtpSink()) as sink:
        finish_worker(start_worker(sink.url))
    assert received_ids(sink) == [message.message_id]
    assert fresh(message).delivery_state == DeliveryState.SENT


def test_two_workers_at_once_never_send_the_same_message_twice(acme: Acme) -> None:
    messages = queue_replies(acme, 200)
    sink = SmtpSink()
    # Each worker's first message waits at DATA until the other worker is sending too.
    sink.handler = handler = MeetingHandler(clients=2)

    with running(sink):
        workers = [start_worker(sink.url) for _ in range(2)]
        for worker in workers:
            finish_worker(worker)

    counts = Counter(received_ids(sink))
    assert [message_id for message_id, n in counts.items() if n > 1] == []
    assert set(counts) == {m.message_id for m in messages}
    assert len(set(handler.peers.values())) == 2  # both workers did send
    states = Counter(
        Message.objects.filter(pk__in=[m.pk for m in messages]).values_list(
            "delivery_state", "delivery_attempts"
        )
    )
    assert states == {(DeliveryState.SENT, 1): 200}


def last_queued(messages: list[Message]) -> datetime:
    """When the last of them was queued: a pass run at that instant finds them all due,
    however long the test takes (the pass's `now`, fixed)."""
    due = fresh(messages[-1]).next_attempt_at
    assert due is not None
    return due


def test_two_workers_side_by_side_send_each_message_once(acme: Acme, settings: Settings) -> None:
    """The same as two `comptoir worker` processes, as threads with their own connections
    running `send_due` at a fixed `now`: what they send does not depend on the clock."""
    messages = queue_replies(acme, 120)
    now = last_queued(messages)
    sink = SmtpSink()
    sink.handler = handler = MeetingHandler(clients=2)
    settings.COMPTOIR_SMTP_URL = sink.url
    with running(sink):
        reports = run_together(lambda worker: send_due(worker, once=True, now=now))

    counts = Counter(received_ids(sink))
    assert [message_id for message_id, n in counts.items() if n > 1] == []
    assert set(counts) == {m.message_id for m in messages}
    assert len(set(handler.peers.values())) == 2  # both workers did send
    assert sum(report.sent for report in reports) == 120
    states = Counter(
        Message.objects.filter(pk__in=[m.pk for m in messages]).values_list(
            "delivery_state", "delivery_attempts"
        )
    )
    assert states == {(DeliveryState.SENT, 1): 120}


def test_a_pass_sends_what_is_due_at_its_now_and_only_that(
    acme: Acme, settings: Settings, sink: SmtpSink
) -> None:
    message = queue_reply(acme)
    sink.stop()
    assert send_due(WORKER, once=True).retried == 1  # the server is down: backoff
    retry_at = fresh(message).next_attempt_at
    assert retry_at is not None
    sink.start()

    assert send_due(WORKER, once=True, now=retry_at - timedelta(seconds=1)).sent == 0
    assert send_due(WORKER, once=True, now=retry_at).sent == 1

    message = fresh(message)
    assert (message.delivery_state, message.delivery_attempts) == (DeliveryState.SENT, 2)
    assert message.sent_at is not None and message.sent_at - retry_at < timedelta(seconds=5)
    assert received_ids(sink) == [message.message_id]


# --- Leases: a worker that died, a worker still at work ---------------------------------


def test_message_left_sending_by_a_dead_worker_is_taken_over(acme: Acme, sink: SmtpSink) -> None:
    message = queue_reply(acme)
    [dead], _until = claim("dead-host:1")
    Message.objects.filter(pk=message.pk).update(
        claimed_until=timezone.now() - timedelta(seconds=1)
    )

    assert send_due(WORKER, once=True).sent == 1

    message = fresh(message)
    assert (message.delivery_state, message.delivery_attempts) == (DeliveryState.SENT, 2)
    assert received_ids(sink) == [message.message_id]
    # The dead worker, back to life, cannot overwrite the outcome.
    assert not finish(dead, "dead-host:1", DeliveryState.FAILED, "too late")
    assert fresh(message).delivery_state == DeliveryState.SENT


def test_message_whose_lease_is_live_is_left_to_its_worker(acme: Acme, sink: SmtpSink) -> None:
    message = queue_reply(acme)
    [held], _until = claim("busy-host:1")

    assert send_due(WORKER, once=True).sent == 0

    message = fresh(message)
    assert message.delivery_state == DeliveryState.SENDING
    assert message.claimed_by == "busy-host:1"
    assert sink.received == []
    # Its own worker still finishes it.
    assert finish(held, "busy-host:1", DeliveryState.SENT, sent_at=timezone.now())
    assert fresh(message).delivery_state == DeliveryState.SENT


def test_worker_gives_back_what_it_cannot_start_before_its_lease_ends(
    acme: Acme, settings: Settings
) -> None:
    # A 2 s lease: sends start only in its first second, and each takes 0.7 s, so at most
    # two of the four claimed together can start before the worker must let go.
    settings.COMPTOIR_OUTBOX_LEASE = 2
    sink = SmtpSink()
    sink.handler = SlowHandler(0.7)
    settings.COMPTOIR_SMTP_URL = sink.url
    ticket = open_ticket(acme)
    messages = [queue_reply(acme, ticket, text=f"Reply {n}") for n in range(4)]

    with running(sink):
        report = send_due(WORKER, once=True, batch_size=4)

    assert report.released >= 2
    assert report.sent == 4
    assert received_ids(sink) == [m.message_id for m in messages]
    # A message given back untried has not used up an attempt.
    assert [fresh(m).delivery_attempts for m in messages] == [1, 1, 1, 1]


def test_claim_never_hands_out_a_message_twice(acme: Acme) -> None:
    ticket = open_ticket(acme)
    queued = {queue_reply(acme, ticket, text=f"Reply {n}").pk for n in range(7)}
    first, _ = claim("host-a:1", limit=4)
    second, _ = claim("host-b:1", limit=4)
    third, _ = claim("host-c:1", limit=4)
    assert (len(first), len(second), third) == (4, 3, [])
    assert {c.id for c in first} | {c.id for c in second} == queued
    assert {c.id for c in first}.isdisjoint({c.id for c in second})


def test_concurrent_claims_never_return_the_same_message(acme: Acme) -> None:
    messages = queue_replies(acme, 60)
    queued = {m.pk for m in messages}
    now = last_queued(messages)
    # After its first batch each worker waits for the other's: both surely claim side by side.
    both_started = threading.Barrier(2, timeout=30)

    def claim_all(worker_id: str) -> list[int]:
        mine = [item.id for item in claim(worker_id, limit=3, now=now)[0]]
        both_started.wait()
        while batch := claim(worker_id, limit=3, now=now)[0]:
            mine += [item.id for item in batch]
        return mine

    first, second = run_together(claim_all)

    assert set(first).isdisjoint(second)
    assert sorted(first + second) == sorted(queued)
    assert first and second  # both claimed, side by side


@pytest.mark.skipif(not is_postgres(), reason="SQLite runs one writer at a time")
def test_a_claim_skips_the_messages_another_worker_is_claiming(acme: Acme) -> None:
    """SKIP LOCKED: a worker whose claim is not committed yet delays no one."""
    queued = {m.pk for m in queue_replies(acme, 6, tickets=2)}

    with uncommitted(lambda: claim("slow-host:1", limit=4)[0]) as held:
        others = claim("quick-host:1", limit=10)[0]

    assert len(held) == 4
    assert {c.id for c in others} == queued - {c.id for c in held}
