"""Group commit in the SMTP/LMTP listener (comptoir/mail/committer.py), over real sockets.

Many sessions deliver at the same moment; their messages are written together, and each
session's `250` must still come only once its own message is committed. Each client checks it
from its own database connection the moment it reads its reply.
"""

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections, transaction
from pytest_django.fixtures import Settings

from comptoir.mail.server import ComptoirController, build_controller
from comptoir.tickets.models import Message, RawMessage, RawState, Ticket
from tests.conftest import Acme, is_postgres, make_acme
from tests.mail.test_parse_limits import deep, many_parts
from tests.mail.test_smtp import (
    child_database_env,
    free_port,
    lmtp_transaction,
    make_email,
    send,
    smtpd_process,
)

pytestmark = pytest.mark.django_db(transaction=True)
__all__ = ["smtpd_process"]  # a fixture, used below

SESSIONS = 12


@pytest.fixture
def listener(acme: Acme) -> Iterator[Callable[..., tuple[int, ComptoirController]]]:
    controllers: list[ComptoirController] = []

    def start(*, lmtp: bool = False) -> tuple[int, ComptoirController]:
        port = free_port()
        controller = build_controller("127.0.0.1", port, lmtp=lmtp)
        controller.start()
        controllers.append(controller)
        return port, controller

    yield start
    for controller in controllers:
        controller.stop()


def at_once[T](count: int, task: Callable[[int], T]) -> list[T]:
    """task(0..count-1) on as many threads, released together; each closes its connections."""
    barrier = threading.Barrier(count)

    def run(i: int) -> T:
        barrier.wait(timeout=30)
        try:
            return task(i)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(run, range(count)))


def crlf(raw: bytes) -> bytes:
    return raw.replace(b"\n", b"\r\n")


def message_id(i: int) -> str:
    return f"<group-{i}@client.test>"


@pytest.mark.parametrize("group_max", [64, 0])
def test_each_session_gets_250_only_once_its_message_is_committed(
    listener: Callable[..., tuple[int, ComptoirController]], settings: Settings, group_max: int
) -> None:
    """0: group commit off (one transaction per message, on the ingest threads)."""
    settings.COMPTOIR_SMTP_GROUP_MAX = group_max
    port, controller = listener()

    def deliver(i: int) -> tuple[int, bool]:
        code, _text = send(port, make_email(message_id=message_id(i), body=f"Order {i}"))
        # This thread's own connection: it sees only what was committed.
        visible = Message.objects.filter(message_id=message_id(i).strip("<>")).exists()
        return code, visible

    assert at_once(SESSIONS, deliver) == [(250, True)] * SESSIONS
    assert Message.objects.count() == SESSIONS
    assert Ticket.objects.count() == SESSIONS
    committer = controller.handler.committer
    if group_max:
        assert committer is not None
        assert committer.messages == SESSIONS
        assert committer.groups < SESSIONS  # some messages were written together
    else:
        assert committer is None


def test_a_broken_message_among_others_is_quarantined_and_the_others_are_stored(
    listener: Callable[..., tuple[int, ComptoirController]],
) -> None:
    port, _controller = listener()
    # Past the parse limits (COMPTOIR_MAX_MIME_DEPTH, COMPTOIR_MAX_MIME_PARTS): quarantined.
    broken = {3: crlf(deep(50)), 7: crlf(many_parts(2000))}

    def deliver(i: int) -> int:
        raw = broken.get(i) or make_email(message_id=message_id(i), body=f"Order {i}")
        return send(port, raw)[0]

    assert at_once(SESSIONS, deliver) == [250] * SESSIONS
    assert Message.objects.count() == SESSIONS - 2
    kept = RawMessage.objects.exclude(state=RawState.STORED)
    assert {raw.content for raw in kept} == set(broken.values())
    assert all(raw.state == RawState.QUARANTINED for raw in kept)


def test_lmtp_sessions_at_once_get_one_reply_per_recipient_in_rcpt_order(
    listener: Callable[..., tuple[int, ComptoirController]], acme: Acme
) -> None:
    make_acme("globex")
    port, _controller = listener(lmtp=True)
    recipients = ["orders@globex.test", "nobody@acme.test", "support@acme.test"]

    def deliver(i: int) -> list[tuple[int, bytes]]:
        raw = make_email(to=", ".join(recipients), message_id=message_id(i), body=f"Order {i}")
        return lmtp_transaction(port, recipients, raw)

    for i, replies in enumerate(at_once(SESSIONS, deliver)):
        key = message_id(i).strip("<>")
        globex = Message.objects.get(message_id=key, domain__slug="globex").ticket.number
        ours = Message.objects.get(message_id=key, domain=acme.domain).ticket.number
        assert replies == [
            (250, b"2.1.5 Ok"),
            (550, b"5.1.1 <nobody@acme.test>: no such mailbox here"),
            (250, b"2.1.5 Ok"),
            (250, f"2.0.0 Ok: stored as ticket #{globex}".encode()),
            (250, f"2.0.0 Ok: stored as ticket #{ours}".encode()),
        ]
    assert Message.objects.count() == 2 * SESSIONS


def test_database_failure_gives_451_to_every_message_not_committed_and_retries_store_once(
    acme: Acme, smtpd_process: Callable[[dict[str, str]], int]
) -> None:
    """A real `comptoir smtpd`: some messages committed, then the database refuses the rest
    (a lock held longer than the listener waits, as in test_smtp's 451 test). Every message
    that was not committed gets 451; the sender retries all of them: each stored once."""
    patience = {"COMPTOIR_SQLITE_TIMEOUT": "1", "PGOPTIONS": "-c lock_timeout=1000"}
    port = smtpd_process(child_database_env() | patience)
    emails = [make_email(message_id=message_id(i), body=f"Order {i}") for i in range(SESSIONS)]
    first = 3
    assert at_once(first, lambda i: send(port, emails[i])[0]) == [250] * first
    with transaction.atomic():
        if is_postgres():
            with connection.cursor() as cursor:
                cursor.execute("LOCK TABLE tickets_rawmessage IN ACCESS EXCLUSIVE MODE")
        else:
            Ticket.objects.filter(pk=-1).update(subject="")  # holds the write lock
        later = at_once(SESSIONS - first, lambda i: send(port, emails[first + i]))
    assert [(code, text[:5]) for code, text in later] == [(451, b"4.3.0")] * (SESSIONS - first)
    assert Message.objects.count() == first
    retried = at_once(SESSIONS, lambda i: send(port, emails[i]))
    assert [code for code, _text in retried] == [250] * SESSIONS
    assert all(b"already stored" in text for _code, text in retried[:first])
    assert Message.objects.count() == SESSIONS
    assert RawMessage.objects.count() == SESSIONS
    assert Message.objects.values("message_id").distinct().count() == SESSIONS
