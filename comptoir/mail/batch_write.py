"""Writing a run of ordinary messages (see mail.batch): thread them in memory against what
the database holds plus the messages before them in the run, then one INSERT per table."""

from dataclasses import dataclass

from comptoir.lib.text import clean
from comptoir.mail.batch_sharing import Prepared, Sharing, Target
from comptoir.mail.inbound import to_inbound
from comptoir.mail.ingest import IngestResult, duplicate_reason, own_addresses, raw_message_row
from comptoir.tickets import actions
from comptoir.tickets.actions import InboundMessage
from comptoir.tickets.auto_reply import NewTicket, acknowledge_run
from comptoir.tickets.conversation_lock import lock_conversation
from comptoir.tickets.matching import (
    NEW_DETAIL,
    late_parent_detail,
    reference_keys,
    reference_rule,
)
from comptoir.tickets.models import (
    Attachment,
    Contact,
    Message,
    MessageReference,
    RawMessage,
    Ticket,
    TicketEvent,
)
from comptoir.tickets.numbering import allocate_ticket_numbers


@dataclass
class Decision:
    item: Prepared
    target: Target
    outcome: str  # created | appended | duplicate
    rule: str
    detail: str


@dataclass
class Known:
    """What the database already holds for a run, read in three statements."""

    duplicates: dict[str, int]  # dedupe key -> ticket id
    references: dict[str, int]  # a referenced Message-ID's key -> ticket id
    late: dict[str, int]  # this message's key -> ticket of the first message naming it


def fetch_known(domain_id: int, run: list[Prepared]) -> Known:
    keys = [item.key for item in run]
    messages = Message.objects.filter(domain_id=domain_id)
    duplicates = dict(messages.filter(dedupe_key__in=keys).values_list("dedupe_key", "ticket_id"))
    wanted = {key for item in run for key in item.reference_keys}
    references = dict(messages.filter(dedupe_key__in=wanted).values_list("dedupe_key", "ticket_id"))
    rows = (
        MessageReference.objects.filter(domain_id=domain_id, ref_key__in=keys)
        .order_by("-message_id")  # later rows overwrite: the first message naming it wins
        .values_list("ref_key", "message__ticket_id")
    )
    return Known(duplicates, references, dict(rows))


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


def contact_ids(domain_id: int, people: dict[str, str]) -> dict[str, int]:
    """Contact id by address, for {address: name}; new contacts created (three statements)."""

    def fetch() -> dict[str, tuple[int, str]]:
        rows = Contact.objects.filter(domain_id=domain_id, email__in=list(people))
        return {email: (pk, name) for pk, email, name in rows.values_list("id", "email", "name")}

    found = fetch()
    missing = [Contact(domain_id=domain_id, email=e, name=n) for e, n in people.items()]
    missing = [contact for contact in missing if contact.email not in found]
    if missing:
        Contact.objects.bulk_create(missing, ignore_conflicts=True)
        found = fetch()
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
    Ticket.objects.bulk_create(tickets)
    return tickets


def store_rows(filed: list[Filed], ticket_of: "TicketOf") -> None:
    """Messages, their references and attachments: one INSERT each."""
    for f in filed:
        f.message = actions.message_row(ticket_of(f.decision.target), f.inbound)
    Message.objects.bulk_create([f.message for f in filed if f.message])
    references: list[MessageReference] = []
    attachments: list[Attachment] = []
    for f in filed:
        assert f.message is not None
        references += actions.reference_rows(f.message, f.inbound)
        attachments += actions.attachment_rows(f.message, f.inbound.attachments)
    MessageReference.objects.bulk_create(references)
    Attachment.objects.bulk_create(attachments)


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
    RawMessage.objects.bulk_create([f.raw for f in filed])
    existing = {d.target.ticket_id for d in decisions if d.target.ticket_id is not None}
    new = create_tickets(domain_id, filed)
    ticket_of = TicketOf(Ticket.objects.in_bulk(existing), new)
    store_rows(filed, ticket_of)
    events = history(filed, ticket_of)
    # Numbers last: the counter row stays locked only until this transaction commits.
    numbers = allocate_ticket_numbers(domain_id, len(new)) if new else []
    for ticket, number in zip(new, numbers, strict=True):
        ticket.number = number
    Ticket.objects.bulk_update(new, ["number"])
    TicketEvent.objects.bulk_create(events)
    if auto_reply:
        acknowledge_new(filed, ticket_of)
    raw_of = {id(f.decision): f.raw.pk for f in filed}
    return [
        IngestResult(d.outcome, ticket_of(d.target).number, d.detail, raw_of.get(id(d)))
        for d in decisions
    ]


def acknowledge_new(filed: list[Filed], ticket_of: TicketOf) -> None:
    """The automatic replies of the run's new tickets, decided and written together, as
    ingest_email's one (tickets.auto_reply.acknowledge_run: the same implementation; a run
    holds no automatic mail: mail.batch.prepare sends that through ingest_email)."""
    acknowledge_run(
        [
            NewTicket(ticket_of(f.decision.target), f.message)
            for f in filed
            if f.decision.outcome == "created" and f.message is not None
        ]
    )


def history(filed: list[Filed], ticket_of: TicketOf) -> list[TicketEvent]:
    """History rows, and the wake-up of existing tickets that got a message (saved here)."""
    events: list[TicketEvent] = []
    woken: dict[int, tuple[Ticket, set[str]]] = {}
    for f in filed:
        decision, ticket = f.decision, ticket_of(f.decision.target)
        if decision.outcome == "created":
            events.append(
                actions.event_row(ticket, f.message, "ticket_created", decision.detail, rule="new")
            )
            continue
        events.append(
            actions.event_row(
                ticket, f.message, "message_appended", decision.detail, rule=decision.rule
            )
        )
        if decision.target.ticket_id is None:
            continue  # a ticket opened earlier in this run: open and unread already
        fields, previous = actions.wake(ticket, f.inbound)
        if previous:
            detail = actions.reopened_detail(previous)
            events.append(actions.event_row(ticket, f.message, "ticket_reopened", detail))
        woken.setdefault(ticket.pk, (ticket, set()))[1].update(fields)
    for ticket, changed in woken.values():
        ticket.save(update_fields=sorted(changed))
    return events
