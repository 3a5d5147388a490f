"""`comptoir worker`: background jobs, each a function that claims due work in the database.

Any number of workers may run side by side on any number of machines: a job claims its rows
(IMAP mailboxes, queued outbound messages), so two workers never do the same work twice.
"""

import logging
import os
import socket
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections

from comptoir.imports.actions import import_job, import_retention_job
from comptoir.lib.shutdown import stop_requested, stopping
from comptoir.supervision.presence import offline_job

log = logging.getLogger(__name__)

# Seconds between two rounds when a round found nothing to do.
IDLE_SLEEP = 2.0

type Job = Callable[[str, bool], object]


def poll_imap(worker_id: str, once: bool) -> object:
    # Imported here so that a worker starts even while the IMAP edge has an import problem
    # elsewhere, and so that commands that never poll do not load it.
    from comptoir.mail.imap import poll_due_mailboxes

    return poll_due_mailboxes(worker_id, once=once)


def send_outbox(worker_id: str, once: bool) -> object:
    from comptoir.mail.outbox import send_due

    if not settings.COMPTOIR_SMTP_URL:
        warn_no_smtp()
        return None
    return send_due(worker_id, once=once)


def send_scheduled_reports(worker_id: str, once: bool) -> object:
    """Each scheduled report's last period, once it is over, queued as account mail."""
    from comptoir.supervision.report_mail import send_due_reports

    return send_due_reports(worker_id, once=once)


def send_account_mail(worker_id: str, once: bool) -> object:
    """Invitations and password resets; without COMPTOIR_SMTP_URL, printed on the console."""
    from comptoir.mail.account_mail import send_due

    return send_due(worker_id, once=once)


_warned: list[bool] = []


def warn_no_smtp() -> None:
    if not _warned:
        _warned.append(True)
        log.warning("COMPTOIR_SMTP_URL is not set: outbound mail stays queued until it is")


JOBS: list[tuple[str, Job]] = [
    ("imap", poll_imap),
    ("outbox", send_outbox),
    # Before account-mail, so that a report queued in this round goes out in it.
    ("scheduled-reports", send_scheduled_reports),
    ("account-mail", send_account_mail),
    ("imports", import_job),
    ("import-retention", import_retention_job),
    # Agents silent for COMPTOIR_OFFLINE_SECONDS become offline from their last sign of life.
    ("agent-states", offline_job),
]


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class Command(BaseCommand):
    help = (
        "Run the background jobs (IMAP polling, the outbox, invitations and password "
        "resets, scheduled reports, imports, agents gone offline) until SIGTERM; "
        "--once runs what is due."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="do what is due, then exit")

    def handle(self, *args: Any, once: bool, **options: Any) -> None:
        me = worker_id()
        if once:
            if not run_round(me, once=True):
                raise CommandError("worker: a job failed (see the log)")
            return
        stop = stop_requested()
        self.stdout.write(f"worker: started as {me}")
        self.stdout.flush()
        while not stop.is_set():
            run_round(me, once=False)
            stop.wait(IDLE_SLEEP)
        self.stdout.write("worker: stopped")


def run_round(me: str, *, once: bool) -> bool:
    """Each job once; a failing job is logged and retried next round while the others go on.

    Returns False when a job failed."""
    ok = True
    for name, job in JOBS:
        if stopping():  # asked to stop: the other jobs wait for the next start
            break
        # A long-lived process must drop the connections the database closed meanwhile.
        close_old_connections()
        try:
            job(me, once)
        except Exception:
            log.exception("Job %s failed", name)
            ok = False
    close_old_connections()
    return ok
