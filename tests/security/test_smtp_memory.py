"""The listener's peak memory is bounded by its caps, not by the number of senders.

Issue 10, finding 9: four concurrent 40 MB messages took `comptoir smtpd` from 231 MB to
1.7 GB. Here a real `comptoir smtpd` process receives four concurrent 20 MB messages; its
peak resident size (VmHWM) must stay under `memory_bound` computed from its caps, and every
message must be stored exactly once.
"""

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import SMTP, compat32

import pytest

from comptoir.mail.listener_limits import memory_bound
from comptoir.mail.parse import parse_in_chunks
from comptoir.mail.parse_attach import payload_bytes
from comptoir.tickets.models import Message, RawMessage
from tests.conftest import Acme, subprocess_env
from tests.mail.test_smtp import ROOT, free_port, make_email, send, wait_for_port

pytestmark = pytest.mark.django_db(transaction=True)

MB = 1024 * 1024
CAPS = {
    "COMPTOIR_MAX_MESSAGE_SIZE": 24 * MB,
    "COMPTOIR_SMTP_MAX_SESSIONS": 5,  # the four senders and the first small message
    "COMPTOIR_SMTP_SPOOL_THRESHOLD": 1 * MB,
    "COMPTOIR_SMTP_INGEST_THREADS": 4,
}


def large_email(number: int) -> bytes:
    """About 20 MB: a text part and a 15 MB attachment (base64), as a real large mail."""
    message = EmailMessage()
    message["From"] = "claire@client.test"
    message["To"] = "support@acme.test"
    message["Subject"] = f"Scans, part {number}"
    message["Message-ID"] = f"<large{number}@client.test>"
    message.set_content("The scans are attached.")
    content = os.urandom(15 * MB)
    message.add_attachment(content, maintype="application", subtype="pdf", filename="scans.pdf")
    return message.as_bytes(policy=SMTP)


def memory(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak) of a process, in bytes."""
    values = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(value.split()[0]) * 1024
    return values


@pytest.fixture
def smtpd() -> Iterator[subprocess.Popen[bytes]]:
    env = subprocess_env() | {name: str(value) for name, value in CAPS.items()}
    port = free_port()
    argv = [sys.executable, "-m", "comptoir.cli", "smtpd", "--port", str(port)]
    process = subprocess.Popen(argv, env=env, cwd=ROOT)
    process.port = port  # type: ignore[attr-defined]
    wait_for_port(port, process)
    yield process
    process.terminate()
    assert process.wait(timeout=30) == 0


def test_concurrent_large_messages_stay_under_the_bound_of_the_caps(
    acme: Acme, smtpd: subprocess.Popen[bytes]
) -> None:
    port = smtpd.port  # type: ignore[attr-defined]
    # One small message first: what the first ingest imports is part of the base, not of the
    # messages.
    assert send(port, make_email())[0] == 250
    base = memory(smtpd.pid)["VmRSS"]
    messages = [large_email(number) for number in range(4)]
    replies: list[int] = []

    def deliver(raw: bytes) -> None:
        replies.append(send(port, raw)[0])

    senders = [threading.Thread(target=deliver, args=(raw,)) for raw in messages]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join(timeout=120)
    peak = memory(smtpd.pid)["VmHWM"]
    bound = memory_bound(
        base=base,
        sessions=CAPS["COMPTOIR_SMTP_MAX_SESSIONS"],
        spool_threshold=CAPS["COMPTOIR_SMTP_SPOOL_THRESHOLD"],
        ingest_threads=CAPS["COMPTOIR_SMTP_INGEST_THREADS"],
        max_message=CAPS["COMPTOIR_MAX_MESSAGE_SIZE"],
    )
    print(f"base {base // MB} MB, peak {peak // MB} MB, bound {bound // MB} MB")
    assert replies == [250] * 4
    assert peak < bound, f"peak {peak // MB} MB over the bound {bound // MB} MB"
    # Every message stored, once, byte for byte.
    assert sorted(RawMessage.objects.values_list("size", flat=True))[1:] == sorted(
        len(raw) for raw in messages
    )
    stored = {m.message_id: m.raw.content for m in Message.objects.select_related("raw")}  # type: ignore[union-attr]
    for number, raw in enumerate(messages):
        assert stored[f"large{number}@client.test"] == raw


@pytest.mark.parametrize(
    "encoded",
    [
        b"aGVsbG8gd29y\r\nbGQ=\r\n",  # lines, CRLF
        b"aGVsbG8gd29y\nbGQ\n",  # LF, padding missing
        b"aGVs*bG8g\rd29y bGQ=\r\n",  # a bare CR, characters out of the alphabet
        b"aGVsbG8\r\n\r\n\r\n",  # length not a multiple of 4, blank lines
        "aGVsbG8gd29ybGQ=\xe9\r\n".encode("latin-1"),  # an 8-bit byte
    ],
)
def test_the_lean_parser_reads_what_the_standard_one_reads(encoded: bytes) -> None:
    """parse_in_chunks and payload_bytes save memory; they must not change a single byte."""
    raw = (
        b"Subject: x\r\nMIME-Version: 1.0\r\nContent-Type: application/pdf\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n" + encoded * 5000
    )
    lean = parse_in_chunks(raw)
    standard = message_from_bytes(raw, policy=compat32)
    assert lean.as_bytes() == standard.as_bytes()
    assert payload_bytes(lean) == standard.get_payload(decode=True)
    assert [type(d) for d in lean.defects] == [type(d) for d in standard.defects]
