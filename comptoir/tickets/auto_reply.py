"""The automatic reply that acknowledges a new ticket, and the rules that keep it from looping.

Called by ingest inside the transaction that opens the tickets, so the acknowledgement is
queued exactly when the ticket exists: `acknowledge_run` for the new tickets of a run, in the
order they came (mail.batch_write; ingest_email's one ticket is a run of one: one
implementation). It is never sent:
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

A run decides in a few statements whatever its size: one for the addresses Comptoir receives
mail on, one that reads and locks the contacts, one grouped count of their replies of the last
24 hours, one count per campaign of its replies of the hour; then it goes through its tickets
in order, counting its own replies as it queues them, so that it decides exactly what
acknowledging them one by one would. The counts are exact under concurrency too: every
transaction that acknowledges has numbered its new tickets first (tickets.numbering), which
locks the domain's counter row until it commits, so two of them never count at the same time.
The contact and campaign locks below keep the rule true on their own, should numbering change.
"""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import connection
from django.utils import timezone

from comptoir.campaigns.addresses import base_address
from comptoir.campaigns.models import Campaign, InboundAddress
from comptoir.mail.compose import Draft, writable_address
from comptoir.tenancy.models import Domain
from comptoir.tickets.actions import event_row
from comptoir.tickets.auto_reply_draft import CampaignReply
from comptoir.tickets.history import params, refusal
from comptoir.tickets.models import Contact, EventKind, Message, Ticket, TicketEvent
from comptoir.tickets.outbound import store_queued

# The words may be joined by "-", "_", "." or nothing: no_reply@, do.not.reply@, noreply@.
NO_REPLY = re.compile(
    r"^(?:no[-_.]?reply|do[-_.]?not[-_.]?reply|ne[-_.]?pas[-_.]?r[eé]pondre|mailer-daemon"
    r"|postmaster|bounces?)(?:[+._-].*)?$",
    re.IGNORECASE,
)


@dataclass
class NewTicket:
    """A ticket opened by a message, and why that message is automatic ("" for a person)."""

    ticket: Ticket
    first: Message
    automatic_reason: str = ""


def queue_auto_reply(ticket: Ticket, first: Message, automatic_reason: str) -> Message | None:
    """Acknowledge one new ticket when its campaign says so and the rules allow it."""
    return acknowledge_run([NewTicket(ticket, first, automatic_reason)])[0]


def static_refusal(address: str, automatic_reason: str) -> str:
    """Why no automatic reply may go to this address, whatever the counts; empty when one may."""
    if automatic_reason:
        return refusal("automatic", why=automatic_reason)
    if not writable_address(address):
        return refusal("unwritable", address=address)
    if NO_REPLY.match(address.split("@", 1)[0]):
        return refusal("no-reply", address=address)
    return ""


def receiving(addresses: set[str]) -> set[str]:
    """Those of the addresses Comptoir (any domain) receives mail for, with ingest's routing:
    `support+anything@` reaches `support@`, so it is ours too. One query."""
    if not addresses:
        return set()
    candidates = addresses | {base_address(a) for a in addresses}
    rows = InboundAddress.objects.filter(address__in=candidates).values_list("address", flat=True)
    found = set(rows)
    return {a for a in addresses if a in found or base_address(a) in found}


# Automatic replies counted in plain SQL. A campaign's in the last hour, up to its limit: the
# domain's automatic replies of that hour (partial index message_automatic_replies, bounded by
# the caps), each reply's ticket read by its primary key rather than joined, so that the planner
# cannot choose to scan all of the campaign's tickets once per reply (it did on tables never
# analysed: 42 ms at 700 replies, holding the campaign's lock). The contacts' in 24 hours: the
# messages of the contacts' own tickets (indexes on contact and ticket), so the cost follows
# the contacts' history, not the domain's daily volume.
CAMPAIGN_SINCE = (
    f"SELECT COUNT(*) FROM (SELECT 1 FROM {Message._meta.db_table} m"
    " WHERE m.domain_id = %s AND m.direction = 'outbound' AND m.is_automatic"
    " AND m.created_at >= %s"
    f" AND (SELECT t.campaign_id FROM {Ticket._meta.db_table} t WHERE t.id = m.ticket_id) = %s"
    " LIMIT %s) AS replies"
)
CONTACTS_SINCE = (
    f"SELECT t.contact_id, COUNT(*) FROM {Ticket._meta.db_table} t"
    f" JOIN {Message._meta.db_table} m ON m.ticket_id = t.id"
    " WHERE t.contact_id IN ({ids}) AND m.domain_id = %s AND m.direction = 'outbound'"
    " AND m.is_automatic AND m.created_at >= %s GROUP BY t.contact_id"
)


def stamp(since: datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(since)  # as the ORM stores it


def sent_today(domain_id: int, contact_ids: list[int]) -> dict[int, int]:
    """Automatic replies to each contact in the last 24 hours, in one grouped count."""
    if not contact_ids:
        return {}
    since = timezone.now() - timedelta(hours=24)
    sql = CONTACTS_SINCE.format(ids=", ".join(["%s"] * len(contact_ids)))
    with connection.cursor() as cursor:
        cursor.execute(sql, [*contact_ids, domain_id, stamp(since)])
        return {int(contact): int(count) for contact, count in cursor.fetchall()}


def sent_this_hour(campaign: Campaign, limit: int, *, locked: bool) -> int:
    """The campaign's automatic replies in the last hour, counted up to `limit`."""
    # Locked: the campaign row (PostgreSQL), so that new tickets arriving together are counted
    # one after the other, as the contacts are (always contacts, then campaigns).
    if locked:
        list(Campaign.objects.select_for_update().filter(pk=campaign.pk).values_list("id"))
    since = timezone.now() - timedelta(hours=1)
    with connection.cursor() as cursor:
        cursor.execute(CAMPAIGN_SINCE, [campaign.domain_id, stamp(since), campaign.pk, limit])
        return int(cursor.fetchone()[0])


# Transactions that may be acknowledging new tickets of one campaign at the same moment (listener
# threads and processes, IMAP workers, imports), with room to spare: far below the limit, they
# cannot cross it together, so the count needs no lock.
UNLOCKED_MARGIN = 50


def hourly_count(campaign: Campaign, wanted: int) -> int:
    """The campaign's replies of the hour, before a run that may queue `wanted` more. The
    campaign row is locked only near the limit: a lock on every new ticket would make all of
    a campaign's deliveries wait for each other."""
    limit = campaign.auto_reply_hourly_limit
    count = sent_this_hour(campaign, limit, locked=False)
    if count + wanted - 1 + UNLOCKED_MARGIN < limit:
        return count
    return sent_this_hour(campaign, limit, locked=True)


def load_people(wanted: list[NewTicket]) -> None:
    """The tickets' contacts, read and locked in one statement (in id order, so that two runs
    lock them in the same order), and their domains, put on the tickets."""
    ids = sorted({n.ticket.contact_id for n in wanted})
    contacts = Contact.objects.select_for_update().filter(pk__in=ids).order_by("pk")
    by_id = {contact.pk: contact for contact in contacts}
    domains: dict[int, Domain] = {}
    for n in wanted:
        campaign = n.ticket.campaign
        if Campaign.domain.is_cached(campaign):
            domains[campaign.domain_id] = campaign.domain
    missing = {n.ticket.domain_id for n in wanted} - set(domains)
    domains.update(Domain.objects.in_bulk(missing) if missing else {})
    for n in wanted:
        n.ticket.contact = by_id[n.ticket.contact_id]
        n.ticket.domain = domains[n.ticket.domain_id]


class Run:
    """What a run read once, and its counts, which grow as it queues replies."""

    def __init__(self, wanted: list[NewTicket]) -> None:
        self.refused = {id(n): static_refusal(address(n), n.automatic_reason) for n in wanted}
        ours = receiving({address(n) for n in wanted if not self.refused[id(n)]})
        for n in wanted:
            if not self.refused[id(n)] and address(n) in ours:
                self.refused[id(n)] = refusal("receiving", address=address(n))
        counted = [n for n in wanted if not self.refused[id(n)]]
        self.daily: dict[int, int] = {}
        for domain_id in sorted({n.ticket.domain_id for n in counted}):
            ids = sorted({n.ticket.contact_id for n in counted if n.ticket.domain_id == domain_id})
            self.daily.update(sent_today(domain_id, ids))
        campaigns = {n.ticket.campaign_id: n.ticket.campaign for n in counted}
        self.hourly = {
            pk: hourly_count(campaign, sum(n.ticket.campaign_id == pk for n in counted))
            for pk, campaign in sorted(campaigns.items())
        }
        self.replies = {pk: CampaignReply(campaign) for pk, campaign in campaigns.items()}

    def decide(self, n: NewTicket) -> tuple[str, str]:
        """(kind, why) for a ticket, in the run's order: ("", "") when it is acknowledged."""
        ticket, campaign = n.ticket, n.ticket.campaign
        why = self.refused[id(n)]
        if not why and self.daily.get(ticket.contact_id, 0) >= campaign.auto_reply_daily_limit:
            limit = campaign.auto_reply_daily_limit
            why = refusal("daily-limit", address=address(n), limit=limit)
        if not why:
            limit = campaign.auto_reply_hourly_limit
            if self.hourly[campaign.pk] >= limit:
                capped = refusal("hourly-limit", campaign=campaign.name, limit=limit)
                return EventKind.AUTO_REPLY_CAPPED, capped
            why = self.replies[campaign.pk].refused
        if why:
            return EventKind.AUTO_REPLY_SKIPPED, why
        self.daily[ticket.contact_id] = self.daily.get(ticket.contact_id, 0) + 1
        self.hourly[campaign.pk] += 1
        return "", ""


def address(n: NewTicket) -> str:
    return n.ticket.contact.email.lower()


def acknowledge_run(new: list[NewTicket]) -> list[Message | None]:
    """Acknowledge the run's new tickets, in their order, when their campaign says so and the
    rules allow it: each queued reply, or None (why not is in the ticket's history)."""
    wanted = [n for n in new if n.ticket.campaign.auto_reply_enabled]
    if not wanted:
        return [None] * len(new)
    load_people(wanted)
    run = Run(wanted)
    decided: list[tuple[NewTicket, str, str]] = []
    drafts: list[tuple[Ticket, Draft]] = []
    for n in wanted:
        kind, why = run.decide(n)
        decided.append((n, kind, why))
        if not kind:
            drafts.append((n.ticket, run.replies[n.ticket.campaign_id].draft(n.ticket, n.first)))
    sent = iter(store_queued(drafts, author=None))
    events, queued = [], {}
    for n, kind, why in decided:
        if kind:
            events.append(
                event_row(ticket=n.ticket, message=n.first, kind=EventKind(kind), **params(why))
            )
            continue
        message = queued[id(n)] = next(sent)
        kind, to = EventKind.AUTO_REPLY_QUEUED, n.ticket.contact.email
        events.append(event_row(ticket=n.ticket, message=message, kind=kind, address=to))
    TicketEvent.objects.bulk_create(events)
    return [queued.get(id(n)) for n in new]
