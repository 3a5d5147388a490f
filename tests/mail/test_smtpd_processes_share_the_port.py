"""`comptoir smtpd --processes N`: N listener processes on one port (SO_REUSEPORT), each
message stored once whichever process took its connection, and all of them gone on SIGTERM."""

import os
import signal
import smtplib
import subprocess
import sys
import time
from pathlib import Path

import pytest

from comptoir.tickets.models import Message, Ticket
from tests.conftest import Acme
from tests.mail.test_smtp import ROOT, child_database_env, free_port, make_email, wait_for_port

pytestmark = pytest.mark.django_db(transaction=True)


def children_of(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def listener_children(pid: int, expected: int) -> list[int]:
    """The listener processes the first one started (they take a moment to start)."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        found = children_of(pid)
        if len(found) >= expected:
            return found
        time.sleep(0.1)
    return children_of(pid)


def test_three_processes_share_the_port_and_each_message_is_stored_once(acme: Acme) -> None:
    port = free_port()
    argv = [sys.executable, "-m", "comptoir.cli", "smtpd", "--port", str(port)]
    process = subprocess.Popen([*argv, "--processes", "3"], env=child_database_env(), cwd=ROOT)
    try:
        wait_for_port(port, process)
        others = listener_children(process.pid, 2)
        assert len(others) == 2
        time.sleep(1)  # the others bound the port too
        replies = []
        # One connection per message: the kernel spreads connections among the processes.
        for n in range(12):
            with smtplib.SMTP("127.0.0.1", port) as client:
                client.ehlo("client.test")
                client.mail("claire@client.test")
                assert client.rcpt("support@acme.test")[0] == 250
                raw = make_email(message_id=f"<m{n}@client.test>", body=f"Message {n}")
                replies.append(client.data(raw)[0])
        assert replies == [250] * 12
        assert Message.objects.filter(direction="inbound").count() == 12
        assert Ticket.objects.filter(domain=acme.domain).count() >= 1
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0
    for pid in others:
        assert not os.path.exists(f"/proc/{pid}") or "Z" in state_of(pid)


def state_of(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return "gone"


def test_processes_below_one_is_an_error() -> None:
    argv = [sys.executable, "-m", "comptoir.cli", "smtpd", "--port", str(free_port())]
    done = subprocess.run(
        [*argv, "--processes", "0"], env=child_database_env(), cwd=ROOT, capture_output=True
    )
    assert done.returncode != 0
    assert b"--processes must be at least 1" in done.stderr
