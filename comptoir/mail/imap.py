"""IMAP polling: fetch new messages from existing mailboxes and store them.

Order matters for "every email lands exactly once": fetch with BODY.PEEK[] (nothing is
flagged), store (mail.batch.ingest_many, batch by batch: mail.imap_batch), only then flag
\\Seen (or move) what was committed and advance last_uid. A crash anywhere leaves the
message to be fetched again, and ingest drops it as a duplicate.

Several workers on several machines may run side by side: a worker claims a mailbox
(lib.claims: one UPDATE, a lease renewed after each batch) before it opens a connection.
"""

import logging
import os
import socket
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError

from comptoir.campaigns.models import ImapMailbox
from comptoir.lib.claims import Claim, Lease, db_time
from comptoir.lib.hostguard import HostRefused
from comptoir.mail.imap_batch import (
    batches,
    fetch_batch,
    ingest_alone,
    ingest_batch,
    mark_done,
    message_sizes,
    new_uids,
)
from comptoir.mail.imap_connect import ImapConfigError, close_quietly, connect
from comptoir.mail.ingest import IngestResult, TransientIngestError

logger = logging.getLogger(__name__)

# Messages handled per mailbox and run, so that one busy mailbox cannot starve the others
# (about two seconds of work); a backlog gets further runs, in turn with the other mailboxes.
BATCH_SIZE = 1000
# Runs per mailbox in one pass at most: a pass ends even if mail arrives as fast as it is
# stored.
MAX_RUNS = 50
# How long a claim holds without renewal; renewed after each batch, so it only has to
# outlast one fetch + ingest of a batch. A worker that dies frees the mailbox when the lease
# runs out.
LEASE = timedelta(minutes=5)


class LostClaimError(Exception):
    """Another worker took the mailbox over (our lease ran out): stop without writing."""


@dataclass
class PollReport:
    mailbox_id: int
    outcomes: dict[str, int] = field(default_factory=dict)
    error: str = ""
    notice: str = ""
    # True when another worker holds the mailbox: nothing was attempted.
    skipped: bool = False
    # The run stopped at its limit with new messages left (another run follows in the pass).
    more: bool = False

    @property
    def fetched(self) -> int:
        return sum(self.outcomes.values())

    def merge(self, later: "PollReport") -> None:
        """Fold a later run of the same mailbox into this report."""
        for outcome, n in later.outcomes.items():
            self.outcomes[outcome] = self.outcomes.get(outcome, 0) + n
        self.error, self.notice = later.error, self.notice or later.notice
        self.skipped, self.more = self.skipped or later.skipped, later.more

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.mailbox_id,
            "fetched": dict(self.outcomes),
            "error": self.error,
            "notice": self.notice,
            "skipped": self.skipped,
        }


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


# --- Claiming -------------------------------------------------------------------------


MAILBOX = Claim(
    table=ImapMailbox._meta.db_table,
    due="id = %s AND enabled = %s AND (claimed_until IS NULL OR claimed_until < %s)",
    order="id",
)


def claim_mailbox(mailbox_id: int, worker_id: str, *, now: datetime | None = None) -> bool:
    """Take the mailbox for LEASE unless another worker holds an unexpired claim."""
    lease = Lease.start(worker_id, LEASE.total_seconds(), now)
    return MAILBOX.take(lease, [mailbox_id, True, db_time(lease.now)], 1) == [mailbox_id]


def release_mailbox(mailbox_id: int, worker_id: str, *, error: str) -> None:
    """Give the claim back and record how the run went (only if the claim is still ours)."""
    ImapMailbox.objects.filter(pk=mailbox_id, claimed_by=worker_id).update(
        claimed_until=None,
        claimed_by="",
        last_polled_at=timezone.now(),
        last_error=error,
    )


def save_progress(mailbox: ImapMailbox, worker_id: str) -> None:
    """Persist the resume point and renew the lease, in one conditional UPDATE."""
    updated = ImapMailbox.objects.filter(pk=mailbox.pk, claimed_by=worker_id).update(
        uid_validity=mailbox.uid_validity,
        last_uid=mailbox.last_uid,
        claimed_until=timezone.now() + LEASE,
    )
    if updated != 1:
        raise LostClaimError(f"mailbox {mailbox.pk} was claimed by another worker")


# --- Polling --------------------------------------------------------------------------


def check_uid_validity(mailbox: ImapMailbox, uid_validity: int) -> str:
    """Reset the resume point when the folder's UIDs were renumbered; return a notice."""
    if mailbox.uid_validity is None:
        # First poll: adopt the folder's UIDs (a last_uid set by an operator is kept).
        mailbox.uid_validity = uid_validity
        return ""
    if mailbox.uid_validity == uid_validity:
        return ""
    # Old UIDs mean nothing now: rescan everything. Messages already stored come back as
    # "duplicate" (same Message-ID, or same raw hash), so no ticket is doubled.
    notice = (
        f"UIDVALIDITY changed from {mailbox.uid_validity} to {uid_validity}: "
        f"folder rescanned from the start (last_uid was {mailbox.last_uid})"
    )
    logger.warning("IMAP mailbox %s: %s", mailbox.pk, notice)
    mailbox.uid_validity = uid_validity
    mailbox.last_uid = 0
    return notice


def count(report: PollReport, result: IngestResult) -> None:
    # Every outcome (created, appended, duplicate, quarantined, rejected) is a decision
    # that is durably recorded: the message may leave the folder's "new" set.
    report.outcomes[result.outcome] = report.outcomes.get(result.outcome, 0) + 1


def settle(client: IMAPClient, mailbox: ImapMailbox, worker_id: str, uids: list[int]) -> None:
    """Mark committed messages (one command), then save the resume point past them."""
    if not uids:
        return
    mark_done(client, uids, mailbox.move_to)
    mailbox.last_uid = uids[-1]
    save_progress(mailbox, worker_id)


def store_batch(
    client: IMAPClient,
    mailbox: ImapMailbox,
    worker_id: str,
    messages: list[tuple[int, bytes]],
    report: PollReport,
) -> None:
    """Store a fetched batch, then mark what was committed; results come in UID order and
    only after their transaction committed, so `done` is always a committed prefix."""
    done: list[int] = []
    try:
        for uid, result in ingest_batch(mailbox, messages):
            done.append(uid)
            count(report, result)
    except TransientIngestError:
        settle(client, mailbox, worker_id, done)
        # The rest one transaction each, as a single message would go: what can be stored
        # before the failing message is stored and marked; the failure itself propagates.
        for uid, result in ingest_alone(mailbox, messages[len(done) :]):
            count(report, result)
            settle(client, mailbox, worker_id, [uid])
        return
    except Exception:
        settle(client, mailbox, worker_id, done)
        raise
    settle(client, mailbox, worker_id, done)


def poll_folder(
    client: IMAPClient, mailbox: ImapMailbox, worker_id: str, batch_size: int, report: PollReport
) -> None:
    if mailbox.move_to and not client.folder_exists(mailbox.move_to):
        client.create_folder(mailbox.move_to)
    selected = client.select_folder(mailbox.folder)
    report.notice = check_uid_validity(mailbox, int(selected[b"UIDVALIDITY"]))
    save_progress(mailbox, worker_id)
    found = new_uids(client, mailbox.last_uid)
    uids = found[:batch_size]
    for batch in batches(uids, message_sizes(client, uids)):
        # Progress is saved (and the lease renewed) after each committed batch.
        store_batch(client, mailbox, worker_id, fetch_batch(client, batch.uids), report)
    if uids and mailbox.last_uid < uids[-1]:
        # The last ones were expunged before they could be fetched: nothing to wait for.
        mailbox.last_uid = uids[-1]
        save_progress(mailbox, worker_id)
    report.more = len(found) > batch_size


def run_claimed(mailbox: ImapMailbox, worker_id: str, batch_size: int, report: PollReport) -> None:
    """Poll a mailbox this worker has claimed; every failure ends up in report.error."""
    try:
        client = connect(mailbox)
        try:
            poll_folder(client, mailbox, worker_id, batch_size, report)
        finally:
            close_quietly(client)
    except TransientIngestError as exc:
        report.error = f"ingest failed temporarily, will retry: {exc}"
    except (IMAPClientError, OSError, ImapConfigError, HostRefused, LostClaimError) as exc:
        report.error = f"{type(exc).__name__}: {exc}"
    except Exception as exc:
        # A bug must not kill the loop that serves every other mailbox; nothing was
        # marked or advanced past the failing message, so it is retried next run.
        logger.exception("IMAP mailbox %s: unexpected error", mailbox.pk)
        report.error = f"unexpected {type(exc).__name__}: {exc}"


def poll_mailbox(
    mailbox: ImapMailbox, *, worker_id: str = "", batch_size: int = BATCH_SIZE
) -> PollReport:
    """Claim, poll and release one mailbox; a mailbox another worker holds is skipped."""
    worker_id = worker_id or default_worker_id()
    report = PollReport(mailbox_id=mailbox.pk)
    if not claim_mailbox(mailbox.pk, worker_id):
        report.skipped = True
        return report
    try:
        # The instance may be stale: another worker may have advanced it since it was read.
        mailbox.refresh_from_db()
        run_claimed(mailbox, worker_id, batch_size, report)
    finally:
        release_mailbox(mailbox.pk, worker_id, error=report.error or report.notice)
    if report.error:
        logger.warning("IMAP mailbox %s: %s", mailbox.pk, report.error)
    return report


def poll_in_turn(
    mailboxes: list[ImapMailbox], worker_id: str, *, batch_size: int = BATCH_SIZE
) -> list[PollReport]:
    """One run per mailbox, then further rounds for those whose run stopped at its limit, so
    that a pass drains backlogs while each mailbox keeps its turn; one report per mailbox."""
    reports = {m.pk: poll_mailbox(m, worker_id=worker_id, batch_size=batch_size) for m in mailboxes}
    pending = [m for m in mailboxes if reports[m.pk].more]
    for _ in range(MAX_RUNS - 1):
        for mailbox in pending:
            reports[mailbox.pk].merge(
                poll_mailbox(mailbox, worker_id=worker_id, batch_size=batch_size)
            )
        pending = [m for m in pending if reports[m.pk].more]
    return [reports[m.pk] for m in mailboxes]


def poll_due_mailboxes(
    worker_id: str, *, once: bool, batch_size: int = BATCH_SIZE
) -> list[PollReport]:
    """Poll enabled mailboxes: all of them when `once` (cron decides the rhythm), else only
    those not polled within COMPTOIR_IMAP_POLL_INTERVAL seconds."""
    mailboxes = ImapMailbox.objects.filter(enabled=True).select_related("campaign", "domain")
    if not once:
        due_before = timezone.now() - timedelta(seconds=settings.COMPTOIR_IMAP_POLL_INTERVAL)
        mailboxes = mailboxes.filter(
            Q(last_polled_at__isnull=True) | Q(last_polled_at__lte=due_before)
        )
    return poll_in_turn(
        list(mailboxes.order_by("last_polled_at", "pk")), worker_id, batch_size=batch_size
    )
