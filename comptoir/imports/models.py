"""The import history: every mail archive or contacts file imported into a campaign."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comptoir.campaigns.models import Campaign
from comptoir.tenancy.models import Domain


class ImportKind(models.TextChoices):
    MAIL = "mail", _("Mail archive")
    CONTACTS = "contacts", _("Contacts (CSV)")


class ImportState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


ACTIVE_STATES = (ImportState.QUEUED, ImportState.RUNNING)


class ImportJob(models.Model):
    """One import: queued by the UI (the worker runs it, chunk by chunk, resumably) or
    recorded by a command that ran it at once. `position` counts the messages or rows done;
    `resume_*` say where the next chunk of a mail archive starts reading (archives.Cursor)."""

    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="imports")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="imports")
    # Null when the import came from the command line.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=16, choices=ImportKind.choices)
    filename = models.CharField(max_length=1000)
    # Emptied when the file is deleted (retention, or a file refused as a whole): see
    # file_deleted_at. A re-run shares its original's file.
    file = models.FileField(upload_to="imports/%Y/%m/", blank=True, max_length=500)
    file_deleted_at = models.DateTimeField(null=True, blank=True)
    # The language of the error report: the one of who started the import.
    language = models.CharField(max_length=8, blank=True)
    rerun_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reruns"
    )
    state = models.CharField(max_length=16, choices=ImportState.choices, default=ImportState.QUEUED)
    position = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(null=True, blank=True)
    resume_member = models.PositiveIntegerField(default=0)
    resume_offset = models.PositiveBigIntegerField(default=0)
    resume_number = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    appended_count = models.PositiveIntegerField(default=0)
    duplicate_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    failed_count = models.PositiveIntegerField(default=0)
    # [{"item": "archive.mbox#3" or "row 7", "reason": "..."}], capped (see actions).
    errors = models.JSONField(default=list, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=200, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["domain", "campaign", "-created_at"], name="import_history"),
            models.Index(fields=["state", "claimed_until"], name="import_due"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.filename} ({self.state})"

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE_STATES

    @property
    def can_rerun(self) -> bool:
        return not self.is_active and bool(self.file)

    @property
    def percent(self) -> int:
        if self.state == ImportState.DONE:
            return 100
        if not self.total:
            return 0
        return min(100, self.position * 100 // self.total)
