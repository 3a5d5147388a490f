"""`comptoir imap-poll`: fetch new mail from the configured IMAP mailboxes.

With --once every enabled mailbox is polled once (cron, tests), a backlog run after run
until it is drained (mail.imap.poll_in_turn), and one JSON line per mailbox is printed;
without it the command polls what is due until SIGTERM.
"""

import json
import logging
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, close_old_connections

from comptoir.campaigns.models import ImapMailbox
from comptoir.lib.shutdown import stop_requested
from comptoir.mail.imap import PollReport, default_worker_id, poll_due_mailboxes, poll_in_turn

log = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Poll IMAP mailboxes and ingest new messages (--once: one pass, JSON report)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="poll once, print JSON, exit")
        parser.add_argument("--mailbox", type=int, help="only this mailbox (ImapMailbox id)")

    def handle(self, *args: Any, once: bool, mailbox: int | None, **options: Any) -> None:
        worker_id = default_worker_id()
        if once:
            self.print_reports(poll_round(worker_id, mailbox, once=True))
            return
        stop = stop_requested()
        interval = settings.COMPTOIR_IMAP_POLL_INTERVAL
        # Over all mailboxes, waking up more often than the interval lets each keep its own
        # rhythm (due-ness comes from its last_polled_at) at the cost of one cheap query.
        tick = interval if mailbox is not None else min(interval, 10)
        while not stop.is_set():
            close_old_connections()
            try:
                self.print_reports(poll_round(worker_id, mailbox, once=False))
            except DatabaseError:
                # The database may come back; errors per mailbox are already in the reports.
                log.exception("imap-poll: database error, retrying in %s s", tick)
            stop.wait(tick)

    def print_reports(self, reports: list[PollReport]) -> None:
        for report in reports:
            self.stdout.write(json.dumps(report.as_dict(), sort_keys=True))
        self.stdout.flush()


def poll_round(worker_id: str, mailbox_id: int | None, *, once: bool) -> list[PollReport]:
    if mailbox_id is None:
        return poll_due_mailboxes(worker_id, once=once)
    try:
        mailbox = ImapMailbox.objects.select_related("campaign", "domain").get(pk=mailbox_id)
    except ImapMailbox.DoesNotExist:
        raise CommandError(f"no IMAP mailbox with id {mailbox_id}") from None
    return poll_in_turn([mailbox], worker_id)
