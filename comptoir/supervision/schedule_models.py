"""Scheduled reports (issue 13): a report mailed after each day or week to chosen supervisors.

Imported by supervision.models (Django finds an app's models there). Only the actions of
supervision.schedules write these rows; the worker's job (supervision.report_mail) claims
one with a lease (lib.claims) and moves `last_period_sent` forward in the transaction that
queues its emails, so each period is mailed once to each recipient.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comptoir.campaigns.models import Campaign
from comptoir.tenancy.models import Domain


class Frequency(models.TextChoices):
    DAILY = "daily", _("Every day (the day before)")
    WEEKLY = "weekly", _("Every Monday (the week before)")


class ScheduledReport(models.Model):
    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="scheduled_reports")
    name = models.CharField(max_length=100)
    frequency = models.CharField(max_length=10, choices=Frequency.choices)
    # None chosen: every campaign each recipient supervises.
    campaigns = models.ManyToManyField(Campaign, blank=True, related_name="scheduled_reports")
    recipients = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="report_schedules")
    # The start of the last period mailed (at creation: the last period already over, so that
    # the first mail is about the period in progress).
    last_period_sent = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    claimed_by = models.CharField(max_length=200, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name
