"""Play mode: a processing is one agent's turn on one ticket (one "attempt" when it counts)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comptoir.campaigns.models import Campaign
from comptoir.tenancy.models import Domain
from comptoir.tickets.models import Ticket


class EndReason(models.TextChoices):
    QUALIFIED = "qualified", _("Qualified")
    RELEASED = "released", _("Released (pause)")
    EXPIRED = "expired", _("Lock expired")
    UNLOCKED = "unlocked", _("Unlocked by a supervisor")


class Processing(models.Model):
    domain = models.ForeignKey(Domain, on_delete=models.CASCADE)
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="processings")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="processings")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="processings"
    )
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=16, choices=EndReason.choices, blank=True)
    outcome_code = models.CharField(max_length=63, blank=True)
    outcome_label = models.CharField(max_length=200, blank=True)
    outcome_kind = models.CharField(max_length=32, blank=True)
    answers = models.JSONField(default=dict, blank=True)
    # The version of the campaign's script it was qualified with (null: the standard outcomes,
    # or qualified before scripts had versions). The copies above stay for exports.
    script_version = models.ForeignKey(
        "scripts.ScriptVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="processings",
    )
    reopen_at = models.DateTimeField(null=True, blank=True)
    counted_attempt = models.BooleanField(default=False)
    # The ticket was due because of an unread customer message: a pause gives that back.
    was_unread = models.BooleanField(default=False)

    class Meta:
        indexes = [
            models.Index(fields=["ticket", "started_at"]),
            models.Index(
                fields=["agent"],
                name="processing_live",
                condition=models.Q(ended_at__isnull=True),
            ),
            # Reports (supervision.reports) and the board (tickets closed today): processings ended
            # in a period; closings (also counted since the beginning for the backlog);
            # reopening dates in a period.
            models.Index(fields=["campaign", "ended_at"], name="processing_ended"),
            models.Index(
                fields=["campaign", "ended_at", "domain", "agent", "id"],
                name="processing_closing",
                condition=models.Q(outcome_kind="final"),
            ),
            models.Index(
                fields=["campaign", "reopen_at"],
                name="processing_reopen",
                condition=models.Q(reopen_at__isnull=False),
            ),
            # The processings detail (supervision.processings): a domain's processings ended
            # in a period, read in (ended_at, id) order a page at a time.
            models.Index(fields=["domain", "ended_at", "id"], name="processing_domain_ended"),
        ]

    def __str__(self) -> str:
        return f"{self.agent_id} on {self.ticket_id}"

    @property
    def is_live(self) -> bool:
        return self.ended_at is None
