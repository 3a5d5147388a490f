"""Every state change of an import: queue it, claim it, run it chunk by chunk, record it.

Life of an import (docs/imports.md):

    queued --claim--> running --chunk, chunk, ...--> done
                         |---archive or file refused---> failed (last_error says why)
                         +--lease expired (the worker died)--> claimed again, resumed at `position`

A chunk reads the stored file again, skips the `position` items done before, handles the next
CHUNK_SIZE, then saves the position and the counts in one UPDATE that only succeeds while this
worker still holds the import. A worker that dies between handling a chunk and saving it leaves
the position where it was: the chunk is done again, and its messages come back as duplicates
(ingest is idempotent) and its contacts as updates; nothing is counted twice.
"""

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import islice
from typing import BinaryIO, cast

from django.conf import settings
from django.core.files import File
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from comptoir.campaigns.models import Campaign
from comptoir.imports.archives import ArchiveError, read_archive
from comptoir.imports.contacts import ContactRow, CsvError, RowError, open_csv, parse_row
from comptoir.imports.models import ImportJob, ImportKind, ImportState
from comptoir.lib.text import clean
from comptoir.mail.batch import ingest_many
from comptoir.mail.ingest import IngestResult
from comptoir.tenancy.models import User
from comptoir.tickets.models import Contact

CHUNK_SIZE = 200
# The error report keeps this many entries; the failed count goes on beyond it.
MAX_REPORTED_ERRORS = 10_000
# A long-running worker leaves its imports after this long, so that the other jobs get a turn;
# it keeps the lease and picks them up again next round.
ROUND_SECONDS = 20.0
TABLE = ImportJob._meta.db_table


@dataclass
class Tally:
    """What a run of messages or rows gave."""

    done: int = 0
    created: int = 0
    appended: int = 0
    duplicate: int = 0
    updated: int = 0
    failed: int = 0
    errors: list[dict[str, str]] = field(default_factory=list)

    def fail(self, item: str, reason: str) -> None:
        self.failed += 1
        self.errors.append({"item": item, "reason": clean(reason, 1000)})

    def add_mail(self, label: str, result: IngestResult) -> None:
        if result.outcome in ("created", "appended", "duplicate"):
            setattr(self, result.outcome, getattr(self, result.outcome) + 1)
        else:  # quarantined or rejected: stored, but in no ticket
            self.fail(label, f"{result.outcome}: {result.reason}")


def create_import(
    *,
    campaign: Campaign,
    user: User | None,
    kind: str,
    filename: str,
    content: File,
    worker: str = "",
) -> ImportJob:
    """Store the file and queue the import, or hand it straight to `worker` (a command that
    runs it at once). A contacts file is checked first: a file that cannot be a contacts CSV
    raises CsvError and nothing is stored."""
    if kind == ImportKind.CONTACTS:
        content.seek(0)
        open_csv(content.read())
        content.seek(0)
    job = ImportJob(
        domain_id=campaign.domain_id,
        campaign=campaign,
        created_by=user,
        kind=kind,
        filename=clean(filename, 1000),
    )
    if worker:
        job.state, job.claimed_by, job.started_at = ImportState.RUNNING, worker, timezone.now()
        job.claimed_until = job.started_at + timedelta(seconds=settings.COMPTOIR_IMPORT_LEASE)
    job.file.save(f"{kind}.upload", content, save=False)
    job.save()
    return job


def db_time(moment: datetime) -> str | datetime:
    value = connection.ops.adapt_datetimefield_value(moment)
    return value if isinstance(value, datetime) else str(value)


def claim_sql(limit: int) -> str:
    lock = " FOR UPDATE SKIP LOCKED" if connection.vendor == "postgresql" else ""
    return (
        f"UPDATE {TABLE} SET state = 'running', claimed_by = %s, claimed_until = %s, "
        "started_at = COALESCE(started_at, %s) "
        f"WHERE id IN (SELECT id FROM {TABLE} WHERE state = 'queued' "
        "OR (state = 'running' AND (claimed_until < %s OR claimed_by = %s)) "
        f"ORDER BY created_at, id LIMIT {int(limit)}{lock}) RETURNING id"
    )


def claim_imports(worker: str, *, limit: int = 1, now: datetime | None = None) -> list[int]:
    """Claim queued imports, imports whose worker's lease expired, and this worker's own."""
    now = now or timezone.now()
    until = now + timedelta(seconds=settings.COMPTOIR_IMPORT_LEASE)
    params = [worker, db_time(until), db_time(now), db_time(now), worker]
    with connection.cursor() as cursor:
        cursor.execute(claim_sql(limit), params)
        return sorted(row[0] for row in cursor.fetchall())


def held(job_id: int, worker: str) -> ImportJob | None:
    return (
        ImportJob.objects.select_related("campaign", "campaign__domain")
        .filter(pk=job_id, claimed_by=worker, state=ImportState.RUNNING)
        .first()
    )


def run_import_chunk(job_id: int, worker: str, *, chunk: int | None = None) -> bool:
    """Handle the next chunk of an import this worker holds; True while more remains."""
    chunk = chunk or CHUNK_SIZE
    job = held(job_id, worker)
    if job is None:
        return False  # finished, or taken over by another worker after our lease expired
    try:
        if job.kind == ImportKind.MAIL:
            tally, total = mail_chunk(job, chunk)
        else:
            tally, total = contacts_chunk(job, chunk)
    except (ArchiveError, CsvError) as exc:
        fail_import(job, worker, str(exc))
        return False
    except OSError as exc:  # the stored file is gone or unreadable: retrying will not help
        fail_import(job, worker, f"cannot read the stored file: {exc}")
        return False
    finished = tally.done < chunk
    saved = save_chunk(job, worker, tally, total=total, finished=finished)
    return saved and not finished


def mail_chunk(job: ImportJob, chunk: int) -> tuple[Tally, int | None]:
    tally = Tally()
    with job.file.open("rb") as stored:
        handle = cast(BinaryIO, stored)
        total = job.total
        if total is None:
            total = count(read_archive(handle, job.filename))
            handle.seek(0)
        items = list(islice(read_archive(handle, job.filename), job.position, job.position + chunk))
    tally.done = len(items)
    for label, _raw, problem in items:
        if problem:
            tally.fail(label, problem)
    good = [(label, raw) for label, raw, _problem in items if raw is not None]
    # Archives never trigger automatic replies: their customers wrote long ago.
    for label, result in ingest_many(
        good, domain=job.campaign.domain, campaign=job.campaign, auto_reply=False
    ):
        tally.add_mail(label, result)
    return tally, total


def count(items: Iterator[object]) -> int:
    return sum(1 for _item in items)


def contacts_chunk(job: ImportJob, chunk: int) -> tuple[Tally, int | None]:
    with job.file.open("rb") as handle:
        content = handle.read()
    columns, rows = open_csv(content)
    total = job.total
    if total is None:
        total = count(open_csv(content)[1])
    tally = Tally()
    for number, cells in islice(rows, job.position, job.position + chunk):
        tally.done += 1
        try:
            row = parse_row(columns, cells)
            if row is not None:
                outcome = import_contacts_row(job.domain_id, row)
                setattr(tally, outcome, getattr(tally, outcome) + 1)
        except RowError as exc:
            tally.fail(f"line {number}", str(exc))
    return tally, total


def import_contacts_row(domain_id: int, row: ContactRow) -> str:
    """Create or update the domain's contact for this row, in one transaction: a row is
    saved whole or not at all. Empty cells leave what is known unchanged."""
    with transaction.atomic():
        contact = Contact.objects.select_for_update().filter(domain_id=domain_id, email=row.email)
        found = contact.first()
        if found is None:
            Contact.objects.create(
                domain_id=domain_id,
                email=row.email,
                name=row.name,
                language=row.language,
                extra=row.extra,
            )
            return "created"
        found.name = row.name or found.name
        found.language = row.language or found.language
        found.extra = {**(found.extra or {}), **row.extra}
        found.save(update_fields=["name", "language", "extra"])
        return "updated"


def save_chunk(
    job: ImportJob, worker: str, tally: Tally, *, total: int | None, finished: bool
) -> bool:
    """Add the chunk to the import, if this worker still holds it; renew the lease."""
    now = timezone.now()
    room = max(0, MAX_REPORTED_ERRORS - len(job.errors))
    changes: dict[str, object] = {
        "position": F("position") + tally.done,
        "total": total,
        "created_count": F("created_count") + tally.created,
        "appended_count": F("appended_count") + tally.appended,
        "duplicate_count": F("duplicate_count") + tally.duplicate,
        "updated_count": F("updated_count") + tally.updated,
        "failed_count": F("failed_count") + tally.failed,
        "errors": [*job.errors, *tally.errors[:room]],
        "claimed_until": now + timedelta(seconds=settings.COMPTOIR_IMPORT_LEASE),
    }
    if finished:
        changes.update(state=ImportState.DONE, finished_at=now, claimed_by="", claimed_until=None)
    mine = ImportJob.objects.filter(pk=job.pk, claimed_by=worker, state=ImportState.RUNNING)
    return mine.update(**changes) == 1


def fail_import(job: ImportJob, worker: str, reason: str) -> None:
    ImportJob.objects.filter(pk=job.pk, claimed_by=worker).update(
        state=ImportState.FAILED,
        last_error=clean(reason, 10_000),
        finished_at=timezone.now(),
        claimed_by="",
        claimed_until=None,
    )


def run_due_imports(worker: str, *, once: bool) -> int:
    """The worker's job: run claimed imports to the end (`once`), or for about ROUND_SECONDS.
    Returns how many imports this call finished or left."""
    deadline = time.monotonic() + ROUND_SECONDS
    handled = 0
    while ids := claim_imports(worker):
        for job_id in ids:
            while run_import_chunk(job_id, worker):
                if not once and time.monotonic() > deadline:
                    return handled + 1  # keeps its lease; resumed next round
            handled += 1
    return handled


def import_job(worker_id: str, once: bool) -> object:
    """`comptoir worker`'s job (ops.management.commands.worker.JOBS)."""
    return run_due_imports(worker_id, once=once)


def start_command_import(*, campaign: Campaign, kind: str, filename: str) -> ImportJob:
    """The history entry of an import run at once by a command (no file kept, no worker)."""
    now = timezone.now()
    return ImportJob.objects.create(
        domain_id=campaign.domain_id,
        campaign=campaign,
        kind=kind,
        filename=clean(filename, 1000),
        state=ImportState.RUNNING,
        started_at=now,
        created_at=now,
    )


def finish_command_import(job: ImportJob, tally: Tally, *, error: str = "") -> None:
    job.position = job.total = tally.done
    job.created_count, job.appended_count = tally.created, tally.appended
    job.duplicate_count, job.updated_count = tally.duplicate, tally.updated
    job.failed_count = tally.failed
    job.errors = tally.errors[:MAX_REPORTED_ERRORS]
    job.state = ImportState.FAILED if error else ImportState.DONE
    job.last_error = clean(error, 10_000)
    job.finished_at = timezone.now()
    job.save()
