"""The SMTP and LMTP listener, driven over real sockets with smtplib.

The listener runs in a thread of this process with its own database connection, so these tests
use a transactional database (committed rows, visible across connections; on SQLite the test
database is a file). The transient-failure tests run `comptoir smtpd` as a real subprocess.
"""

import os
import smtplib
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path

import pytest
from django.db import connection, transaction
from pytest_django.fixtures import Settings

from comptoir.mail.server import build_controller
from comptoir.tickets.models import Message, RawMessage, Ticket
from tests.conftest import Acme, is_postgres, make_acme

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_email(
    *, to: str = "support@acme.test", message_id: str = "<m1@client.test>", body: str = "Hello"
) -> bytes:
    message = EmailMessage()
    message["From"] = "Claire Martin <claire@client.test>"
    message["To"] = to
    message["Subject"] = "My order has not arrived"
    message["Message-ID"] = message_id
    message.set_content(body)
    # CRLF line ends, as on the wire: smtplib sends bytes as they are.
    return message.as_bytes(policy=SMTP)


type StartServer = Callable[..., int]


@pytest.fixture
def start_server(acme: Acme) -> Iterator[StartServer]:
    """Starts a listener on a free loopback port and returns the port; stops it afterwards."""
    controllers = []

    def start(*, lmtp: bool = False) -> int:
        port = free_port()
        controller = build_controller("127.0.0.1", port, lmtp=lmtp)
        controller.start()
        controllers.append(controller)
        return port

    yield start
    for controller in controllers:
        controller.stop()


def send(port: int, raw: bytes, *, to: str = "support@acme.test") -> tuple[int, bytes]:
    """One SMTP transaction; returns the reply to the final dot."""
    with smtplib.SMTP("127.0.0.1", port) as client:
        client.ehlo("client.test")
        client.mail("claire@client.test")
        assert client.rcpt(to)[0] == 250
        return client.data(raw)


def test_unknown_recipient_is_refused_at_rcpt(start_server: StartServer) -> None:
    port = start_server()
    with smtplib.SMTP("127.0.0.1", port) as client:
        client.ehlo("client.test")
        client.mail("claire@client.test")
        code, text = client.rcpt("nobody@acme.test")
    assert code == 550
    assert text == b"5.1.1 <nobody@acme.test>: no such mailbox here"


def test_mail_to_a_campaign_is_a_ticket_when_250_is_answered(
    start_server: StartServer, acme: Acme
) -> None:
    port = start_server()
    code, text = send(port, make_email())
    ticket = Ticket.objects.get(domain=acme.domain)
    assert code == 250
    assert text == f"2.0.0 Ok: stored as ticket #{ticket.number}".encode()
    assert ticket.campaign == acme.support
    message = Message.objects.get(ticket=ticket)
    assert message.message_id == "m1@client.test"
    assert message.raw is not None
    assert message.raw.source == "smtp"
    assert message.raw.envelope_from == "claire@client.test"
    assert message.raw.envelope_to == ["support@acme.test"]


def test_same_message_delivered_twice_is_accepted_twice_and_stored_once(
    start_server: StartServer, acme: Acme
) -> None:
    port = start_server()
    first = send(port, make_email())
    second = send(port, make_email())
    assert first[0] == second[0] == 250
    number = Ticket.objects.get(domain=acme.domain).number
    assert second[1] == f"2.0.0 Ok: already stored as ticket #{number}".encode()
    assert Message.objects.filter(domain=acme.domain).count() == 1


def test_unparseable_message_is_accepted_and_kept(start_server: StartServer, acme: Acme) -> None:
    """Parse problems are ingest's to quarantine; the listener never bounces them."""
    port = start_server()
    raw = b"\x00\xff garbage without headers \xfe\r\n" * 3
    code, _text = send(port, raw)
    assert code == 250
    assert RawMessage.objects.get().content == raw


def test_size_is_announced_and_enforced(start_server: StartServer, settings: Settings) -> None:
    settings.COMPTOIR_MAX_MESSAGE_SIZE = 10_000
    port = start_server()
    big = make_email(body="A line of text.\n" * 1000)
    with smtplib.SMTP("127.0.0.1", port) as client:
        client.ehlo("client.test")
        assert client.esmtp_features["size"] == "10000"
        # A client that declares the size is refused at MAIL FROM...
        assert client.mail("claire@client.test", ["SIZE=30000"])[0] == 552
        # ...one that does not is refused after the data, which is then discarded.
        client.rset()
        client.mail("claire@client.test")
        client.rcpt("support@acme.test")
        assert client.data(big)[0] == 552
    assert not Message.objects.exists()


def lmtp_transaction(port: int, recipients: list[str], raw: bytes) -> list[tuple[int, bytes]]:
    """RCPT each recipient, then DATA; returns the RCPT replies then one reply per accepted one.

    smtplib.LMTP reads a single reply after the data (it inherits SMTP.data), so the others
    are read with getreply(), as an LMTP client does.
    """
    with smtplib.LMTP("127.0.0.1", port) as client:
        client.ehlo("client.test")  # sends LHLO
        client.mail("claire@client.test")
        rcpt_replies = [client.rcpt(address) for address in recipients]
        accepted = [r for r in rcpt_replies if r[0] == 250]
        data_replies = [client.data(raw)]
        data_replies += [client.getreply() for _ in accepted[1:]]
        # The session is still in step: a further command gets its own answer.
        assert client.noop()[0] == 250
    return rcpt_replies + data_replies


def test_lmtp_answers_once_per_recipient_each_in_its_domain(
    start_server: StartServer, acme: Acme
) -> None:
    globex = make_acme("globex")
    port = start_server(lmtp=True)
    recipients = ["support@acme.test", "nobody@acme.test", "orders@globex.test"]
    replies = lmtp_transaction(port, recipients, make_email(to=", ".join(recipients)))
    acme_ticket = Ticket.objects.get(domain=acme.domain)
    globex_ticket = Ticket.objects.get(domain=globex.domain)
    assert replies == [
        (250, b"2.1.5 Ok"),
        (550, b"5.1.1 <nobody@acme.test>: no such mailbox here"),
        (250, b"2.1.5 Ok"),
        (250, f"2.0.0 Ok: stored as ticket #{acme_ticket.number}".encode()),
        (250, f"2.0.0 Ok: stored as ticket #{globex_ticket.number}".encode()),
    ]
    assert acme_ticket.campaign == acme.support
    assert globex_ticket.campaign == globex.orders
    assert Message.objects.get(ticket=globex_ticket).raw.source == "lmtp"  # type: ignore[union-attr]


def test_lmtp_refuses_oversized_data_once_per_recipient(
    start_server: StartServer, settings: Settings
) -> None:
    settings.COMPTOIR_MAX_MESSAGE_SIZE = 10_000
    port = start_server(lmtp=True)
    recipients = ["support@acme.test", "orders@acme.test"]
    replies = lmtp_transaction(port, recipients, make_email(body="z\n" * 10_000))
    assert [code for code, _text in replies] == [250, 250, 552, 552]


# --- Transient failures: a real `comptoir smtpd` process against the test database ---------


def child_database_env() -> dict[str, str]:
    """Environment pointing a child process at this test database (same file or same server)."""
    db = connection.settings_dict
    env = dict(os.environ)
    if is_postgres():
        auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
        env["DATABASE_URL"] = f"postgres://{auth}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    else:
        env["DATABASE_URL"] = f"sqlite:///{db['NAME']}"
    return env


def wait_for_port(port: int, process: subprocess.Popen[bytes], seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, "the smtpd process exited"
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nothing listens on port {port}")


@pytest.fixture
def smtpd_process() -> Iterator[Callable[[dict[str, str]], int]]:
    processes: list[subprocess.Popen[bytes]] = []

    def start(env: dict[str, str]) -> int:
        port = free_port()
        argv = [sys.executable, "-m", "comptoir.cli", "smtpd", "--port", str(port)]
        process = subprocess.Popen(argv, env=env, cwd=ROOT)
        processes.append(process)
        wait_for_port(port, process)
        return port

    yield start
    for process in processes:
        process.terminate()
        assert process.wait(timeout=10) == 0


def test_locked_database_gives_451_then_the_retry_is_stored(
    acme: Acme, smtpd_process: Callable[[dict[str, str]], int]
) -> None:
    """Another transaction holds the lock the listener needs for longer than it will wait.

    That is what a busy or stuck database looks like to the listener. On SQLite this test holds
    the write lock (BEGIN IMMEDIATE) and the listener waits 1 s (COMPTOIR_SQLITE_TIMEOUT); on
    PostgreSQL it locks the raw message table and the listener's lock_timeout is 1 s (PGOPTIONS).
    Routing at RCPT only reads, so it passes; storing at DATA cannot, so the answer is 451.
    """
    patience = {"COMPTOIR_SQLITE_TIMEOUT": "1", "PGOPTIONS": "-c lock_timeout=1000"}
    port = smtpd_process(child_database_env() | patience)
    with transaction.atomic():
        if is_postgres():
            with connection.cursor() as cursor:
                cursor.execute("LOCK TABLE tickets_rawmessage IN ACCESS EXCLUSIVE MODE")
        else:
            # transaction_mode IMMEDIATE: entering the block took the write lock; make sure.
            Ticket.objects.filter(pk=-1).update(subject="")
        code, text = send(port, make_email())
    assert (code, text[:5]) == (451, b"4.3.0")
    assert not Message.objects.exists()
    # The sender retries once the database is free again: stored, once.
    assert send(port, make_email())[0] == 250
    assert Message.objects.count() == 1


def test_unreachable_database_gives_451_at_rcpt(
    smtpd_process: Callable[[dict[str, str]], int],
) -> None:
    """A listener whose database cannot be reached (nothing listens on its port) defers the
    sender at RCPT: it cannot tell a known mailbox from an unknown one, so it must not say 550."""
    env = dict(os.environ) | {"DATABASE_URL": f"postgres://nobody@127.0.0.1:{free_port()}/none"}
    port = smtpd_process(env)
    with smtplib.SMTP("127.0.0.1", port) as client:
        client.ehlo("client.test")
        client.mail("claire@client.test")
        code, text = client.rcpt("support@acme.test")
    assert (code, text[:5]) == (451, b"4.3.0")
