"""IMAP polling: fetch new messages from existing mailboxes and hand them to ingest_email.

Order matters for "every email lands exactly once": fetch with BODY.PEEK[] (nothing is
flagged), store through ingest_email, only then flag \\Seen (or move) and advance last_uid.
A crash anywhere leaves the message to be fetched again, and ingest drops it as a duplicate.

Several workers on several machines may run side by side: a worker claims a mailbox with a
conditional UPDATE (a lease, renewed after each message) before it opens a connection.
"""

import logging
import os
import socket
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError

from comptoir.campaigns.models import ImapMailbox
from comptoir.lib.hostguard import HostRefused
from comptoir.mail.imap_connect import ImapConfigError, close_quietly, connect
from comptoir.mail.ingest import TransientIngestError, ingest_email

logger = logging.getLogger(__name__)

# Messages handled per mailbox and run, so that one busy mailbox cannot starve the others.
BATCH_SIZE = 100
# How long a claim holds without renewal; renewed after each message, so it only has to
# outlast one fetch + ingest. A worker that dies frees the mailbox when the lease runs out.
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

    @property
    def fetched(self) -> int:
        return sum(self.outcomes.values())

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


def claim_mailbox(mailbox_id: int, worker_id: str) -> bool:
    """Take the mailbox for LEASE unless another worker holds an unexpired claim."""
    now = timezone.now()
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    claimed = ImapMailbox.objects.filter(free, pk=mailbox_id, enabled=True).update(
        claimed_until=now + LEASE, claimed_by=worker_id
    )
    return claimed == 1


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


def new_uids(client: IMAPClient, last_uid: int, batch_size: int) -> list[int]:
    # "N:*" always matches the highest UID, even when it is below N: filter again here.
    found = client.search(["UID", f"{last_uid + 1}:*"])
    return sorted(uid for uid in found if uid > last_uid)[:batch_size]


def fetch_raw(client: IMAPClient, uid: int) -> bytes | None:
    """The full message without setting \\Seen; None if it was expunged meanwhile."""
    response = client.fetch([uid], ["BODY.PEEK[]"])
    data = response.get(uid)
    if data is None:
        return None
    return bytes(data[b"BODY[]"])


def mark_done(client: IMAPClient, uid: int, move_to: str) -> None:
    """Flag the stored message \\Seen, or move it out of the polled folder."""
    if not move_to:
        client.add_flags([uid], [b"\\Seen"])
    elif client.has_capability("MOVE"):
        client.move([uid], move_to)
    else:
        move_without_move_command(client, uid, move_to)


def move_without_move_command(client: IMAPClient, uid: int, move_to: str) -> None:
    """RFC 6851's fallback for servers without MOVE: COPY, flag \\Deleted, EXPUNGE."""
    client.copy([uid], move_to)
    client.add_flags([uid], [b"\\Deleted", b"\\Seen"])
    if client.has_capability("UIDPLUS"):
        client.uid_expunge([uid])
    else:
        # Without UIDPLUS this also expunges messages the user had flagged \Deleted,
        # which is what their client would do on its next expunge anyway.
        client.expunge()


def ingest_one(client: IMAPClient, mailbox: ImapMailbox, uid: int, report: PollReport) -> None:
    raw = fetch_raw(client, uid)
    if raw is None:
        logger.info("IMAP mailbox %s: UID %s vanished before fetch", mailbox.pk, uid)
        return
    result = ingest_email(
        raw,
        campaign=mailbox.campaign,
        domain=mailbox.domain,
        source=f"imap:{mailbox.pk}:{uid}",
    )
    # Every outcome (created, appended, duplicate, quarantined, rejected) is a decision
    # that is durably recorded: the message may leave the folder's "new" set.
    report.outcomes[result.outcome] = report.outcomes.get(result.outcome, 0) + 1
    mark_done(client, uid, mailbox.move_to)


def poll_folder(
    client: IMAPClient, mailbox: ImapMailbox, worker_id: str, batch_size: int, report: PollReport
) -> None:
    if mailbox.move_to and not client.folder_exists(mailbox.move_to):
        client.create_folder(mailbox.move_to)
    selected = client.select_folder(mailbox.folder)
    report.notice = check_uid_validity(mailbox, int(selected[b"UIDVALIDITY"]))
    save_progress(mailbox, worker_id)
    for uid in new_uids(client, mailbox.last_uid, batch_size):
        ingest_one(client, mailbox, uid, report)
        # Advance after each message, so a crash resumes right after the last one stored.
        mailbox.last_uid = uid
        save_progress(mailbox, worker_id)


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
    return [
        poll_mailbox(mailbox, worker_id=worker_id, batch_size=batch_size)
        for mailbox in mailboxes.order_by("last_polled_at", "pk")
    ]
