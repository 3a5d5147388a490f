"""Qualification scripts: a domain's library of scripts, each in numbered versions of
outcomes and questions (comptoir.scripts.actions explains the versioning). A campaign points
to one (campaigns.Campaign.qualification_script); a processing to the version it was
qualified with (distribution.Processing.script_version).

The tables kept the names they had in the campaigns app (migration scripts.0001: the
models moved, the data did not)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comptoir.tenancy.models import Domain


class OutcomeKind(models.TextChoices):
    FINAL = "final", _("Final (closes the ticket)")
    REOPEN_LATER = "reopen_later", _("Reopen later")
    WAITING_CUSTOMER = "waiting_customer", _("Waiting for the customer")
    NOT_FINISHED = "not_finished", _("Not finished (back to the queue)")


class QualificationScript(models.Model):
    """A qualification script of the domain (its library): outcomes and questions, shared live by
    every campaign that uses it. Its content lives in versions; agents qualify with the newest."""

    domain = models.ForeignKey(
        Domain, on_delete=models.CASCADE, related_name="qualification_scripts"
    )
    name = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "campaigns_qualificationscript"
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["domain", "name"], name="qualification_script_name")
        ]

    def __str__(self) -> str:
        return self.name


class ScriptVersion(models.Model):
    """One state of a script. A version some processing was qualified with is frozen: it never
    changes again, and the next change to the script is made on a new version (a copy)."""

    domain = models.ForeignKey(Domain, on_delete=models.CASCADE)
    script = models.ForeignKey(
        QualificationScript, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    frozen = models.BooleanField(default=False)

    class Meta:
        db_table = "campaigns_scriptversion"
        ordering = ["script", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["script", "number"], name="script_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.script_id} v{self.number}"


class QualificationOutcome(models.Model):
    """One way to end a processing, in one version of a qualification script."""

    domain = models.ForeignKey(Domain, on_delete=models.CASCADE)
    version = models.ForeignKey(ScriptVersion, on_delete=models.CASCADE, related_name="outcomes")
    code = models.SlugField(max_length=63)
    label = models.CharField(max_length=200)
    kind = models.CharField(max_length=32, choices=OutcomeKind.choices)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "campaigns_qualificationoutcome"
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "code"], name="qualification_outcome_code_per_version"
            )
        ]

    def __str__(self) -> str:
        return self.label


class FieldType(models.TextChoices):
    TEXT = "text", _("Short text")
    TEXTAREA = "textarea", _("Long text")
    CHOICE = "choice", _("Choice")
    YES_NO = "yes_no", _("Yes / no")
    NUMBER = "number", _("Number")
    DATE = "date", _("Date")


class QualificationField(models.Model):
    """One question of one version of a qualification script, answered when qualifying."""

    domain = models.ForeignKey(Domain, on_delete=models.CASCADE)
    version = models.ForeignKey(ScriptVersion, on_delete=models.CASCADE, related_name="questions")
    name = models.SlugField(max_length=63)
    label = models.CharField(max_length=200)
    field_type = models.CharField(max_length=16, choices=FieldType.choices, default=FieldType.TEXT)
    choices = models.JSONField(default=list, blank=True)  # for `choice`: the allowed answers
    required = models.BooleanField(default=False)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "campaigns_qualificationfield"
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "name"], name="qualification_field_name_per_version"
            )
        ]

    def __str__(self) -> str:
        return self.label
