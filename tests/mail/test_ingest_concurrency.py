"""Several processes ingesting at once: unique ticket numbers, each message stored once."""

import json
import subprocess
from pathlib import Path

import pytest

from comptoir.tickets.models import Message, Ticket
from tests.conftest import comptoir_bin, make_acme, subprocess_env
from tests.mail.threading_stream import mail

PROCESSES = 4
MESSAGES = 60


def write_messages(folder: Path) -> list[Path]:
    paths = []
    for index in range(MESSAGES):
        raw = mail(
            f"client{index}@exemple.fr", f"Demande {index}", f"conc-{index}@ex.fr", "Bonjour"
        )
        path = folder / f"{index:03d}.eml"
        path.write_bytes(raw)
        paths.append(path)
    return paths


@pytest.mark.django_db(transaction=True)
def test_concurrent_ingest_gives_unique_numbers_and_no_duplicates(tmp_path: Path) -> None:
    acme = make_acme()
    paths = write_messages(tmp_path)
    # Every message is delivered by two processes at the same time, in different orders.
    jobs = []
    for worker in range(PROCESSES):
        mine = [p for i, p in enumerate(paths) if i % (PROCESSES // 2) == worker % (PROCESSES // 2)]
        if worker >= PROCESSES // 2:
            mine.reverse()
        command = [comptoir_bin(), "ingest", "--domain", "acme", *map(str, mine)]
        jobs.append(subprocess.Popen(command, env=subprocess_env(), stdout=subprocess.PIPE))
    outcomes: dict[str, int] = {}
    for job in jobs:
        out, _err = job.communicate(timeout=240)
        assert job.returncode == 0
        for line in out.decode().splitlines():
            outcome = json.loads(line)["outcome"]
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
    assert outcomes == {"created": MESSAGES, "duplicate": MESSAGES}
    numbers = list(Ticket.objects.filter(domain=acme.domain).values_list("number", flat=True))
    assert sorted(numbers) == list(range(1, MESSAGES + 1))
    assert Message.objects.filter(domain=acme.domain).count() == MESSAGES
