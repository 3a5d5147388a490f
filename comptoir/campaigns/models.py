"""Campaigns: a queue of tickets and every setting used to handle them."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
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
    # The address replies are sent from; when blank, the campaign's first inbound address.
    sender_email = models.EmailField(blank=True)
    # Appended to every reply under the "-- " line; may use the template variables.
    signature = models.TextField(blank=True)
    # Used when `signature` is blank: a signature shared by the domain's campaigns.
    shared_signature = models.ForeignKey(
        "Signature", null=True, blank=True, on_delete=models.SET_NULL, related_name="campaigns"
    )
    # Reply header: quote the customer's previous message under "On <date>, <sender> wrote:".
    quote_previous = models.BooleanField(default=True)
    auto_reply_enabled = models.BooleanField(default=False)
    auto_reply_template = models.ForeignKey(
        "EmailTemplate", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # At most this many automatic replies to one address in 24 hours, across the domain.
    auto_reply_daily_limit = models.PositiveIntegerField(default=3)
    # At most this many automatic replies from the campaign in an hour, whoever they go to:
    # forged senders can aim acknowledgements at anyone (issue 10, finding 15).
    auto_reply_hourly_limit = models.PositiveIntegerField(default=1000)
    priority = models.IntegerField(default=0)
    max_attempts = models.PositiveIntegerField(default=5)
    blocking_minutes = models.PositiveIntegerField(default=60)
    # Planning: tickets are distributed only between these moments (either may be open) and
    # inside the weekly opening hours (OpeningHours rows; none = always open).
    planning_start = models.DateTimeField(null=True, blank=True)
    planning_end = models.DateTimeField(null=True, blank=True)
    icon = models.FileField(upload_to="campaign-icons/", blank=True)
    # One of the icons shipped in ui/static/ui/icons/ (its name without ".svg"), used when no
    # icon was uploaded.
    builtin_icon = models.CharField(max_length=32, blank=True)
    agent_teams = models.ManyToManyField(Team, related_name="agent_campaigns", blank=True)
    supervision_teams = models.ManyToManyField(
        Team, related_name="supervised_campaigns", blank=True
    )
    # Optional: without one, the campaign qualifies with the four standard outcomes.
    qualification_script = models.ForeignKey(
        "scripts.QualificationScript",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="campaigns",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["domain", "slug"], name="campaign_slug_unique_per_domain"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        template = self.auto_reply_template
        if template is not None and not template.usable_by(self):
            raise ValidationError(
                {
                    "auto_reply_template": _(
                        "The automatic reply must use a template of this campaign "
                        "or a shared template of its domain."
                    )
                }
            )
        script = self.qualification_script
        if script is not None and script.domain_id != self.domain_id:
            raise ValidationError({"qualification_script": _("Choose a script of this domain.")})
        signature = self.shared_signature
        if signature is not None and signature.domain_id != self.domain_id:
            raise ValidationError({"shared_signature": _("Choose a signature of this domain.")})


class EmailTemplate(models.Model):
    """A reply model of a campaign, or shared by every campaign of the domain (campaign null):
    agents pick it (grouped by tag) to start a reply, and the automatic reply uses one.
    Only `{{ variable }}` placeholders (campaigns.templating)."""

    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="email_templates")
    campaign = models.ForeignKey(
        Campaign,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="email_templates",
    )
    tag = models.CharField(max_length=100, blank=True)
    name = models.CharField(max_length=200)
    subject = models.CharField(max_length=998, blank=True)
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["tag", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "name"], name="email_template_name_unique_per_campaign"
            ),
            models.UniqueConstraint(
                fields=["domain", "name"],
                condition=models.Q(campaign__isnull=True),
                name="shared_email_template_name_unique_per_domain",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def shared(self) -> bool:
        return self.campaign_id is None

    def usable_by(self, campaign: Campaign) -> bool:
        """The campaign's own template, or a shared one of its domain."""
        if self.campaign_id is None:
            return self.domain_id == campaign.domain_id
        return self.campaign_id == campaign.pk

    def clean(self) -> None:
        """Rendering errors belong to the editor, never to the send (SPEC §5)."""
        from comptoir.campaigns.templating import template_errors

        errors = {
            field: template_errors(getattr(self, field))
            for field in ("subject", "body")
            if template_errors(getattr(self, field))
        }
        if errors:
            raise ValidationError(errors)


class Signature(models.Model):
    """A signature shared by the domain's campaigns: a campaign without its own signature uses
    the one it links. Only `{{ variable }}` placeholders (campaigns.templating)."""

    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="signatures")
    name = models.CharField(max_length=200)
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["domain", "name"], name="signature_name_unique_per_domain"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from comptoir.campaigns.templating import template_errors

        if template_errors(self.text):
            raise ValidationError({"text": template_errors(self.text)})


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
    # The password, encrypted with COMPTOIR_SECRET_KEYS (lib.sealed); never stored in clear.
    password_encrypted = models.TextField(blank=True)
    # Or the name of an environment variable holding it: set by an operator only (`comptoir
    # mailbox-secret`), always COMPTOIR_IMAP_SECRET_…, checked again when it is read
    # (campaigns.mailbox_secret): a tenant must never name the server's variables.
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


class OpeningHours(models.Model):
    """One opening range of a campaign on a weekday, in the domain's time zone."""

    domain = models.ForeignKey(Domain, on_delete=models.CASCADE)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField()  # 0 = Monday, as datetime.weekday()
    opens = models.TimeField()
    closes = models.TimeField()

    class Meta:
        ordering = ["weekday", "opens"]

    def __str__(self) -> str:
        return f"{self.weekday} {self.opens}-{self.closes}"

    def clean(self) -> None:
        if self.weekday > 6:
            raise ValidationError({"weekday": _("A weekday is 0 (Monday) to 6 (Sunday).")})
        if self.closes <= self.opens:
            raise ValidationError({"closes": _("Closing time must be after opening time.")})


class Holiday(models.Model):
    """A public holiday: the campaign (or, campaign null, every campaign of the domain) is
    closed all that day, in the domain's time zone."""

    domain = models.ForeignKey(Domain, on_delete=models.CASCADE)
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.CASCADE, related_name="holidays"
    )
    date = models.DateField()
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["date"]
        indexes = [models.Index(fields=["domain", "date"])]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "date"],
                condition=models.Q(campaign__isnull=False),
                name="holiday_unique_campaign_date",
            ),
            models.UniqueConstraint(
                fields=["domain", "date"],
                condition=models.Q(campaign__isnull=True),
                name="holiday_unique_domain_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"
