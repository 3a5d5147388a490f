"""Writing a run of ordinary messages (see mail.batch): thread them in memory against what
the database holds plus the messages before them in the run, then one INSERT per table."""

from dataclasses import dataclass

from django.db import connection

from comptoir.lib import fastsql
from comptoir.lib.text import clean
from comptoir.mail.batch_sharing import Prepared, Sharing, Target
from comptoir.mail.inbound import to_inbound
from comptoir.mail.ingest import IngestResult, duplicate_reason, own_addresses, raw_message_row
from comptoir.tickets import actions
from comptoir.tickets.actions import InboundMessage
from comptoir.tickets.auto_reply import NewTicket, acknowledge_run
from comptoir.tickets.conversation_lock import lock_conversation
from comptoir.tickets.history import params
from comptoir.tickets.matching import (
    NEW_DETAIL,
    late_parent_detail,
    reference_keys,
    reference_rule,
)
from comptoir.tickets.models import (
    Attachment,
    Contact,
    EventKind,
    Message,
    MessageReference,
    RawMessage,
    Ticket,
    TicketEvent,
)
from comptoir.tickets.numbering import number_tickets


@dataclass
class Decision:
    item: Prepared
    target: Target
    outcome: str  # created | appended | duplicate
    rule: str
    detail: str


@dataclass
class Known:
    """What the database already holds for a run, read in one statement."""

    duplicates: dict[str, int]  # dedupe key -> ticket id
    references: dict[str, int]  # a referenced Message-ID's key -> ticket id
    late: dict[str, int]  # this message's key -> ticket of the first message naming it


MESSAGES, REFERENCES = Message._meta.db_table, MessageReference._meta.db_table
# Stored messages with one of these keys (the run's own: duplicates; the keys they name:
# parents), then references naming one of the run's keys (parents arriving late).
KNOWN_SQL = (
    f"SELECT 0, m.dedupe_key, m.ticket_id, m.id FROM {MESSAGES} m "
    "WHERE m.domain_id = %s AND m.dedupe_key IN ({stored}) "
    f"UNION ALL SELECT 1, r.ref_key, m.ticket_id, r.message_id FROM {REFERENCES} r "
    f"JOIN {MESSAGES} m ON m.id = r.message_id WHERE r.domain_id = %s AND r.ref_key IN ({{own}})"
)


def marks(count: int) -> str:
    return ", ".join(["%s"] * count)


def fetch_known(domain_id: int, run: list[Prepared]) -> Known:
    keys = list(dict.fromkeys(item.key for item in run))
    wanted = {key for item in run for key in item.reference_keys}
    stored = list(dict.fromkeys([*keys, *wanted]))
    sql = KNOWN_SQL.format(
        stored=", ".join(["%s"] * len(stored)), own=", ".join(["%s"] * len(keys))
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [domain_id, *stored, domain_id, *keys])
        rows = cursor.fetchall()
    found = {key: ticket for kind, key, ticket, _id in rows if kind == 0}
    own = set(keys)
    late: dict[str, tuple[int, int]] = {}  # the first message naming it wins
    for kind, key, ticket, message_id in rows:
        if kind == 1 and (key not in late or message_id < late[key][0]):
            late[key] = (message_id, ticket)
    return Known(
        {k: t for k, t in found.items() if k in own},
        {k: t for k, t in found.items() if k in wanted},
        {k: t for k, (_m, t) in late.items()},
    )


def decide(run: list[Prepared], known: Known, sharing: Sharing) -> list[Decision]:
    """The threading rules of tickets.matching, over the database plus the run so far."""
    by_key: dict[str, Target] = {}  # messages of the run, by their dedupe key
    by_reference: dict[str, Target] = {}  # what messages of the run refer to
    decisions: list[Decision] = []
    new_count = 0
    for item in run:
        seen = by_key.get(item.key) or existing(known.duplicates, item.key)
        if seen is not None:
            reason = duplicate_reason(item.parsed.message_id)
            decisions.append(Decision(item, seen, "duplicate", "", reason))
            continue
        target, rule, detail = thread(item, known, by_key, by_reference)
        if target is None:
            target, rule, detail = sharing.find(item)
        if target is None:
            target, rule, detail = Target(new=new_count), "new", NEW_DETAIL
            new_count += 1
        outcome = "created" if rule == "new" else "appended"
        decisions.append(Decision(item, target, outcome, rule, detail))
        by_key[item.key] = target
        for key in item.reference_keys:
            by_reference.setdefault(key, target)
        sharing.note(item, target)
    return decisions


def existing(found: dict[str, int], key: str) -> Target | None:
    return Target(ticket_id=found[key]) if key in found else None


def thread(
    item: Prepared, known: Known, by_key: dict[str, Target], by_reference: dict[str, Target]
) -> tuple[Target | None, str, str]:
    parsed = item.parsed
    for key, header, message_id in reference_keys(parsed.in_reply_to, parsed.references):
        target = by_key.get(key) or existing(known.references, key)
        if target is not None:
            return (target, *reference_rule(header, message_id))
    if parsed.message_id:
        target = existing(known.late, item.key) or by_reference.get(item.key)
        if target is not None:
            return target, "referenced-by", late_parent_detail(parsed.message_id)
    return None, "", ""


CONTACTS = Contact._meta.db_table


def contact_ids(domain_id: int, people: dict[str, str]) -> dict[str, int]:
    """Contact id by address, for {address: name}; new contacts created. One statement on
    PostgreSQL (the new rows inserted, the others read, in one round trip), two on SQLite."""
    if not people:
        return {}
    rows = [Contact(domain_id=domain_id, email=e, name=n) for e, n in people.items()]
    head, row, _returning, fields = fastsql.parts(Contact)
    insert = f"{head} VALUES {', '.join([row] * len(rows))} ON CONFLICT DO NOTHING"
    params = [f.get_db_prep_save(f.pre_save(c, True), connection) for c in rows for f in fields]
    marks = ", ".join(["%s"] * len(people))
    stored = f"SELECT id, email, name FROM {CONTACTS} WHERE domain_id = %s AND email IN "
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The SELECT reads the snapshot taken before the INSERT: no row twice.
            cursor.execute(
                f"WITH new AS ({insert} RETURNING id, email, name) SELECT id, email, name "
                f"FROM new UNION ALL {stored}({marks})",
                [*params, domain_id, *people],
            )
        else:
            cursor.execute(f"{insert} RETURNING id, email, name", params)
        found = {email: (pk, name) for pk, email, name in cursor.fetchall()}
        missing = [email for email in people if email not in found]
        if missing:  # SQLite's known contacts; on PostgreSQL, one created meanwhile
            cursor.execute(f"{stored}({', '.join(['%s'] * len(missing))})", [domain_id, *missing])
            found.update((email, (pk, name)) for pk, email, name in cursor.fetchall())
    for email, (pk, name) in found.items():
        if people[email] and not name:
            Contact.objects.filter(pk=pk).update(name=people[email])
    return {email: pk for email, (pk, _name) in found.items()}


@dataclass
class Filed:
    """A stored (not duplicate) message of the run, with its rows."""

    decision: Decision
    raw: RawMessage
    inbound: InboundMessage
    message: Message | None = None


def create_tickets(domain_id: int, filed: list[Filed]) -> list[Ticket]:
    """The run's new tickets, in the order their first message came (not yet numbered)."""
    firsts = [f for f in filed if f.decision.outcome == "created"]
    people: dict[str, str] = {}
    for f in firsts:
        people.setdefault(clean(f.inbound.from_email, 320), clean(f.inbound.from_name, 200))
    ids = contact_ids(domain_id, people)
    tickets = [
        actions.new_ticket(
            f.decision.item.campaign, f.inbound, ids[clean(f.inbound.from_email, 320)]
        )
        for f in firsts
    ]
    fastsql.insert_many(tickets)
    return tickets


def store_rows(filed: list[Filed], ticket_of: "TicketOf") -> None:
    """Messages, their references and attachments: one INSERT each."""
    for f in filed:
        f.message = actions.message_row(ticket_of(f.decision.target), f.inbound)
    fastsql.insert_many([f.message for f in filed if f.message])
    references: list[MessageReference] = []
    attachments: list[Attachment] = []
    for f in filed:
        assert f.message is not None
        references += actions.reference_rows(f.message, f.inbound)
        attachments += actions.attachment_rows(f.message, f.inbound.attachments)
    fastsql.insert_many(references)
    fastsql.insert_many(attachments)


class TicketOf:
    """Resolves a Target to its Ticket object: existing (loaded once) or new in the run."""

    def __init__(self, existing: dict[int, Ticket], new: list[Ticket]) -> None:
        self.existing, self.new = existing, new

    def __call__(self, target: Target) -> Ticket:
        if target.ticket_id is not None:
            return self.existing[target.ticket_id]
        return self.new[target.new or 0]


def write_run(run: list[Prepared], *, auto_reply: bool = False) -> list[IngestResult]:
    """Store a run (inside the caller's transaction); the results in the run's order.

    auto_reply: acknowledge the run's new tickets, with ingest's own implementation
    (tickets.auto_reply), once they are numbered."""
    domain_id = run[0].campaign.domain_id
    # Before any lookup: another transaction filing one of these conversations commits first.
    lock_conversation(domain_id, [key for item in run for key in (item.key, *item.reference_keys)])
    decisions = decide(
        run, fetch_known(domain_id, run), Sharing(domain_id, own_addresses(domain_id))
    )
    filed = []
    for d in decisions:
        if d.outcome != "duplicate":
            raw = raw_message_row(d.item.raw, domain=d.item.campaign.domain, source=d.item.label)
            raw.envelope_from, raw.envelope_to = d.item.envelope_from, d.item.envelope_to
            # The message rows below read raw.pk, which the bulk INSERT sets.
            filed.append(Filed(d, raw, to_inbound(raw, d.item.parsed, d.item.key, "")))
    fastsql.insert_many([f.raw for f in filed])
    existing = {d.target.ticket_id for d in decisions if d.target.ticket_id is not None}
    new = create_tickets(domain_id, filed)
    ticket_of = TicketOf(Ticket.objects.in_bulk(existing), new)
    store_rows(filed, ticket_of)
    events = history(filed, ticket_of)
    if not auto_reply:
        fastsql.insert_many(events)
    # Numbers last: the counter row stays locked only until this transaction commits.
    numbers = number_tickets(domain_id, [ticket.pk for ticket in new])
    for ticket in new:
        ticket.number = numbers[ticket.pk]
    if auto_reply:  # the history in the acknowledgements' INSERT: one statement less
        acknowledge_new(filed, ticket_of, events)
    raw_of = {id(f.decision): f.raw.pk for f in filed}
    return [
        IngestResult(d.outcome, ticket_of(d.target).number, d.detail, raw_of.get(id(d)))
        for d in decisions
    ]


def acknowledge_new(filed: list[Filed], ticket_of: TicketOf, events: list[TicketEvent]) -> None:
    """The automatic replies of the run's new tickets, decided and written together, as
    ingest_email's one (tickets.auto_reply.acknowledge_run: the same implementation; a run
    holds no automatic mail: mail.batch.prepare sends that through ingest_email)."""
    acknowledge_run(
        [
            NewTicket(ticket_of(f.decision.target), f.message)
            for f in filed
            if f.decision.outcome == "created" and f.message is not None
        ],
        events,
    )


def history(filed: list[Filed], ticket_of: TicketOf) -> list[TicketEvent]:
    """History rows, and the wake-up of existing tickets that got a message (saved here)."""
    events: list[TicketEvent] = []
    woken: dict[int, tuple[Ticket, set[str]]] = {}
    for f in filed:
        decision, ticket = f.decision, ticket_of(f.decision.target)
        why = params(decision.detail)
        if decision.outcome == "created":
            kind = EventKind.TICKET_CREATED
            events.append(actions.event_row(ticket=ticket, message=f.message, kind=kind, **why))
            continue
        kind = EventKind.MESSAGE_APPENDED
        events.append(actions.event_row(ticket=ticket, message=f.message, kind=kind, **why))
        if decision.target.ticket_id is None:
            continue  # a ticket opened earlier in this run: open and unread already
        fields, previous = actions.wake(ticket, f.inbound)
        if previous:
            kind = EventKind.TICKET_REOPENED
            events.append(
                actions.event_row(ticket=ticket, message=f.message, kind=kind, previous=previous)
            )
        woken.setdefault(ticket.pk, (ticket, set()))[1].update(fields)
    groups: dict[tuple[str, ...], list[Ticket]] = {}  # one executemany per set of fields
    for ticket, changed in woken.values():
        groups.setdefault(tuple(sorted(changed)), []).append(ticket)
    for names, tickets in groups.items():
        fastsql.update_many(tickets, names)
    return events
