"""The SMTP listener under load: a session cap, nothing slow on the event loop, spooled data.

Issue 10, findings 4 (listener half) and 9. Real sockets (smtplib and raw), a real database;
the listener runs in a thread of this process, so the tests use a transactional database.
"""

import os
import smtplib
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from django.db import connection, transaction
from pytest_django.fixtures import Settings

from comptoir.tickets.models import Message, RawMessage
from tests.conftest import is_postgres
from tests.mail.test_smtp import StartServer, make_email, send, start_server

pytestmark = pytest.mark.django_db(transaction=True)

# The listener's settings are read when it starts: each test sets them, then starts it.
listener = start_server


def test_sessions_beyond_the_cap_get_421_and_are_closed(
    listener: StartServer, settings: Settings
) -> None:
    settings.COMPTOIR_SMTP_MAX_SESSIONS = 2
    port = listener()
    first, second = smtplib.SMTP("127.0.0.1", port), smtplib.SMTP("127.0.0.1", port)
    with pytest.raises(smtplib.SMTPConnectError) as refused:
        smtplib.SMTP("127.0.0.1", port)
    assert refused.value.smtp_code == 421
    assert refused.value.smtp_error.startswith(b"4.3.2 Too many connections")
    # The sessions admitted work as usual; once one ends, its place is free again.
    assert first.ehlo("client.test")[0] == 250
    first.quit()
    time.sleep(0.2)
    third = smtplib.SMTP("127.0.0.1", port)
    assert third.ehlo("client.test")[0] == 250
    for client in (second, third):
        client.quit()


def hold_write_lock() -> None:
    """Inside an atomic block: what the listener's ingest needs, it must now wait for."""
    if is_postgres():
        with connection.cursor() as cursor:
            cursor.execute("LOCK TABLE tickets_rawmessage IN ACCESS EXCLUSIVE MODE")
    else:
        # transaction_mode IMMEDIATE: entering the block took SQLite's write lock; make sure.
        RawMessage.objects.filter(pk=-1).update(size=0)


def test_sessions_are_answered_while_every_ingest_thread_waits(
    listener: StartServer, settings: Settings
) -> None:
    """Four messages are being stored, each waiting for a lock the test holds (as behind a
    slow database or a long parse): the ingest threads are all busy. Another sender still
    gets its greeting, EHLO and RCPT answered at once: ingest never runs on the event loop,
    nor on the threads that answer RCPT."""
    settings.COMPTOIR_SMTP_INGEST_THREADS = 4
    port = listener()
    replies: list[int] = []

    def deliver(number: int) -> None:
        replies.append(send(port, make_email(message_id=f"<slow{number}@client.test>"))[0])

    senders = [threading.Thread(target=deliver, args=(n,)) for n in range(4)]
    with transaction.atomic():
        hold_write_lock()
        for sender in senders:
            sender.start()
        time.sleep(1.5)  # the four are in their ingest, waiting for the lock
        assert not replies
        started = time.monotonic()
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
            greeted = time.monotonic() - started
            assert client.ehlo("client.test")[0] == 250
            assert client.mail("other@client.test")[0] == 250
            assert client.rcpt("support@acme.test")[0] == 250
            answered = time.monotonic() - started
            assert not replies
    for sender in senders:
        sender.join(timeout=60)
    assert greeted < 1 and answered < 2, (greeted, answered)
    assert replies == [250] * 4
    assert Message.objects.count() == 4


def test_a_spooled_message_is_stored_byte_for_byte(
    listener: StartServer, settings: Settings
) -> None:
    """Past the threshold the data goes to a file: dots, long lines, bytes all kept."""
    settings.COMPTOIR_SMTP_SPOOL_THRESHOLD = 1000
    port = listener()
    body = "".join(f".{n} a line starting with a dot\n..two dots\n.\n" for n in range(3000))
    raw = make_email(body=body + "x" * 990 + "\n")
    assert len(raw) > 100_000
    code, _text = send(port, raw)
    assert code == 250
    assert RawMessage.objects.get().content == raw


def test_a_spooled_message_keeps_the_size_and_line_rules(
    listener: StartServer, settings: Settings
) -> None:
    settings.COMPTOIR_SMTP_SPOOL_THRESHOLD = 1000
    settings.COMPTOIR_MAX_MESSAGE_SIZE = 50_000
    port = listener()
    # By hand: the email package would encode a long line (quoted-printable) to fit.
    too_long = make_email(body="a short line\n" * 200) + b"y" * 2000 + b"\r\n"
    too_big = make_email(body="a short line\n" * 10_000)
    with smtplib.SMTP("127.0.0.1", port) as client:
        client.ehlo("client.test")
        for raw, expected in ((too_long, 500), (too_big, 552)):
            client.mail("claire@client.test")
            client.rcpt("support@acme.test")
            assert client.data(raw)[0] == expected
        # The session is still in step: the next message goes through.
        client.mail("claire@client.test")
        client.rcpt("support@acme.test")
        assert client.data(make_email(body="a short line\n" * 1000))[0] == 250
    assert RawMessage.objects.count() == 1


def spool_files(directory: Path) -> list[str]:
    """This process's open files in the spool directory (unlinked: their names are gone)."""
    targets = []
    for fd in os.listdir("/proc/self/fd"):
        with_target = Path("/proc/self/fd", fd)
        try:
            targets.append(os.readlink(with_target))
        except OSError:
            continue
    return [target for target in targets if target.startswith(str(directory))]


def start_data(port: int, size: int) -> socket.socket:
    """A raw session stopped in the middle of DATA, after `size` bytes of data."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    commands = b"EHLO client.test\r\nMAIL FROM:<c@client.test>\r\nRCPT TO:<support@acme.test>\r\n"
    sock.sendall(commands + b"DATA\r\n")
    reply = b""
    while not reply.endswith(b"354 End data with <CR><LF>.<CR><LF>\r\n"):
        reply += sock.recv(4096)
    sock.sendall(b"Subject: half\r\n\r\n" + b"a line of the body\r\n" * (size // 20))
    return sock


def wait_until(condition: Callable[[], bool], seconds: float = 5) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


@pytest.mark.parametrize("ending", ["closed", "timed out"])
def test_a_session_ended_in_the_middle_of_data_frees_its_spool_file(
    listener: StartServer, settings: Settings, tmp_path: Path, ending: str
) -> None:
    settings.COMPTOIR_SMTP_SPOOL_THRESHOLD = 1000
    settings.COMPTOIR_SMTP_SPOOL_DIR = str(tmp_path)
    settings.COMPTOIR_SMTP_TIMEOUT = 2
    port = listener()
    sock = start_data(port, 200_000)
    assert wait_until(lambda: len(spool_files(tmp_path)) == 1)
    if ending == "closed":
        sock.close()
    assert wait_until(lambda: not spool_files(tmp_path))
    if ending == "timed out":
        assert sock.recv(4096) == b""  # the listener closed the session
        sock.close()
    assert not RawMessage.objects.exists()
