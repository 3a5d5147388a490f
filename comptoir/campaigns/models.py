"""Campaigns: a queue of tickets and every setting used to handle them."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from comptoir.tenancy.models import Domain, Team


class AttachmentDisplay(models.TextChoices):
    LIST = "list", _("List")
    PREVIEW = "preview", _("Preview")


class Campaign(models.Model):
    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="campaigns")
    slug = models.SlugField(max_length=63)
    name = models.CharField(max_length=200)
    active = models.BooleanField(default=True)
    sender_name = models.CharField(max_length=200, blank=True)
    reply_to = models.EmailField(blank=True)
    attachment_display = models.CharField(
        max_length=16, choices=AttachmentDisplay.choices, default=AttachmentDisplay.LIST
    )
    auto_reply_enabled = models.BooleanField(default=False)
    priority = models.IntegerField(default=0)
    max_attempts = models.PositiveIntegerField(default=5)
    blocking_minutes = models.PositiveIntegerField(default=60)
    agent_teams = models.ManyToManyField(Team, related_name="agent_campaigns", blank=True)
    supervision_teams = models.ManyToManyField(
        Team, related_name="supervised_campaigns", blank=True
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["domain", "slug"], name="campaign_slug_unique_per_domain"
            )
        ]

    def __str__(self) -> str:
        return self.name


class InboundAddress(models.Model):
    """An address customers write to; it routes to exactly one campaign, globally."""

    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="inbound_addresses")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="addresses")
    # Stored lower-cased; unique across every domain so that routing is never ambiguous.
    address = models.EmailField(unique=True)

    def __str__(self) -> str:
        return self.address

    def save(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        self.address = self.address.strip().lower()
        super().save(*args, **kwargs)


class ImapSecurity(models.TextChoices):
    TLS = "tls", _("TLS")
    STARTTLS = "starttls", _("STARTTLS")
    NONE = "none", _("None (loopback only)")


class ImapMailbox(models.Model):
    """An existing mailbox that Comptoir polls for a campaign (fetch, store, then mark/move)."""

    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="imap_mailboxes")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="imap_mailboxes")
    host = models.CharField(max_length=255)
    port = models.PositiveIntegerField(default=993)
    security = models.CharField(
        max_length=16, choices=ImapSecurity.choices, default=ImapSecurity.TLS
    )
    username = models.CharField(max_length=255)
    # Either a password stored here, or the name of an environment variable holding it.
    password = models.CharField(max_length=255, blank=True)
    password_env = models.CharField(max_length=100, blank=True)
    folder = models.CharField(max_length=255, default="INBOX")
    # After a message is stored: flag it \Seen (and keep it), or move it to this folder.
    move_to = models.CharField(max_length=255, blank=True)
    enabled = models.BooleanField(default=True)
    # Resume point: the highest UID stored, valid while the folder's UIDVALIDITY is unchanged.
    uid_validity = models.BigIntegerField(null=True, blank=True)
    last_uid = models.BigIntegerField(default=0)
    # A worker claims the mailbox until this time so that two workers never poll it at once.
    claimed_until = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=200, blank=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"{self.username}@{self.host}/{self.folder}"
