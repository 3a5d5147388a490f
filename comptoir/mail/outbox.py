"""The outbox: sends queued outbound messages, durably, from any number of workers.

Life of an outbound message (tickets.outbound stores it `queued`, raw bytes included):

    queued --claim--> sending --250--> sent
       ^                 |---4xx, refused, timeout---> queued again, later (backoff)
       |                 |---5xx, or too many attempts---> failed (the server's answer kept)
       +--lease expired--+  (the worker died: another worker takes the message over)

Claiming is one atomic statement (lib.claims: `UPDATE … WHERE id IN (SELECT … FOR UPDATE
SKIP LOCKED)` on PostgreSQL, the same UPDATE on SQLite, one writer at a time). Claimed rows
get the worker's name and a lease (COMPTOIR_OUTBOX_LEASE, longer than any send can take); a
worker stops starting new sends before its lease ends, so two live workers never hold one
message.

The duplicate window: a message is marked sent right after the server's 250 answer to its
DATA, one UPDATE later. If the worker (or the database) dies inside that window, which
lasts about a millisecond, the message stays `sending`; when its lease expires another
worker sends it again. The copy carries the same Message-ID, so the recipient's mail
client and most servers show it once (this is the classic SMTP duplicate window, RFC 1047).
A worker that dies before the 250 leaves nothing delivered: the retry is the only copy.
"""

import json
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

from comptoir.lib.claims import Claim, Lease, Round, clock, db_time
from comptoir.lib.shutdown import stopping
from comptoir.lib.text import clean
from comptoir.mail.transport import SendFailure, Transport, open_transport, parse_smtp_url
from comptoir.tickets.actions import record_event, storable
from comptoir.tickets.delivery_problems import Problem
from comptoir.tickets.models import DeliveryState, EventKind, Message, RawMessage, Ticket

logger = logging.getLogger(__name__)

BATCH_SIZE = 50
TABLE = Message._meta.db_table
RAW_TABLE = RawMessage._meta.db_table


@dataclass
class Claimed:
    id: int
    domain_id: int
    ticket_id: int
    attempts: int
    sender: str
    recipients: list[str]
    raw: bytes


@dataclass
class OutboxReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    released: int = 0
    errors: list[str] = field(default_factory=list)


OUTBOX = Claim(
    table=TABLE,
    sets="delivery_state = 'sending', delivery_attempts = delivery_attempts + 1",
    due=(
        "delivery_state IN ('queued', 'sending') AND next_attempt_at IS NOT NULL "
        "AND ((delivery_state = 'queued' AND next_attempt_at <= %s) "
        "OR (delivery_state = 'sending' AND claimed_until < %s))"
    ),
    order="next_attempt_at, id",
)


def claim(
    worker: str, limit: int = BATCH_SIZE, *, now: datetime | None = None
) -> tuple[list[Claimed], datetime]:
    """Claim up to `limit` due messages for this worker; (messages, end of the lease)."""
    lease = Lease.start(worker, settings.COMPTOIR_OUTBOX_LEASE, now)
    ids = OUTBOX.take(lease, [db_time(lease.now)] * 2, limit)
    if not ids:
        return [], lease.until
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT m.id, m.domain_id, m.ticket_id, m.delivery_attempts, r.envelope_from, "
            f"r.envelope_to, r.content FROM {TABLE} m JOIN {RAW_TABLE} r ON r.id = m.raw_id "
            f"WHERE m.id IN ({marks}) ORDER BY m.next_attempt_at, m.id",
            ids,
        )
        rows = cursor.fetchall()
    return [
        Claimed(
            id=row[0],
            domain_id=row[1],
            ticket_id=row[2],
            attempts=row[3],
            sender=row[4],
            recipients=json_list(row[5]),
            raw=bytes(row[6]),
        )
        for row in rows
    ], lease.until


def json_list(value: object) -> list[str]:
    """A JSON column read by raw SQL: text on SQLite, text or decoded on PostgreSQL."""
    if isinstance(value, str | bytes):
        value = json.loads(value)
    return [str(v) for v in value] if isinstance(value, list) else []


FINISH_SQL = (
    f"UPDATE {TABLE} SET delivery_state = %s, delivery_error = %s, delivery_problem = %s, "
    "next_attempt_at = %s, sent_at = %s, claimed_by = '', claimed_until = NULL "
    "WHERE id = %s AND claimed_by = %s AND delivery_state = 'sending'"
)


def finish(
    item: Claimed,
    worker: str,
    state: str,
    error: str = "",
    *,
    problem: Problem | None = None,
    retry_at: datetime | None = None,
    sent_at: datetime | None = None,
) -> bool:
    """Record a send's outcome, if this worker still holds the message (one autocommit
    UPDATE). False when it does not: a bounce marked it failed meanwhile, for instance.
    `error`: the technical English; `problem`: the same, said in the reader's language."""
    params = [
        state,
        clean(error),
        json.dumps(storable(problem)) if problem else None,
        db_time(retry_at) if retry_at else None,
        db_time(sent_at) if sent_at else None,
        item.id,
        worker,
    ]
    with connection.cursor() as cursor:
        cursor.execute(FINISH_SQL, params)
        return cursor.rowcount == 1


def retry_delay(attempts: int) -> float:
    """Seconds before the next try: exponential, capped, with a little jitter."""
    base = settings.COMPTOIR_OUTBOX_RETRY_BASE * 2 ** max(attempts - 1, 0)
    delay = min(base, settings.COMPTOIR_OUTBOX_RETRY_CAP)
    return delay * random.uniform(0.9, 1.1)


def record_failure(
    item: Claimed, worker: str, failure: SendFailure, report: OutboxReport, *, now: datetime
) -> None:
    limit = settings.COMPTOIR_OUTBOX_MAX_ATTEMPTS
    if not failure.permanent and item.attempts < limit:
        retry_at = now + timedelta(seconds=retry_delay(item.attempts))
        problem = failure.problem
        finish(item, worker, DeliveryState.QUEUED, failure.text, problem=problem, retry_at=retry_at)
        report.retried += 1
        return
    text, problem = failure.text, failure.problem
    if not failure.permanent:
        text = f"gave up after {limit} attempts: {failure.text}"
        problem = {"kind": "gave-up", "attempts": limit, "cause": failure.problem}
    if finish(item, worker, DeliveryState.FAILED, text, problem=problem):
        gave_up = {} if failure.permanent else {"attempts": limit}
        delivery_event(
            item, EventKind.DELIVERY_FAILED, error=failure.text, problem=failure.problem, **gave_up
        )
    report.failed += 1


def delivery_event(item: Claimed, kind: EventKind, **data: Any) -> None:
    """The claimed message's ticket's history (known by id only: not read for this)."""
    ticket = Ticket(pk=item.ticket_id, domain_id=item.domain_id)
    message = Message(pk=item.id, domain_id=item.domain_id, ticket_id=item.ticket_id)
    record_event(ticket=ticket, message=message, kind=kind, rule="smtp", **data)


def refused_text(refused: dict[str, str]) -> str:
    return "refused for " + "; ".join(f"{r}: {why}" for r, why in refused.items())


def send_claimed(
    transport: Transport,
    batch: list[Claimed],
    worker: str,
    until: datetime,
    report: OutboxReport,
    now: Callable[[], datetime] = timezone.now,
) -> bool:
    """Send a claimed batch over one connection; what cannot be started in time goes back.
    False when the server could not be reached (the round should end). `now`: the pass's
    clock (lib.claims.clock)."""
    # Stop starting sends well before the lease ends (one SMTP timeout of margin).
    deadline = until - timedelta(seconds=min(120, settings.COMPTOIR_OUTBOX_LEASE / 2))
    sent_on_connection = 0
    for index, item in enumerate(batch):
        # Near the lease's end, or the worker asked to stop: what was not tried goes back.
        if now() >= deadline or stopping():
            release(batch[index:], worker, report, now=now())
            return True
        try:
            refused = transport.send(item.sender, item.recipients, item.raw)
        except SendFailure as failure:
            logger.warning("outbox: message %s not sent: %s", item.id, failure.text)
            report.errors.append(failure.text)
            record_failure(item, worker, failure, report, now=now())
            if not failure.connection:
                continue
            if sent_on_connection:
                # The server ended a session that worked (a per-connection message limit,
                # a 421): the rest was never tried; it goes back, due now, on a new connection.
                release(batch[index + 1 :], worker, report, now=now())
                return True
            for rest in batch[index + 1 :]:  # unreachable: every other would fail the same way
                record_failure(rest, worker, failure, report, now=now())
            return False
        sent_on_connection += 1
        mark_sent(item, worker, refused, report, now=now())
    return True


def mark_sent(
    item: Claimed, worker: str, refused: dict[str, str], report: OutboxReport, *, now: datetime
) -> None:
    error = refused_text(refused) if refused else ""
    problem = {"kind": "partial", "refused": refused} if refused else None
    held = finish(item, worker, DeliveryState.SENT, error, problem=problem, sent_at=now)
    if held and refused:
        delivery_event(item, EventKind.DELIVERY_PARTIAL, refused=refused)
    report.sent += 1


def release(items: list[Claimed], worker: str, report: OutboxReport, *, now: datetime) -> None:
    """Give claimed messages back, untried: due now, the attempt not counted."""
    with connection.cursor() as cursor:
        for item in items:
            cursor.execute(
                f"UPDATE {TABLE} SET delivery_state = 'queued', next_attempt_at = %s, "
                "delivery_attempts = delivery_attempts - 1, claimed_by = '', "
                "claimed_until = NULL WHERE id = %s AND claimed_by = %s "
                "AND delivery_state = 'sending'",
                [db_time(now), item.id, worker],
            )
    report.released += len(items)


def send_due(
    worker: str,
    *,
    once: bool = False,
    batch_size: int = BATCH_SIZE,
    now: datetime | None = None,
) -> OutboxReport:
    """Send what is due. `once`: until nothing is due; otherwise at most a round
    (lib.claims.ROUND_SECONDS). `now`: the time the pass starts at (tests fix it); it runs on
    from there as seconds pass."""
    report = OutboxReport()
    if not settings.COMPTOIR_SMTP_URL:
        return report
    config = parse_smtp_url(settings.COMPTOIR_SMTP_URL)
    transport = open_transport(config)
    turn, moment = Round(once=once), clock(now)
    try:
        while not turn.over():
            batch, until = claim(worker, batch_size, now=moment())
            if not batch or not send_claimed(transport, batch, worker, until, report, moment):
                break
    finally:
        transport.close()
    if report.sent or report.retried or report.failed:
        logger.info(
            "outbox via %s: %d sent, %d to retry, %d failed",
            config.describe(),
            report.sent,
            report.retried,
            report.failed,
        )
    return report
