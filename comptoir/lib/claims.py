"""Claiming background work, one way for every worker: the outbox, account mail, imports,
IMAP mailboxes and play's tickets.

A claim is one statement, so that it is atomic on its own (no transaction needed):

    UPDATE t SET claimed_by = <worker>, claimed_until = <end of the lease>, <more>
    WHERE id IN (SELECT id FROM t WHERE <due> ORDER BY <order> LIMIT <batch>
                 FOR UPDATE SKIP LOCKED)
    RETURNING id

- PostgreSQL: SKIP LOCKED passes over the rows another worker is claiming at this instant
  instead of waiting for them, so workers never queue behind each other nor get one row twice.
- SQLite has no row locks (nor the clause): a writing statement holds the database's write
  lock, and Comptoir's transactions BEGIN IMMEDIATE, so claims take turns and the second sees
  the first one's rows as held.
- One row (`limit=1`, play) is `id = (SELECT … LIMIT 1)`: PostgreSQL runs the scalar
  subquery once, then updates by primary key (the plan play's benchmark was tuned on).

The lease: a claimed row is its worker's until `claimed_until`; each `due` condition
includes the rows whose lease ran out, so the work of a worker that died is taken over. What
a worker writes afterwards is conditional on `claimed_by` still naming it.

Times are the worker's (`now`, given by tests, else the current time), converted for the
backend (`db_time`): raw SQL bypasses the ORM's conversion.
"""

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from django.db import connection
from django.utils import timezone

from comptoir.lib.shutdown import stopping

# A long-running worker's turn at one job (outbox, account mail, imports), after which it
# goes on to the others; `once` (cron, tests) runs a job until nothing is due.
ROUND_SECONDS = 20.0

type Param = str | int | bool | datetime | None


def db_time(moment: datetime) -> str | datetime:
    """A datetime as the backend stores it (raw SQL bypasses the ORM's conversion)."""
    value = connection.ops.adapt_datetimefield_value(moment)
    return value if isinstance(value, datetime) else str(value)


def skip_locked(vendor: str) -> str:
    """The clause where the backend has it; SQLite serialises writers instead."""
    return " FOR UPDATE SKIP LOCKED" if vendor == "postgresql" else ""


@dataclass(frozen=True)
class Lease:
    """Who claims, at what time, and until when the claimed rows stay theirs."""

    worker: str | int
    now: datetime
    until: datetime

    @classmethod
    def start(cls, worker: str | int, seconds: float, now: datetime | None = None) -> "Lease":
        now = now or timezone.now()
        return cls(worker, now, now + timedelta(seconds=seconds))


@dataclass(frozen=True)
class Claim:
    """The claim statement of one kind of work. `due` and `sets` hold `%s` placeholders,
    filled by `params` (those of `sets` first); `order` is an ORDER BY list."""

    table: str
    due: str
    order: str
    sets: str = ""
    holder: str = "claimed_by"
    until: str = "claimed_until"

    def sql(self, limit: int) -> str:
        return statement(self, int(limit), connection.vendor)

    def take(self, lease: Lease, params: Sequence[Param], limit: int) -> list[int]:
        """Claim up to `limit` due rows for the lease's worker; their ids, in no set order."""
        with connection.cursor() as cursor:
            cursor.execute(self.sql(limit), [lease.worker, db_time(lease.until), *params])
            return [row[0] for row in cursor.fetchall()]


@cache
def statement(claim: Claim, limit: int, vendor: str) -> str:
    """Built once per claim, batch size and backend: play runs it on every ticket served."""
    sets = f", {claim.sets}" if claim.sets else ""
    rows = "=" if limit == 1 else "IN"
    return (
        f"UPDATE {claim.table} SET {claim.holder} = %s, {claim.until} = %s{sets} "
        f"WHERE id {rows} (SELECT id FROM {claim.table} WHERE {claim.due} "
        f"ORDER BY {claim.order} LIMIT {limit}{skip_locked(vendor)}) RETURNING id"
    )


def clock(start: datetime | None = None) -> Callable[[], datetime]:
    """The time a worker's pass runs on: from `start` (tests give one) or the current time,
    advancing with the monotonic clock, so a pass given a fixed `now` still sees its lease
    run out as the seconds pass."""
    origin = start or timezone.now()
    began = time.monotonic()
    return lambda: origin + timedelta(seconds=time.monotonic() - began)


class Round:
    """A worker's turn at a job: ROUND_SECONDS, or until the work is done when `once`; over
    at once when the process is asked to stop (lib.shutdown), so a stop never waits for the
    work in hand, only for the batch being done."""

    def __init__(self, *, once: bool, seconds: float = ROUND_SECONDS) -> None:
        self.deadline = None if once else time.monotonic() + seconds

    def over(self) -> bool:
        if stopping():
            return True
        return self.deadline is not None and time.monotonic() >= self.deadline
