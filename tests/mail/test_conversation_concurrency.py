"""Every message of a conversation delivered at the same instant ends in one ticket.

Through threads calling ingest_email, real SMTP connections to one listener, and several
`comptoir ingest` processes (the bulk path), on SQLite and PostgreSQL: zero splits, zero
duplicates, zero foreign joins, and at most one acknowledgement per ticket. Before
conversations were serialised (tickets.conversation_lock), PostgreSQL split conversations in
every run of these tests.
"""

import smtplib
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from comptoir.mail.ingest import ingest_email
from comptoir.tickets.models import Ticket
from tests.concurrency import run_together
from tests.conftest import Acme, comptoir_bin, subprocess_env
from tests.mail.conversation_mail import (
    acknowledgements_per_ticket,
    conversations,
    thread_faults,
)
from tests.mail.test_smtp import (  # noqa: F401 (fixtures)
    StartServer,
    child_database_env,
    smtpd_process,
    start_server,
)

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 3
PER_ROUND = 10
NO_FAULTS = {"missing": [], "duplicates": [], "splits": [], "foreign joins": []}


def assert_no_faults(acme: Acme, sent: dict[str, list[tuple[str, bytes]]]) -> None:
    faults = thread_faults(acme.domain.pk, sent)
    counts = {kind: len(found) for kind, found in faults.items()}
    assert faults == NO_FAULTS, f"{counts} in {len(sent)} conversations"


def acknowledging(acme: Acme) -> None:
    acme.support.auto_reply_enabled = True
    acme.support.save(update_fields=["auto_reply_enabled"])


def test_messages_delivered_together_by_threads_make_one_ticket(acme: Acme) -> None:
    acknowledging(acme)
    sent = {}
    for round_number in range(ROUNDS):
        batch = conversations(f"t{round_number}", PER_ROUND, to="support@acme.test")
        sent.update(batch)
        for messages in batch.values():

            def deliver(worker: str, messages: list[tuple[str, bytes]] = messages) -> str:
                _message_id, raw = messages[int(worker[1:])]
                return ingest_email(raw, recipients=["support@acme.test"]).outcome

            run_together(deliver, workers=len(messages))
    assert_no_faults(acme, sent)
    acknowledgements = acknowledgements_per_ticket(acme.domain.pk)
    tickets = Ticket.objects.filter(domain=acme.domain)
    assert tickets.count() == len(sent)
    assert {acknowledgements[t] for t in tickets.values_list("id", flat=True)} == {1}


def send_all(ports: list[int], sent: dict[str, list[tuple[str, bytes]]], workers: int) -> None:
    """`workers` SMTP sessions, spread over the listeners' ports; session i sends message i of
    each conversation, all sessions released together for each conversation."""
    together = threading.Barrier(workers)
    errors: list[BaseException] = []

    def session(index: int) -> None:
        try:
            with smtplib.SMTP("127.0.0.1", ports[index % len(ports)], timeout=60) as client:
                client.ehlo("client.test")
                for messages in sent.values():
                    together.wait(timeout=60)
                    client.sendmail(
                        f"c{index}@client.test", ["support@acme.test"], messages[index][1]
                    )
        except BaseException as exc:
            errors.append(exc)
            together.abort()

    threads = [threading.Thread(target=session, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert errors == []


def test_messages_delivered_together_over_smtp_make_one_ticket(
    acme: Acme,
    start_server: StartServer,  # noqa: F811
) -> None:
    acknowledging(acme)
    port = start_server()
    sent = conversations("s", ROUNDS * PER_ROUND, to="support@acme.test")
    send_all([port], sent, workers=4)
    assert_no_faults(acme, sent)
    acknowledgements = acknowledgements_per_ticket(acme.domain.pk)
    assert len(acknowledgements) == len(sent)
    assert set(acknowledgements.values()) == {1}


def test_messages_delivered_together_to_two_listener_processes_make_one_ticket(
    acme: Acme,
    smtpd_process: Callable[[dict[str, str]], int],  # noqa: F811
) -> None:
    acknowledging(acme)
    ports = [smtpd_process(child_database_env()) for _listener in range(2)]
    sent = conversations("l", PER_ROUND * 2, to="support@acme.test")
    send_all(ports, sent, workers=4)
    assert_no_faults(acme, sent)
    acknowledgements = acknowledgements_per_ticket(acme.domain.pk)
    assert len(acknowledgements) == len(sent)
    assert set(acknowledgements.values()) == {1}


def test_messages_ingested_together_by_processes_make_one_ticket(
    acme: Acme, tmp_path: Path
) -> None:
    """The bulk path (`comptoir ingest`, runs written in one transaction): process i files
    message i of every conversation, all processes at once."""
    for round_number in range(ROUNDS):
        sent = conversations(f"p{round_number}", PER_ROUND, to="orders@acme.test")
        jobs = []
        for index in range(4):
            folder = tmp_path / f"r{round_number}-{index}"
            folder.mkdir()
            for name, messages in sent.items():
                (folder / f"{name}.eml").write_bytes(messages[index][1])
            command = [comptoir_bin(), "ingest", "--domain", "acme", str(folder)]
            jobs.append(subprocess.Popen(command, env=subprocess_env(), stdout=subprocess.PIPE))
        for job in jobs:
            job.communicate(timeout=240)
            assert job.returncode == 0
    everything = {}
    for round_number in range(ROUNDS):
        everything.update(conversations(f"p{round_number}", PER_ROUND, to="orders@acme.test"))
    assert_no_faults(acme, everything)
