"""Template filters for showing mail safely, ticket history in words, durations and rates."""

from django import template
from django.conf import settings
from django.utils.formats import number_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from comptoir.mail.reasons import in_words
from comptoir.tenancy.models import User
from comptoir.tickets.delivery_problems import problem_sentence
from comptoir.tickets.history import automatic_words
from comptoir.tickets.models import EventKind, Message, TicketEvent
from comptoir.ui.common import downloads

register = template.Library()

# Events whose message was written by the person who acted: the core records them without
# an actor, and the message's author says who it was.
AUTHORED_KINDS = {EventKind.REPLY_QUEUED, EventKind.NOTE_ADDED}


@register.filter
def event_label(kind: str) -> str:
    """The kind's name in the reader's language; an unknown kind as stored."""
    return str(EventKind(kind).label) if kind in EventKind.values else kind


@register.filter
def event_text(event: TicketEvent) -> str:
    """What the event says, in the reader's language (tickets.history)."""
    return event.text(get_language() or settings.LANGUAGE_CODE)


@register.filter
def automatic_reason(reason: str) -> str:
    """Why a message was classified automatic (stored in English), in the reader's words."""
    return automatic_words(reason)


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
    """Why a message is in the quarantine (stored in English), in the reader's language."""
    return in_words(reason)


@register.filter
def delivery_problem(message: Message) -> str:
    """Why an outbound message was not (fully) delivered, in the reader's language; a row
    from before problems were stored as parameters shows its technical English."""
    if message.delivery_problem:
        said = problem_sentence(message.delivery_problem, get_language() or settings.LANGUAGE_CODE)
        if said:
            return said
    return message.delivery_error


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


@register.filter
def duration_text(seconds: float | None) -> str:
    """Seconds as a person reads them: "1 h 05 min", "3 min 05 s"; "—" for none."""
    if seconds is None:
        return "—"
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    mins, secs = divmod(rest, 60)
    if hours:
        return _("%(h)d h %(m)02d min") % {"h": hours, "m": mins}
    return _("%(m)d min %(s)02d s") % {"m": mins, "s": secs}


@register.filter
def rate_percent(rate: float | None) -> str:
    """A rate from 0 to 1 as a percentage to a tenth, in the reader's language."""
    if rate is None:
        return "—"
    return number_format(round(rate * 100, 1), 1, use_l10n=True) + " %"
