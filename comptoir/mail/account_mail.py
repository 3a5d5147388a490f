"""The queue of emails to the domain's own users (invitations, password resets), sent by the
worker (`comptoir worker`, job `account-mail`): the request that asks for one only stores it
(tenancy.actions.queue_password_email), so it succeeds even while the SMTP server is down.

    queued --claim--> sending --accepted--> sent
       ^                 |---4xx, refused, timeout---> queued again, later (backoff)
       |                 |---5xx, too many attempts, the link expired---> failed (why, kept)
       +--lease expired--+  (the worker died: another worker takes the message over)

Like the outbox of customers' replies (mail.outbox), and with its settings (retries
COMPTOIR_OUTBOX_RETRY_BASE, _CAP, _MAX_ATTEMPTS; lease COMPTOIR_OUTBOX_LEASE): rows are
claimed by one statement (lib.claims: `FOR UPDATE SKIP LOCKED` on PostgreSQL, SQLite's write
lock otherwise), so any number of workers can run; a message is marked sent right after the
server accepted it. It is handed to Django's default mailer (MAILERS["default"]:
mail.mailer, i.e. COMPTOIR_SMTP_URL, or the worker's console without one), keeping the
Message-ID it was given when queued. Once sent or given up, its body (which holds a link that
sets a password) is blanked.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives, mailers

from comptoir.lib.claims import Claim, Lease, Round, clock, db_time
from comptoir.lib.text import clean
from comptoir.mail.outbox import retry_delay
from comptoir.mail.transport import SendFailure
from comptoir.tenancy.models import AccountEmail, AccountEmailKind, AccountEmailState

logger = logging.getLogger(__name__)

BATCH_SIZE = 20
# A scheduled report not delivered within a week is stale: the next one is on its way.
REPORT_LIFETIME = timedelta(days=7)


@dataclass
class AccountMailReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0


ACCOUNT_MAIL = Claim(
    table=AccountEmail._meta.db_table,
    sets="state = 'sending', attempts = attempts + 1",
    due=(
        "(state = 'queued' AND next_attempt_at <= %s) OR (state = 'sending' AND claimed_until < %s)"
    ),
    order="next_attempt_at, id",
)


def claim(
    worker: str, limit: int = BATCH_SIZE, *, now: datetime | None = None
) -> list[AccountEmail]:
    """Claim up to `limit` due messages for this worker (one attempt counted on each)."""
    lease = Lease.start(worker, settings.COMPTOIR_OUTBOX_LEASE, now)
    ids = ACCOUNT_MAIL.take(lease, [db_time(lease.now)] * 2, limit)
    claimed = AccountEmail.objects.filter(pk__in=ids, claimed_by=worker)
    return list(claimed.order_by("next_attempt_at", "pk"))


def finish(item: AccountEmail, worker: str, **fields: object) -> bool:
    """Record an outcome if this worker still holds the message; False when it does not."""
    held = AccountEmail.objects.filter(
        pk=item.pk, claimed_by=worker, state=AccountEmailState.SENDING
    )
    return held.update(claimed_by="", claimed_until=None, **fields) == 1


def lifetime(item: AccountEmail) -> timedelta:
    """How long the mailed link stays valid: past that, sending it would be useless."""
    if item.kind == AccountEmailKind.INVITATION:
        return timedelta(days=settings.COMPTOIR_INVITATION_DAYS)
    if item.kind == AccountEmailKind.REPORT:
        return REPORT_LIFETIME
    return timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)


def as_email(item: AccountEmail) -> EmailMessage:
    headers = {"Message-ID": item.message_id}
    if not item.html_body and not item.attachment:
        to = [item.to_email]
        return EmailMessage(item.subject, item.body, item.from_email, to, headers=headers)
    email = EmailMultiAlternatives(
        item.subject, item.body, item.from_email, [item.to_email], headers=headers
    )
    if item.html_body:
        email.attach_alternative(item.html_body, "text/html")
    if item.attachment:
        email.attach(item.attachment_name, item.attachment, "text/csv; charset=utf-8")
    return email


def as_failure(error: Exception) -> SendFailure:
    """Our transport says what failed; any other mailer's error is taken as transient."""
    if isinstance(error, SendFailure):
        return error
    return SendFailure(f"{type(error).__name__}: {error}", permanent=False, connection=True)


def give_up(item: AccountEmail, worker: str, text: str, report: AccountMailReport) -> None:
    logger.warning("account mail %s to %s given up: %s", item.pk, item.to_email, text)
    blank = {"body": "", "html_body": "", "attachment": ""}
    finish(item, worker, state=AccountEmailState.FAILED, error=clean(text), **blank)
    report.failed += 1


def record_failure(
    item: AccountEmail,
    worker: str,
    failure: SendFailure,
    report: AccountMailReport,
    *,
    now: datetime,
) -> None:
    limit = settings.COMPTOIR_OUTBOX_MAX_ATTEMPTS
    if failure.permanent:
        give_up(item, worker, failure.text, report)
        return
    if item.attempts >= limit:
        give_up(item, worker, f"gave up after {limit} attempts: {failure.text}", report)
        return
    retry_at = now + timedelta(seconds=retry_delay(item.attempts))
    fields = {"state": AccountEmailState.QUEUED, "next_attempt_at": retry_at}
    finish(item, worker, error=clean(failure.text), **fields)
    report.retried += 1


def send_one(item: AccountEmail, worker: str, now: datetime, report: AccountMailReport) -> bool:
    """Send one claimed message; False when the server could not be reached."""
    if item.created_at + lifetime(item) < now:
        give_up(item, worker, "the link expired before the mail could be delivered", report)
        return True
    try:
        mailers.default.send_messages([as_email(item)])
    except Exception as error:  # whatever the mailer raises is recorded, then retried
        failure = as_failure(error)
        logger.warning("account mail %s not sent: %s", item.pk, failure.text)
        record_failure(item, worker, failure, report, now=now)
        return not failure.connection
    sent = {"state": AccountEmailState.SENT, "sent_at": now, "error": ""}
    finish(item, worker, body="", html_body="", attachment="", **sent)
    report.sent += 1
    return True


def send_batch(
    batch: list[AccountEmail], worker: str, report: AccountMailReport, now: Callable[[], datetime]
) -> bool:
    """False when the server could not be reached: the rest of the batch fails the same way
    (one attempt each, retried later) and the round ends. `now`: the pass's clock."""
    for index, item in enumerate(batch):
        if not send_one(item, worker, now(), report):
            failure = SendFailure("the mail server could not be reached", permanent=False)
            for rest in batch[index + 1 :]:
                record_failure(rest, worker, failure, report, now=now())
            return False
    return True


def send_due(worker: str, *, once: bool = False, now: datetime | None = None) -> AccountMailReport:
    """Send what is due. `once`: until nothing is due; otherwise at most a round
    (lib.claims.ROUND_SECONDS). `now`: the time the pass starts at, as for the outbox."""
    report = AccountMailReport()
    turn, moment = Round(once=once), clock(now)
    while not turn.over():
        batch = claim(worker, now=moment())
        if not batch or not send_batch(batch, worker, report, moment):
            break
    if report.sent or report.retried or report.failed:
        logger.info(
            "account mail: %d sent, %d to retry, %d failed",
            report.sent,
            report.retried,
            report.failed,
        )
    return report
