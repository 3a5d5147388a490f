"""The IMAP phase of bench.paths: `comptoir imap-poll` draining a 2,000-message mailbox.

A throwaway Dovecot (tests/dovecot.py) on loopback gets the corpus written straight into its
Maildir, in arrival order (the file names carry increasing timestamps, which is the order in
which Dovecot hands out UIDs). The demo's support campaign polls it (an ImapMailbox with a
sealed password, plaintext IMAP allowed to 127.0.0.0/8 only); `comptoir imap-poll --once
--mailbox ID` is run, timed from outside with its start-up, again and again until a run finds
nothing new. Then the database census of bench.paths, and every message of the folder must be
flagged \\Seen.

`python -m bench.imap_phase setup PORT USER PASSWORD` (in the phase's environment) creates
the mailbox and prints its id.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from bench.corpus import CorpusMessage
from bench.databases import Databases, Target
from bench.phases import PhaseError
from tests.dovecot import Dovecot, dovecot_binary, mail_owner, start_dovecot

USER = "bench"
# Runs of the command before the bench gives up (a poll that never drains is a failure).
MAX_RUNS = 100


def write_maildir(corpus: list[CorpusMessage], folder: Path) -> None:
    """The messages as a delivery agent leaves them: one file each in new/, LF line ends."""
    for sub in ("new", "cur", "tmp"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    start = 1_700_000_000
    for i, message in enumerate(corpus):
        data = message.raw.replace(b"\r\n", b"\n")
        # Dovecot gives new files UIDs in the order of the timestamps that open their names.
        (folder / "new" / f"{start + i}.M{i}P1.bench,S={len(data)}").write_bytes(data)


def install_maildir(template: Path, server: Dovecot) -> None:
    target = server.root / "mail" / USER
    shutil.copytree(template, target)
    uid, gid = mail_owner()
    for path in [target, *target.rglob("*")]:
        os.chown(path, uid, gid)


def create_mailbox(target: Target, server: Dovecot) -> int:
    args = [sys.executable, "-m", "bench.imap_phase", "setup", str(server.port), USER]
    args.append(server.password)
    done = subprocess.run(args, env=target.env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise PhaseError(f"IMAP mailbox setup failed:\n{done.stderr[-3000:]}")
    return int(done.stdout.split()[-1])


def poll_until_drained(target: Target, mailbox_id: int) -> tuple[float, Counter[str], list[str]]:
    """Seconds for all the runs, the outcomes, and the errors the reports gave."""
    args = [sys.executable, "-m", "comptoir.cli", "imap-poll", "--once"]
    args += ["--mailbox", str(mailbox_id)]
    env = {**target.env, "COMPTOIR_IMAP_ALLOWED_NETWORKS": "127.0.0.0/8"}
    outcomes: Counter[str] = Counter()
    errors: list[str] = []
    seconds = 0.0
    for _ in range(MAX_RUNS):
        started = time.perf_counter()
        done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
        seconds += time.perf_counter() - started
        if done.returncode != 0:
            raise PhaseError(f"imap-poll failed ({done.returncode}):\n{done.stderr[-3000:]}")
        fetched = 0
        for line in done.stdout.splitlines():
            report = json.loads(line)
            outcomes.update(report["fetched"])
            fetched += sum(report["fetched"].values())
            if report["error"]:
                errors.append(report["error"][:300])
        if fetched == 0 or errors:
            return seconds, outcomes, errors
    return seconds, outcomes, [*errors, f"not drained after {MAX_RUNS} runs"]


def folder_problems(server: Dovecot, total: int) -> list[str]:
    from imapclient import IMAPClient

    with IMAPClient(server.host, port=server.port, ssl=False, timeout=30) as client:
        client.login(USER, server.password)
        client.select_folder("INBOX", readonly=True)
        present = len(client.search(["ALL"]))
        unseen = len(client.search(["UNSEEN"]))
    problems = [f"{present} messages in the folder != {total}"] if present != total else []
    return problems + ([f"{unseen} messages not flagged \\Seen"] if unseen else [])


def imap_phase(dbs: Databases, kind: str, template: Path, counts: tuple[int, int]) -> Any:
    from bench.paths import TARGETS, PathMeasurement, census_problems, run_worker

    if dovecot_binary() is None:
        raise PhaseError("dovecot is not installed (scripts/ci-deps installs it)")
    total, new = counts
    target = dbs.fresh(kind)
    run_worker("unlimited-acks", target)
    root = Path(tempfile.mkdtemp(prefix="comptoir-bench-dovecot-"))
    server = start_dovecot(root)
    try:
        install_maildir(template, server)
        mailbox_id = create_mailbox(target, server)
        seconds, outcomes, errors = poll_until_drained(target, mailbox_id)
        problems = errors + folder_problems(server, total)
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
    m = PathMeasurement("imap", kind, 1, sum(outcomes.values()), seconds, dict(outcomes))
    m.census = run_worker("census", target)
    problems += census_problems(m.census, total, new)
    m.target = TARGETS.get(("imap", kind, 1))
    m.failed = bool(problems)
    m.check = "; ".join(problems) or "ok"
    return m


def setup(port: int, user: str, password: str) -> int:
    """The demo support campaign's ImapMailbox on the bench Dovecot."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "comptoir.settings")
    import django

    django.setup()
    from comptoir.campaigns.models import Campaign, ImapMailbox, ImapSecurity
    from comptoir.lib import sealed

    campaign = Campaign.objects.select_related("domain").get(domain__slug="demo", slug="support")
    mailbox = ImapMailbox.objects.create(
        domain=campaign.domain,
        campaign=campaign,
        host="127.0.0.1",
        port=port,
        security=ImapSecurity.NONE,
        username=user,
        password_encrypted=sealed.seal(password),
    )
    return mailbox.pk


if __name__ == "__main__":
    if len(sys.argv) != 5 or sys.argv[1] != "setup":
        sys.exit("usage: python -m bench.imap_phase setup PORT USER PASSWORD")
    print(setup(int(sys.argv[2]), sys.argv[3], sys.argv[4]))
