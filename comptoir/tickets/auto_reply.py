"""The automatic reply that acknowledges a new ticket, and the rules that keep it from looping.

Called by ingest inside the transaction that opens the ticket, so the acknowledgement is
queued exactly when the ticket exists. It is never sent:
- to automatic mail (RFC 3834 Auto-Submitted, Precedence, X-Auto-Response-Suppress, List-Id,
  bounces, null senders: whatever mail.classify recognised);
- to an address Comptoir receives mail on (any domain of this installation) or to a
  no-reply / postmaster style address;
- more than the campaign's daily limit to one address in 24 hours, across the domain;
- more than the campaign's hourly limit in an hour, to anyone: a forger who writes from many
  addresses aims acknowledgements at many victims, the hourly limit bounds what one campaign
  sends for them (the history says "automatic reply withheld", kind `auto_reply_capped`);
- from an address that is not in the domain's own mail domains (tickets.outbound.queue).
It carries `Auto-Submitted: auto-replied` and `X-Auto-Response-Suppress: All`, so that
well-behaved systems never answer it, and the daily limit stops the ones that do.
"""

import re
from datetime import datetime, timedelta

from django.db import connection
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from comptoir.campaigns.models import Campaign, InboundAddress
from comptoir.mail.compose import Draft, Person, tagged_subject, writable_address
from comptoir.tickets.actions import record_event
from comptoir.tickets.models import Contact, Message, Ticket
from comptoir.tickets.outbound import ReplyError, queue, sender_address, signature_for
from comptoir.tickets.template_values import customer_language, render_for

# The words may be joined by "-", "_", "." or nothing: no_reply@, do.not.reply@, noreply@.
NO_REPLY = re.compile(
    r"^(?:no[-_.]?reply|do[-_.]?not[-_.]?reply|ne[-_.]?pas[-_.]?r[eé]pondre|mailer-daemon"
    r"|postmaster|bounces?)(?:[+._-].*)?$",
    re.IGNORECASE,
)


def default_body(language: str) -> str:
    with translation.override(language):
        return _(
            "Hello {{ customer_name }},\n\n"
            "We have received your message and registered it under ticket number "
            "{{ ticket_number }}. Please keep this number in the subject of your replies.\n\n"
            "{{ campaign_name }}"
        )


def refusal(ticket: Ticket, automatic_reason: str) -> str:
    """Why no automatic reply may go to this ticket's customer; empty when one may."""
    address = ticket.contact.email.lower()
    if automatic_reason:
        return f"the message is automatic ({automatic_reason})"
    if not writable_address(address):
        return f"{address or 'the sender'} is not an address mail can be sent to"
    if NO_REPLY.match(address.split("@", 1)[0]):
        return f"{address} is a no-reply address"
    if receives_mail(address):
        return f"{address} is an address Comptoir receives mail on"
    limit = ticket.campaign.auto_reply_daily_limit
    if sent_today(ticket.domain_id, ticket.contact, limit) >= limit:
        return f"{address} already got {limit} automatic replies in 24 hours"
    return ""


def receives_mail(address: str) -> bool:
    """Whether Comptoir (any domain) receives mail for `address`, with ingest's routing:
    `support+anything@` reaches `support@`, so it is ours too."""
    local, _at, host = address.rpartition("@")
    candidates = {address, f"{local.split('+', 1)[0]}@{host}"}
    return InboundAddress.objects.filter(address__in=candidates).exists()


# Automatic replies counted up to a limit, in plain SQL. A campaign's in the last hour: the
# domain's automatic replies of that hour (partial index message_automatic_replies, bounded by
# the caps), each reply's ticket read by its primary key rather than joined, so that the planner
# cannot choose to scan all of the campaign's tickets once per reply (it did on tables never
# analysed: 42 ms at 700 replies, holding the campaign's lock). A contact's in 24 hours: the
# messages of the contact's own tickets (indexes on contact and ticket), so the cost follows the
# contact's history, not the domain's daily volume.
CAMPAIGN_SINCE = (
    f"SELECT COUNT(*) FROM (SELECT 1 FROM {Message._meta.db_table} m"
    " WHERE m.domain_id = %s AND m.direction = 'outbound' AND m.is_automatic"
    " AND m.created_at >= %s"
    f" AND (SELECT t.campaign_id FROM {Ticket._meta.db_table} t WHERE t.id = m.ticket_id) = %s"
    " LIMIT %s) AS replies"
)
CONTACT_SINCE = (
    f"SELECT COUNT(*) FROM (SELECT 1 FROM {Message._meta.db_table} m"
    " WHERE m.domain_id = %s AND m.direction = 'outbound' AND m.is_automatic"
    " AND m.created_at >= %s"
    f" AND m.ticket_id IN (SELECT t.id FROM {Ticket._meta.db_table} t WHERE t.contact_id = %s)"
    " LIMIT %s) AS replies"
)


def count_automatic(sql: str, domain_id: int, since: datetime, value: int, limit: int) -> int:
    with connection.cursor() as cursor:
        stamp = connection.ops.adapt_datetimefield_value(since)  # as the ORM stores it
        cursor.execute(sql, [domain_id, stamp, value, limit])
        return int(cursor.fetchone()[0])


def sent_today(domain_id: int, contact: Contact, limit: int) -> int:
    """Automatic replies to the contact in 24 hours, counted up to `limit` (enough to decide:
    the count's cost is then bounded by the limit, not by the traffic)."""
    # Locks the contact (PostgreSQL) so that two messages arriving together are counted
    # one after the other; SQLite runs one writer at a time anyway.
    list(Contact.objects.select_for_update().filter(pk=contact.pk).values_list("id"))
    since = timezone.now() - timedelta(hours=24)
    return count_automatic(CONTACT_SINCE, domain_id, since, contact.pk, limit)


# Transactions that may be acknowledging new tickets of one campaign at the same moment (listener
# threads and processes, IMAP workers, imports), with room to spare: far below the limit, they
# cannot cross it together, so the count needs no lock.
UNLOCKED_MARGIN = 50


def sent_this_hour(campaign: Campaign, limit: int, *, locked: bool) -> int:
    """The campaign's automatic replies in the last hour, counted up to `limit`."""
    # Locked: the campaign row (PostgreSQL), so that new tickets arriving together are counted
    # one after the other, as sent_today does with the contact (always contact, then campaign).
    if locked:
        list(Campaign.objects.select_for_update().filter(pk=campaign.pk).values_list("id"))
    since = timezone.now() - timedelta(hours=1)
    return count_automatic(CAMPAIGN_SINCE, campaign.domain_id, since, campaign.pk, limit)


def hourly_cap(campaign: Campaign) -> str:
    """Why the campaign sends no more automatic replies this hour; empty when it may. The
    campaign row is locked only near the limit: a lock on every new ticket would make all of
    a campaign's deliveries wait for each other."""
    limit = campaign.auto_reply_hourly_limit
    if sent_this_hour(campaign, limit, locked=False) + UNLOCKED_MARGIN < limit:
        return ""
    if sent_this_hour(campaign, limit, locked=True) >= limit:
        return f"campaign {campaign.name} already sent {limit} automatic replies in the last hour"
    return ""


def queue_auto_reply(ticket: Ticket, first: Message, automatic_reason: str) -> Message | None:
    """Acknowledge a new ticket when its campaign says so and the rules allow it."""
    campaign = ticket.campaign
    if not campaign.auto_reply_enabled:
        return None
    why_not = refusal(ticket, automatic_reason)
    capped = "" if why_not else hourly_cap(campaign)
    if capped:
        record_event(ticket, first, "auto_reply_capped", f"no automatic reply: {capped}")
        return None
    if not why_not:
        try:
            return acknowledge(ticket, first)
        except ReplyError as exc:  # a missing or foreign sender must not cost the message
            why_not = str(exc)
    record_event(ticket, first, "auto_reply_skipped", f"no automatic reply: {why_not}")
    return None


def acknowledge(ticket: Ticket, first: Message) -> Message:
    """Queue the acknowledgement; ReplyError (in English: the history's language) when the
    campaign's settings refuse it."""
    with translation.override("en"):
        sender = sender_address(ticket.campaign)
    draft = acknowledgement(ticket, first, sender)
    with translation.override("en"):
        message = queue(ticket, draft, author=None)
    record_event(ticket, message, "auto_reply_queued", f"automatic reply to {ticket.contact.email}")
    return message


def acknowledgement(ticket: Ticket, first: Message, sender: str) -> Draft:
    """The automatic reply: the campaign's template, or the default text, rendered."""
    campaign, template = ticket.campaign, ticket.campaign.auto_reply_template
    if template is not None and not template.usable_by(campaign):
        template = None  # Campaign.clean refuses it; never another campaign's text
    language = customer_language(ticket)
    body = template.body if template else default_body(language)
    subject = render_for(template.subject, ticket, None) if template else ""
    signature = signature_for(ticket, None)
    return Draft(
        sender=Person(campaign.sender_name or campaign.name, sender),
        to=[Person(ticket.contact.name, ticket.contact.email)],
        reply_to=campaign.reply_to,
        subject=tagged_subject(subject or ticket.subject, ticket.number, reply=not subject),
        message_id="",
        text=render_for(body, ticket, None),
        date=timezone.now(),
        language=language,
        time_zone=ticket.domain.time_zone,
        in_reply_to=first.message_id.strip("<>"),
        references=[first.message_id.strip("<>")] if first.message_id else [],
        signature=signature.text,
        signature_html=signature.html,
        automatic=True,
        ticket_number=ticket.number,
    )
