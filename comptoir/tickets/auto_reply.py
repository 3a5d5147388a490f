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

A run decides in two statements whatever its size (plain SQL: with one SMTP connection each
message is a run of one, issue 11): one that reads and locks the contacts, then one UNION ALL
of the addresses Comptoir receives mail on, a grouped count of the contacts' replies of the
last 24 hours and a count per campaign of its replies of the hour (look_up); what it needs of
the campaign is cached across runs (auto_reply_draft.campaign_reply). Then it goes through its
tickets
in order, counting its own replies as it queues them, so that it decides exactly what
acknowledging them one by one would. The counts are exact under concurrency too: every
transaction that acknowledges has numbered its new tickets first (tickets.numbering), which
locks the domain's counter row until it commits, so two of them never count at the same time.
The contact and campaign locks below keep the rule true on their own, should numbering change.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import connection
from django.utils import timezone

from comptoir.campaigns.addresses import base_address
from comptoir.campaigns.models import Campaign, InboundAddress
from comptoir.lib import fastsql
from comptoir.mail.compose import Draft, writable_address
from comptoir.tenancy.models import Domain
from comptoir.tickets.actions import event_row
from comptoir.tickets.auto_reply_draft import campaign_reply
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
    f"SELECT 1, t.contact_id, '', COUNT(*) FROM {Ticket._meta.db_table} t"
    f" JOIN {Message._meta.db_table} m ON m.ticket_id = t.id"
    " WHERE t.contact_id IN ({ids}) AND m.domain_id = %s AND m.direction = 'outbound'"
    " AND m.is_automatic AND m.created_at >= %s GROUP BY t.contact_id"
)
# The addresses Comptoir (any domain) receives mail on, among the candidates.
RECEIVING = (
    f"SELECT 0, 0, a.address, 0 FROM {InboundAddress._meta.db_table} a"
    " WHERE a.address IN ({addresses})"
)
HOURLY = f"SELECT 2, %s, '', ({CAMPAIGN_SINCE})"


def stamp(since: datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(since)  # as the ORM stores it


def marks(count: int) -> str:
    return ", ".join(["%s"] * count)


@dataclass
class Lookups:
    """What a run reads in one statement (`look_up`)."""

    receiving: set[str]  # the candidate addresses Comptoir receives mail on
    daily: dict[int, int]  # automatic replies of the last 24 hours, by contact
    hourly: dict[int, int]  # the campaign's of the last hour (up to its limit), by campaign


def look_up(wanted: list[NewTicket]) -> Lookups:
    """For the run's tickets not refused already, in one UNION ALL: which of their addresses
    (and base addresses: `support+x@` reaches `support@`) Comptoir receives mail on, their
    contacts' replies of the last 24 hours (one grouped count per domain), their campaigns'
    replies of the hour, unlocked (hourly_count locks when near the limit). Exact under
    concurrency because the run numbered its tickets before (see the module's docstring)."""
    found = Lookups(set(), {}, {})
    if not wanted:
        return found
    addresses = {address(n) for n in wanted}
    candidates = sorted(addresses | {base_address(a) for a in addresses})
    parts = [RECEIVING.format(addresses=marks(len(candidates)))]
    params: list[Any] = list(candidates)
    now = timezone.now()
    for domain_id in sorted({n.ticket.domain_id for n in wanted}):
        ids = sorted({n.ticket.contact_id for n in wanted if n.ticket.domain_id == domain_id})
        parts.append(CONTACTS_SINCE.format(ids=marks(len(ids))))
        params += [*ids, domain_id, stamp(now - timedelta(hours=24))]
    for pk, campaign in sorted({n.ticket.campaign_id: n.ticket.campaign for n in wanted}.items()):
        parts.append(HOURLY)
        since = stamp(now - timedelta(hours=1))
        params += [pk, campaign.domain_id, since, pk, campaign.auto_reply_hourly_limit]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        for kind, key, text, count in cursor.fetchall():
            if kind == 0:
                found.receiving.add(text)
            else:
                (found.daily if kind == 1 else found.hourly)[int(key)] = int(count)
    return found


def sent_this_hour(campaign: Campaign, limit: int) -> int:
    """The campaign's automatic replies in the last hour, counted up to `limit`, once its
    row is locked (PostgreSQL), so that new tickets arriving together are counted one after
    the other, as the contacts are (always contacts, then campaigns)."""
    list(Campaign.objects.select_for_update().filter(pk=campaign.pk).values_list("id"))
    since = timezone.now() - timedelta(hours=1)
    with connection.cursor() as cursor:
        cursor.execute(CAMPAIGN_SINCE, [campaign.domain_id, stamp(since), campaign.pk, limit])
        return int(cursor.fetchone()[0])


# Transactions that may be acknowledging new tickets of one campaign at the same moment (listener
# threads and processes, IMAP workers, imports), with room to spare: far below the limit, they
# cannot cross it together, so the count needs no lock.
UNLOCKED_MARGIN = 50


def hourly_count(campaign: Campaign, wanted: int, unlocked: int) -> int:
    """The campaign's replies of the hour, before a run that may queue `wanted` more, from
    the `unlocked` count. The campaign row is locked only near the limit: a lock on every new
    ticket would make all of a campaign's deliveries wait for each other."""
    limit = campaign.auto_reply_hourly_limit
    if unlocked + wanted - 1 + UNLOCKED_MARGIN < limit:
        return unlocked
    return sent_this_hour(campaign, limit)


CONTACTS = Contact._meta.db_table
# The contact fields an acknowledgement reads (the others are left deferred), in field order.
CONTACT_FIELDS = tuple(
    f.attname
    for f in Contact._meta.concrete_fields
    if f.attname in {"id", "domain_id", "email", "name", "language"}
)


def load_people(wanted: list[NewTicket]) -> None:
    """The tickets' contacts, read and locked in one statement (in id order, so that two runs
    lock them in the same order), and their domains, put on the tickets."""
    ids = sorted({n.ticket.contact_id for n in wanted})
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    sql = (
        f"SELECT {', '.join(CONTACT_FIELDS)} FROM {CONTACTS} WHERE id IN ({marks(len(ids))})"
        f" ORDER BY id{lock}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, ids)
        rows = cursor.fetchall()
    by_id = {row[0]: Contact.from_db(connection.alias, CONTACT_FIELDS, row) for row in rows}
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
        found = look_up([n for n in wanted if not self.refused[id(n)]])
        for n in wanted:
            ours = {address(n), base_address(address(n))} & found.receiving
            if not self.refused[id(n)] and ours:
                self.refused[id(n)] = refusal("receiving", address=address(n))
        counted = [n for n in wanted if not self.refused[id(n)]]
        self.daily = found.daily
        campaigns = {n.ticket.campaign_id: n.ticket.campaign for n in counted}
        self.hourly = {
            pk: hourly_count(
                campaign,
                sum(n.ticket.campaign_id == pk for n in counted),
                found.hourly.get(pk, 0),
            )
            for pk, campaign in sorted(campaigns.items())
        }
        self.replies = {pk: campaign_reply(campaign) for pk, campaign in campaigns.items()}

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


def acknowledge_run(
    new: list[NewTicket], history: Sequence[TicketEvent] = ()
) -> list[Message | None]:
    """Acknowledge the run's new tickets, in their order, when their campaign says so and the
    rules allow it: each queued reply, or None (why not is in the ticket's history). The
    caller's `history` rows are written first, in the same INSERT as the run's own."""
    wanted = [n for n in new if n.ticket.campaign.auto_reply_enabled]
    if not wanted:
        fastsql.insert_many(history)
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
    # The senders were checked by their CampaignReply (a refused one queues nothing).
    sent = iter(store_queued(drafts, author=None, checked=True))
    events, queued = list(history), {}
    for n, kind, why in decided:
        if kind:
            events.append(
                event_row(ticket=n.ticket, message=n.first, kind=EventKind(kind), **params(why))
            )
            continue
        message = queued[id(n)] = next(sent)
        kind, to = EventKind.AUTO_REPLY_QUEUED, n.ticket.contact.email
        events.append(event_row(ticket=n.ticket, message=message, kind=kind, address=to))
    fastsql.insert_many(events)
    return [queued.get(id(n)) for n in new]
