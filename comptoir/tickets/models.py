"""Tickets and everything they group: contacts, messages, raw sources, attachments, events."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comptoir.campaigns.models import Campaign
from comptoir.tenancy.models import Domain


class Contact(models.Model):
    """A customer, known by email address within a domain."""

    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="contacts")
    email = models.CharField(max_length=320)
    name = models.CharField(max_length=200, blank=True)
    language = models.CharField(max_length=8, blank=True)
    # Custom columns of an imported contacts file (comptoir.imports), by column name.
    extra = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["domain", "email"], name="contact_unique_per_domain")
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>" if self.name else self.email


class TicketCounter(models.Model):
    """The last ticket number given in a domain; numbers are never reused."""

    domain = models.OneToOneField(Domain, on_delete=models.CASCADE, primary_key=True)
    last_number = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"domain {self.domain_id}: {self.last_number}"


class TicketStatus(models.TextChoices):
    OPEN = "open", _("Open")
    WAITING = "waiting", _("Waiting for customer")
    CLOSED = "closed", _("Closed")


class Ticket(models.Model):
    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="tickets")
    # Given at the end of the creating transaction (see tickets.numbering); null only inside it.
    number = models.BigIntegerField(null=True)
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="tickets")
    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="tickets")
    subject = models.CharField(max_length=998, blank=True)
    status = models.CharField(
        max_length=16, choices=TicketStatus.choices, default=TicketStatus.OPEN
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tickets",
    )
    # A new customer message arrived since the last processing.
    has_unread = models.BooleanField(default=True)
    reopen_at = models.DateTimeField(null=True, blank=True)
    blocked_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    priority = models.IntegerField(default=0)
    # Created by automatic mail (auto-reply, list, bounce): never auto-acknowledged.
    is_automatic = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    last_inbound_at = models.DateTimeField(null=True, blank=True)
    last_outbound_at = models.DateTimeField(null=True, blank=True)
    # When an agent first replied (outbound.reply; automatic replies do not count): the
    # reports' first response time, kept here so that it costs no scan of the messages.
    first_response_at = models.DateTimeField(null=True, blank=True)
    closing_qualification = models.JSONField(null=True, blank=True)
    # Play mode (distribution): who holds the ticket in a processing, until when (heartbeat).
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="locked_tickets",
    )
    locked_until = models.DateTimeField(null=True, blank=True)
    # Since when the customer waits in the queue: the queue's order after priority.
    waiting_since = models.DateTimeField(default=timezone.now)
    # Max attempts reached: out of the queue, in the supervisors' list.
    flagged = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["domain", "number"], name="ticket_number_unique_per_domain"
            )
        ]
        indexes = [
            models.Index(fields=["campaign", "status"]),
            # The queue of a campaign, in serving order (distribution.actions.claim_next_ticket).
            models.Index(
                "campaign",
                models.F("priority").desc(),
                "waiting_since",
                "id",
                name="ticket_queue",
                condition=models.Q(status="open", assignee__isnull=True, flagged=False),
            ),
            # An agent's own tickets that came back (a customer message, a reopen date).
            models.Index(
                fields=["assignee", "campaign"],
                name="ticket_assigned_open",
                condition=models.Q(status="open", assignee__isnull=False),
            ),
            # The supervisors' board (supervision.figures) counts the tickets not closed with
            # an index-only scan of this one: small (the backlog only), holding every column
            # the figures read. Reading the table instead meant a page per open ticket (140 ms
            # for 70,000 open tickets among a million on PostgreSQL; 20 ms from here). Key
            # columns rather than `include`, which SQLite ignores (it covers with keys too).
            models.Index(
                fields=[
                    "domain",
                    "campaign",
                    "status",
                    "flagged",
                    "assignee",
                    "number",
                    "attempts",
                    "has_unread",
                    "locked_until",
                    "blocked_until",
                    "reopen_at",
                    "waiting_since",
                    "id",
                ],
                name="ticket_backlog",
                condition=models.Q(status__in=["open", "waiting"]),
            ),
            # Reports (supervision.reports) and the board (received today): tickets received,
            # and first responses, in a period.
            # The columns after the time are there for PostgreSQL to answer from the index
            # alone (a campaign's tickets lie in every page of the table): counts by bucket,
            # a campaign's ticket ids, the creation time a first response is measured from.
            models.Index(
                fields=["campaign", "created_at", "domain", "is_automatic", "id"],
                name="ticket_received",
            ),
            models.Index(
                fields=["campaign", "first_response_at", "domain", "created_at"],
                name="ticket_first_response",
                condition=models.Q(first_response_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.number} {self.subject}"


class RawState(models.TextChoices):
    RECEIVED = "received", _("Received")
    STORED = "stored", _("Stored in a ticket")
    QUARANTINED = "quarantined", _("Quarantined")
    REJECTED = "rejected", _("Rejected")


class RawMessage(models.Model):
    """The bytes of an inbound message exactly as received, stored before anything else."""

    domain = models.ForeignKey(
        Domain, null=True, blank=True, on_delete=models.CASCADE, related_name="raw_messages"
    )
    content = models.BinaryField()
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    source = models.CharField(max_length=200, blank=True)
    envelope_from = models.CharField(max_length=320, blank=True)
    envelope_to = models.JSONField(default=list, blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(max_length=16, choices=RawState.choices, default=RawState.RECEIVED)
    # Why it was quarantined or rejected, in words an operator understands.
    reason = models.TextField(blank=True)
    # Headers read for the quarantine list, when they could be decoded.
    subject = models.CharField(max_length=998, blank=True)
    from_address = models.CharField(max_length=320, blank=True)

    class Meta:
        indexes = [models.Index(fields=["domain", "state"])]

    def __str__(self) -> str:
        return f"raw {self.pk} ({self.state})"


class Direction(models.TextChoices):
    INBOUND = "inbound", _("Inbound")
    OUTBOUND = "outbound", _("Outbound")
    NOTE = "note", _("Internal note")


class DeliveryState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Message(models.Model):
    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="messages")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(max_length=16, choices=Direction.choices)
    raw = models.OneToOneField(
        RawMessage, null=True, blank=True, on_delete=models.PROTECT, related_name="message"
    )
    # The RFC 5322 Message-ID without angle brackets ("" when the message has none).
    message_id = models.TextField(blank=True)
    # sha256 of the normalised Message-ID, or of the raw bytes when there is none: the
    # idempotency key. Unique per domain, so a second delivery can never add a second row.
    dedupe_key = models.CharField(max_length=64)
    in_reply_to = models.TextField(blank=True)
    references = models.JSONField(default=list, blank=True)
    from_email = models.CharField(max_length=320, blank=True)
    from_name = models.CharField(max_length=200, blank=True)
    to = models.JSONField(default=list, blank=True)
    cc = models.JSONField(default=list, blank=True)
    reply_to = models.JSONField(default=list, blank=True)
    subject = models.CharField(max_length=998, blank=True)
    date = models.DateTimeField(null=True, blank=True)
    text = models.TextField(blank=True)
    html = models.TextField(blank=True)  # sanitised with nh3 before it is stored
    is_automatic = models.BooleanField(default=False)
    automatic_reason = models.CharField(max_length=200, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    delivery_state = models.CharField(max_length=16, choices=DeliveryState.choices, blank=True)
    delivery_attempts = models.PositiveIntegerField(default=0)
    delivery_error = models.TextField(blank=True)
    # The same problem as a kind and its parameters (tickets.delivery_problems), said in the
    # reader's language; delivery_error keeps the technical English (export, logs). Nullable:
    # adding it is then one ALTER TABLE on SQLite too, not a copy of the messages' table.
    delivery_problem = models.JSONField(null=True, blank=True)
    # Outbox (mail.outbox): when a queued message is next due, and the worker holding it.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=200, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["domain", "dedupe_key"], name="message_once_per_domain")
        ]
        indexes = [
            models.Index(fields=["ticket", "created_at"]),
            # The outbox's work list: small, since sent messages leave it.
            models.Index(
                fields=["next_attempt_at"],
                name="message_outbox_due",
                condition=models.Q(delivery_state__in=["queued", "sending"]),
            ),
            # The automatic replies of the last hour or day, counted for their caps
            # (tickets.auto_reply): few rows, read at every new ticket.
            models.Index(
                fields=["domain", "created_at"],
                name="message_automatic_replies",
                condition=models.Q(is_automatic=True, direction="outbound"),
            ),
            # Reports: a domain's messages in a period (messages carry no campaign; they are
            # joined to the campaign's tickets, read from ticket_received).
            models.Index(fields=["domain", "created_at"], name="message_report"),
        ]

    def __str__(self) -> str:
        return f"{self.direction} {self.message_id}"


class MessageReference(models.Model):
    """One Message-ID that a message names in In-Reply-To or References.

    Lets a parent that arrives after its reply find the ticket that reply created.
    """

    domain = models.ForeignKey(Domain, on_delete=models.CASCADE)
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reference_rows")
    ref_key = models.CharField(max_length=64)

    class Meta:
        indexes = [models.Index(fields=["domain", "ref_key"])]

    def __str__(self) -> str:
        return self.ref_key


class Attachment(models.Model):
    domain = models.ForeignKey(Domain, on_delete=models.CASCADE)
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=255)
    size = models.PositiveIntegerField()
    content_id = models.CharField(max_length=255, blank=True)
    inline = models.BooleanField(default=False)
    sha256 = models.CharField(max_length=64)
    # Path in Django's default storage; content-addressed, so identical files are stored once.
    storage_name = models.CharField(max_length=255)

    def __str__(self) -> str:
        return self.filename


class EventKind(models.TextChoices):
    """Every kind of ticket history, the only ones `tickets.actions.record_event` writes."""

    TICKET_CREATED = "ticket_created", _("Ticket created")
    MESSAGE_APPENDED = "message_appended", _("Message added")
    TICKET_REOPENED = "ticket_reopened", _("Ticket reopened")
    REPLY_QUEUED = "reply_queued", _("Reply queued for sending")
    NOTE_ADDED = "note_added", _("Internal note added")
    AUTO_REPLY_QUEUED = "auto_reply_queued", _("Automatic reply queued")
    AUTO_REPLY_SKIPPED = "auto_reply_skipped", _("No automatic reply")
    AUTO_REPLY_CAPPED = (
        "auto_reply_capped",
        _("Automatic reply withheld: the campaign's hourly limit is reached"),
    )
    DELIVERY_FAILED = "delivery_failed", _("Delivery failed")
    DELIVERY_PARTIAL = "delivery_partial", _("Delivered to some recipients only")
    PROCESSING_STARTED = "processing_started", _("Processing started")
    PROCESSING_QUALIFIED = "processing_qualified", _("Processing qualified")
    PROCESSING_RELEASED = "processing_released", _("Processing paused")
    PROCESSING_TAKEN_BACK = (
        "processing_taken_back",
        _("Processing taken back by a supervisor"),
    )
    RELEASED_IDLE = "released_idle", _("Released after inactivity")
    LOCK_EXPIRED = "lock_expired", _("Lock expired")
    MAX_ATTEMPTS_REACHED = "max_attempts_reached", _("Maximum attempts reached")
    ASSIGNED = "assigned", _("Assigned")
    UNASSIGNED = "unassigned", _("Assignment removed")
    REASSIGNED = "reassigned", _("Reassigned")
    UNLOCKED = "unlocked", _("Unlocked")
    REQUEUED = "requeued", _("Back in the queue")


class TicketEvent(models.Model):
    """Append-only history: who did what to a ticket, when and why.

    Stored as a kind and its parameters (`data`), never as a sentence: tickets.history says
    it in the reader's language. Rows from before that keep their sentence in data["text"]."""

    domain = models.ForeignKey(Domain, on_delete=models.CASCADE)
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.SET_NULL)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    kind = models.CharField(max_length=64, choices=EventKind.choices)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["ticket", "created_at"]),
            # Reports: tickets reopened in a period (few rows among all the history).
            models.Index(
                fields=["domain", "created_at"],
                name="event_reopened",
                condition=models.Q(kind="ticket_reopened"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.detail}"

    def text(self, language: str) -> str:
        """What happened, in words, in this language."""
        # Imported here: the history's words use this module's labels (TicketStatus).
        from comptoir.tickets.history import sentence

        return sentence(self.kind, self.data, language)

    @property
    def detail(self) -> str:
        """The stable English sentence: the export's, the logs' and the tests' form."""
        return self.text("en")
