"""Template filters for showing mail safely, and ticket history in words."""

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from comptoir.tenancy.models import User
from comptoir.tickets.models import TicketEvent
from comptoir.ui.common import downloads
from comptoir.ui.supervisors.reasons import translated_reason

register = template.Library()

# Labels for the event kinds the core records; an unknown kind is shown as stored.
EVENT_LABELS = {
    "ticket_created": _("Ticket created"),
    "message_appended": _("Message added"),
    "ticket_reopened": _("Ticket reopened"),
    "reply_queued": _("Reply queued for sending"),
    "note_added": _("Internal note added"),
    "auto_reply_queued": _("Automatic reply queued"),
    "auto_reply_skipped": _("No automatic reply"),
    "auto_reply_capped": _("Automatic reply withheld: the campaign's hourly limit is reached"),
    "delivery_failed": _("Delivery failed"),
    "delivery_partial": _("Delivered to some recipients only"),
    "processing_started": _("Processing started"),
    "processing_qualified": _("Processing qualified"),
    "processing_released": _("Processing paused"),
    "lock_expired": _("Lock expired"),
    "max_attempts_reached": _("Maximum attempts reached"),
    "assigned": _("Assigned"),
    "unassigned": _("Assignment removed"),
    "reassigned": _("Reassigned"),
    "unlocked": _("Unlocked"),
    "requeued": _("Back in the queue"),
}
# Events whose message was written by the person who acted: the core records them without
# an actor, and the message's author says who it was.
AUTHORED_KINDS = {"reply_queued", "note_added"}


@register.filter
def event_label(kind: str) -> str:
    return str(EVENT_LABELS.get(kind, kind))


@register.filter
def event_actor(event: TicketEvent) -> User | None:
    """Who did what the event records, when known."""
    if event.actor is not None:
        return event.actor
    if event.kind in AUTHORED_KINDS and event.message is not None:
        return event.message.author
    return None


@register.filter
def stored_html(html: str) -> SafeString:
    """Message.html as stored: ingest (mail.inbound) is the only writer and stores only what
    lib.html.sanitize_html returned. Not sanitised again here: that cost a deeply nested
    message's every view tens of seconds (issue 10, finding 3). After a policy change,
    `comptoir resanitize` rewrites the stored copies. The only place mail HTML becomes safe."""
    return mark_safe(html)


@register.filter
def quarantine_reason(reason: str) -> str:
    """The parser's limit reasons in the reader's language; any other reason as stored."""
    return translated_reason(reason)


@register.filter
def addresses(items: object) -> str:
    """A JSON list of {"name", "email"} (Message.to / cc) as one readable line."""
    if not isinstance(items, list):
        return ""
    shown = []
    for item in items:
        if not isinstance(item, dict):
            continue
        name, email = str(item.get("name") or ""), str(item.get("email") or "")
        shown.append(f"{name} <{email}>" if name and email else name or email)
    return ", ".join(shown)


@register.filter
def previewable_image(content_type: str) -> bool:
    """Whether the campaign's "preview" display shows the attachment as an image."""
    return downloads.is_previewable_image(content_type)


@register.filter
def is_pdf(content_type: str) -> bool:
    return downloads.is_pdf(content_type)
