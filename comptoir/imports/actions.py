"""Every state change of an import but the worker's chunks (comptoir.imports.runner): queue
it, cancel it, run it again, delete its file when the retention is over, record an import a
command ran at once.

Life of an import (docs/imports.md):

    queued --claim--> running --chunk, chunk, ...--> done
       |                 |---archive or file refused---> failed (last_error says why; the
       |                 |                               file is deleted at once)
       |                 |---lease expired (the worker died)--> claimed again, resumed
       +-----------------+---cancel--> cancelled (at the next chunk boundary)
    done, failed, cancelled --re-run--> a new queued import of the same stored file
    ended + COMPTOIR_IMPORT_RETENTION_DAYS --> the file is deleted; the entry stays
"""

import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files import File
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from comptoir.campaigns.models import Campaign
from comptoir.imports.contacts import open_csv
from comptoir.imports.models import ACTIVE_STATES, ImportJob, ImportKind, ImportState
from comptoir.lib.text import clean
from comptoir.mail.ingest import IngestResult
from comptoir.mail.reasons import in_words
from comptoir.tenancy.models import User

# The error report keeps this many entries; the failed count goes on beyond it.
MAX_REPORTED_ERRORS = 10_000


class ImportRefused(Exception):
    """An action that does not apply to this import (the message says why, translated)."""


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
        elif result.outcome == "rejected":  # stored, but in no ticket
            self.fail(label, _("rejected: %(reason)s") % {"reason": in_words(result.reason)})
        else:
            # The report's language is active (imports.runner): the reason is said in it.
            self.fail(label, _("quarantined: %(reason)s") % {"reason": in_words(result.reason)})


def report_language(user: User | None, campaign: Campaign) -> str:
    """The error report speaks the language of who started the import."""
    if user is not None:
        return user.language or campaign.domain.language
    return campaign.domain.language


def create_import(
    *,
    campaign: Campaign,
    user: User | None,
    kind: str,
    filename: str,
    content: File,
    worker: str = "",
    language: str = "",
) -> ImportJob:
    """Store the file and queue the import, or hand it straight to `worker` (a command that
    runs it at once). A contacts file is checked first: a file that cannot be a contacts CSV
    raises CsvError and nothing is stored. The error report is written in `language`, by
    default the user's (or the domain's)."""
    language = language or report_language(user, campaign)
    if kind == ImportKind.CONTACTS:
        content.seek(0)
        with translation.override(language):
            open_csv(content.read())
        content.seek(0)
    job = ImportJob(
        domain_id=campaign.domain_id,
        campaign=campaign,
        created_by=user,
        kind=kind,
        filename=clean(filename, 1000),
        language=language,
    )
    if worker:
        job.state, job.claimed_by, job.started_at = ImportState.RUNNING, worker, timezone.now()
        job.claimed_until = job.started_at + timedelta(seconds=settings.COMPTOIR_IMPORT_LEASE)
    job.file.save(f"{kind}.upload", content, save=False)
    try:
        job.save()
    except BaseException:
        job.file.delete(save=False)  # no history entry: no file either
        raise
    return job


def cancel_import(job: ImportJob, *, now: datetime | None = None) -> bool:
    """Stop a queued or running import. A running one stops at a chunk boundary: on
    PostgreSQL the chunk in hand can no longer be saved and is rolled back; on SQLite this
    waits for that chunk's transaction. Either way the counts are those of the chunks saved.
    False when the import had already ended, or is a `comptoir ingest` run (no stored
    file: that command does not stop at anyone's request)."""
    now = now or timezone.now()
    mine = ImportJob.objects.filter(pk=job.pk, state__in=ACTIVE_STATES).exclude(file="")
    stopped = mine.update(
        state=ImportState.CANCELLED, finished_at=now, claimed_by="", claimed_until=None
    )
    return stopped == 1


def rerun_import(job: ImportJob, *, user: User | None) -> ImportJob:
    """Import the same stored file again, from its start, as a new entry of the history (the
    first one keeps its counts). What was imported before comes back as duplicates (contacts
    as updates): nothing is created twice. Raises ImportRefused while the import runs, or
    once its file was deleted."""
    if job.is_active:
        raise ImportRefused(_("This import is still running: cancel it first."))
    if not job.file.name or not job.file.storage.exists(job.file.name):
        raise ImportRefused(_("The file of this import is no longer available."))
    return ImportJob.objects.create(
        domain_id=job.domain_id,
        campaign_id=job.campaign_id,
        created_by=user,
        kind=job.kind,
        filename=job.filename,
        file=job.file.name,
        language=report_language(user, job.campaign) if user else job.language,
        rerun_of=job,
    )


def purge_import_files(*, now: datetime | None = None) -> int:
    """Delete the files of imports that ended more than COMPTOIR_IMPORT_RETENTION_DAYS ago
    (0 keeps them forever). The history entries and their error reports stay. A file shared
    by a re-run is kept until every import of it is past the retention. Returns how many
    files were deleted."""
    days = settings.COMPTOIR_IMPORT_RETENTION_DAYS
    if days <= 0:
        return 0
    now = now or timezone.now()
    cutoff = now - timedelta(days=days)
    with_file = ImportJob.objects.exclude(file="")
    kept = Q(state__in=ACTIVE_STATES) | Q(finished_at__isnull=True) | Q(finished_at__gte=cutoff)
    still_used = with_file.filter(kept).values("file")
    expired = with_file.filter(finished_at__lt=cutoff).exclude(file__in=still_used)
    names = list(expired.order_by("file").values_list("file", flat=True).distinct()[:1000])
    storage = ImportJob._meta.get_field("file").storage
    for name in names:
        # The file first: a worker that dies before the UPDATE finds the entry again next
        # time (deleting a missing file does nothing).
        storage.delete(name)
        ImportJob.objects.filter(file=name).update(file="", file_deleted_at=now)
    return len(names)


def drop_refused_file(job: ImportJob) -> None:
    """A file refused as a whole (a zip bomb, not a CSV) is deleted at once: it can give
    nothing, a re-run would refuse it again."""
    if job.file and not ImportJob.objects.filter(file=job.file.name).exclude(pk=job.pk).exists():
        job.file.delete(save=False)
    ImportJob.objects.filter(pk=job.pk).update(file="", file_deleted_at=timezone.now())


def import_job(worker_id: str, once: bool) -> object:
    """`comptoir worker`'s imports job (ops.management.commands.worker.JOBS)."""
    # Imported here: the runner builds on this module's Tally.
    from comptoir.imports.runner import run_due_imports

    return run_due_imports(worker_id, once=once)


# A worker looks for files past their retention at most this often (and at every --once).
RETENTION_EVERY = 600.0
_last_purge: list[float] = []


def import_retention_job(worker_id: str, once: bool) -> object:
    """`comptoir worker`'s periodic job: delete the files past COMPTOIR_IMPORT_RETENTION_DAYS.
    Any number of workers may run it: deleting a file twice is harmless."""
    if not once and _last_purge and time.monotonic() - _last_purge[-1] < RETENTION_EVERY:
        return 0
    _last_purge[:] = [time.monotonic()]
    return purge_import_files()


def start_command_import(*, campaign: Campaign, kind: str, filename: str) -> ImportJob:
    """The history entry of an import run at once by a command (no file kept, no worker).
    Its reasons are written in the command's language (LANGUAGE_CODE)."""
    now = timezone.now()
    return ImportJob.objects.create(
        domain_id=campaign.domain_id,
        campaign=campaign,
        language=translation.get_language() or settings.LANGUAGE_CODE,
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
