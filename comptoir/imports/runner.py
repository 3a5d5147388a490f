"""The worker's side of imports: claim them with a lease, run them chunk by chunk, resumably
(the life of an import is in comptoir.imports.actions; docs/imports.md).

A chunk of a mail archive seeks to the saved cursor (the byte offset of the next mbox
message, the index of the next zip member), reads the next CHUNK_SIZE messages and files
them; a contacts chunk reads the CSV again and skips the `position` rows done. A chunk is ONE
transaction: what it filed, and the new position, cursor and counts, are committed together by
an UPDATE that only succeeds while this worker still holds the import and it was not
cancelled. A worker that dies in the middle of a chunk, or loses its lease, or whose import is
cancelled meanwhile, leaves nothing of that chunk: the next worker does it again with the same
outcomes, so each message is filed once and counted once.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import islice
from typing import BinaryIO, cast

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from comptoir.imports.actions import MAX_REPORTED_ERRORS, Tally, drop_refused_file
from comptoir.imports.archives import ArchiveError, Cursor, Item, read_archive
from comptoir.imports.contacts import ContactRow, CsvError, RowError, open_csv, parse_row
from comptoir.imports.models import ImportJob, ImportKind, ImportState
from comptoir.lib.claims import ROUND_SECONDS, Claim, Lease, Round, db_time
from comptoir.lib.text import clean
from comptoir.mail.batch import ingest_many
from comptoir.tickets.models import Contact

CHUNK_SIZE = 200
TABLE = ImportJob._meta.db_table


class LostImport(Exception):
    """The chunk cannot be saved: the import was cancelled or taken over meanwhile."""


IMPORTS = Claim(
    table=TABLE,
    sets="state = 'running', started_at = COALESCE(started_at, %s)",
    due="state = 'queued' OR (state = 'running' AND (claimed_until < %s OR claimed_by = %s))",
    order="created_at, id",
)


def claim_imports(worker: str, *, limit: int = 1, now: datetime | None = None) -> list[int]:
    """Claim queued imports, imports whose worker's lease expired, and this worker's own."""
    lease = Lease.start(worker, settings.COMPTOIR_IMPORT_LEASE, now)
    stamp = db_time(lease.now)
    return sorted(IMPORTS.take(lease, [stamp, stamp, worker], limit))


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
        return False  # finished, cancelled, or taken over after our lease expired
    with translation.override(job.language or settings.LANGUAGE_CODE):
        try:
            # The file is read (and counted, at the first chunk) before the transaction, so
            # that a long read never holds SQLite's write lock.
            work = read_chunk(job, chunk)
            with transaction.atomic():
                file_chunk(job, worker, work, finished=work.size < chunk)
        except LostImport:
            return False  # the chunk was rolled back
        except (ArchiveError, CsvError) as exc:
            fail_import(job, worker, str(exc))
            drop_refused_file(job)
            return False
        except OSError as exc:  # the stored file is gone or unreadable: retrying will not help
            fail_import(job, worker, _("cannot read the stored file: %(error)s") % {"error": exc})
            return False
    return work.size >= chunk  # a full chunk: more may remain


@dataclass
class Chunk:
    """The next items of an import, read from its file: messages or contacts rows."""

    total: int | None
    cursor: Cursor = field(default_factory=Cursor)
    messages: list[Item] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    rows: list[tuple[int, list[str]]] = field(default_factory=list)

    @property
    def size(self) -> int:
        return len(self.messages) + len(self.rows)


def read_chunk(job: ImportJob, chunk: int) -> Chunk:
    if job.kind == ImportKind.MAIL:
        return read_mail_chunk(job, chunk)
    return read_contacts_chunk(job, chunk)


def file_chunk(job: ImportJob, worker: str, work: Chunk, *, finished: bool) -> None:
    """File the chunk's items and save it, inside the caller's transaction; raises
    LostImport (rolling the chunk back) when the import is no longer this worker's."""
    if job.kind == ImportKind.MAIL:
        tally = ingest_chunk(job, work.messages)
    else:
        tally = import_contacts_rows(job, work)
    saved = save_chunk(job, worker, tally, total=work.total, cursor=work.cursor, finished=finished)
    if not saved:
        raise LostImport


def read_mail_chunk(job: ImportJob, chunk: int) -> Chunk:
    """The next messages of the archive, read from the saved cursor."""
    start = Cursor(job.resume_member, job.resume_offset, job.resume_number)
    with job.file.open("rb") as stored:
        handle = cast(BinaryIO, stored)
        total = job.total
        if total is None:  # the first chunk: one pass to count, for the progress bar
            total = count(read_archive(handle, job.filename))
        items: Iterator[Item] = read_archive(handle, job.filename, start)
        if job.position and start == Cursor():
            # Begun before cursors were saved: skip the messages done, this once.
            items = islice(items, job.position, None)
        messages = list(islice(items, chunk))
    cursor = messages[-1][3] if messages else start
    return Chunk(total=total, cursor=cursor, messages=messages)


def ingest_chunk(job: ImportJob, items: list[Item]) -> Tally:
    tally = Tally(done=len(items))
    for label, _raw, problem, _after in items:
        if problem:
            tally.fail(label, problem)
    good = [(label, raw) for label, raw, _problem, _after in items if raw is not None]
    # Archives never trigger automatic replies: their customers wrote long ago.
    for label, result in ingest_many(
        good, domain=job.campaign.domain, campaign=job.campaign, auto_reply=False
    ):
        tally.add_mail(label, result)
    return tally


def count(items: Iterator[object]) -> int:
    return sum(1 for _item in items)


def read_contacts_chunk(job: ImportJob, chunk: int) -> Chunk:
    """The next rows of the CSV. The first chunk reads the whole file to count its rows, so a
    file that breaks in the middle is refused before any row is imported."""
    with job.file.open("rb") as handle:
        content = handle.read()
    columns, rows = open_csv(content)
    total = job.total
    if total is None:
        total = count(open_csv(content)[1])
    chosen = list(islice(rows, job.position, job.position + chunk))
    return Chunk(total=total, columns=columns, rows=chosen)


def import_contacts_rows(job: ImportJob, work: Chunk) -> Tally:
    tally = Tally()
    columns = work.columns
    for number, cells in work.rows:
        tally.done += 1
        try:
            row = parse_row(columns, cells)
            if row is not None:
                outcome = import_contacts_row(job.domain_id, row)
                setattr(tally, outcome, getattr(tally, outcome) + 1)
        except RowError as exc:
            tally.fail(_("line %(number)s") % {"number": number}, str(exc))
    return tally


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
    job: ImportJob,
    worker: str,
    tally: Tally,
    *,
    total: int | None,
    cursor: Cursor,
    finished: bool,
) -> bool:
    """Add the chunk to the import, if this worker still holds it and it was not cancelled;
    save where the next chunk starts; renew the lease."""
    now = timezone.now()
    room = max(0, MAX_REPORTED_ERRORS - len(job.errors))
    changes: dict[str, object] = {
        "position": F("position") + tally.done,
        "total": total,
        "resume_member": cursor.member,
        "resume_offset": cursor.offset,
        "resume_number": cursor.number,
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
    ImportJob.objects.filter(pk=job.pk, claimed_by=worker, state=ImportState.RUNNING).update(
        state=ImportState.FAILED,
        last_error=clean(reason, 10_000),
        finished_at=timezone.now(),
        claimed_by="",
        claimed_until=None,
    )


def run_due_imports(worker: str, *, once: bool) -> int:
    """The worker's job: run claimed imports to the end (`once`), or for about a round
    (ROUND_SECONDS). Returns how many imports this call finished or left."""
    turn = Round(once=once, seconds=ROUND_SECONDS)
    handled = 0
    while ids := claim_imports(worker):
        for job_id in ids:
            while run_import_chunk(job_id, worker):
                if turn.over():
                    # It leaves the import for the other jobs, keeping the lease: resumed
                    # next round.
                    return handled + 1
            handled += 1
    return handled
