"""Agent states (issue 13): what each agent is doing now, and the history of it.

`AgentPresence` is the current state, one row per agent who ever played; `AgentStateSpan`
is the history, one row per stretch of time in one state, so that the time in each state
over any period is a sum of spans clipped to it: exact, not sampled. Only the actions of
supervision.states write them, each change in one transaction with the presence row locked,
so that an agent never has two open spans (a partial unique index says so too).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comptoir.campaigns.models import Campaign
from comptoir.tenancy.models import Domain

LABEL_LENGTH = 100


class PauseReason(models.Model):
    """Why an agent pauses, chosen when they press pause; a list per domain, in its order.
    Spans and presences keep a copy of the label, so a reason renamed or removed later
    leaves the history as it was said."""

    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="pause_reasons")
    label = models.CharField(max_length=LABEL_LENGTH)
    position = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["domain", "label"], name="pause_reason_label_unique")
        ]

    def __str__(self) -> str:
        return self.label


class AgentState(models.TextChoices):
    PROCESSING = "processing", _("Processing")
    AVAILABLE = "available", _("Available")
    PAUSED = "paused", _("Paused")
    OFFLINE = "offline", _("Offline")


class AgentPresence(models.Model):
    """An agent's state now: since when, in which campaign, why paused, and whether a
    supervisor forced it (the agent's pages show who and why until the agent acts)."""

    agent = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="presence",
    )
    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="presences")
    state = models.CharField(max_length=16, choices=AgentState.choices, default=AgentState.OFFLINE)
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    since = models.DateTimeField(default=timezone.now)
    # The last sign of life (an action, the console's heartbeat, a page's poll).
    last_seen = models.DateTimeField(default=timezone.now)
    pause_reason_label = models.CharField(max_length=LABEL_LENGTH, blank=True)
    forced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    forced_message = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["domain", "state"])]

    def __str__(self) -> str:
        return f"{self.agent_id} {self.state}"


class AgentStateSpan(models.Model):
    """One stretch of an agent's time in one state; `ended_at` null: the open one (at most
    one per agent)."""

    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="+")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="state_spans"
    )
    state = models.CharField(max_length=16, choices=AgentState.choices)
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    pause_reason_label = models.CharField(max_length=LABEL_LENGTH, blank=True)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["agent", "started_at"]),
            models.Index(fields=["domain", "started_at"]),
            # A period's spans are those ending after its start: found without reading the
            # agent's whole history (supervision.states.time_in_states).
            models.Index(fields=["agent", "ended_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["agent"],
                condition=models.Q(ended_at__isnull=True),
                name="one_open_state_span",
            )
        ]

    def __str__(self) -> str:
        return f"{self.agent_id} {self.state} {self.started_at:%Y-%m-%d %H:%M}"


# The scheduled reports' models live in their own module; imported here for Django.
from comptoir.supervision.schedule_models import Frequency, ScheduledReport  # noqa: E402, F401
