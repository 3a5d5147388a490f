"""Threading: which ticket does an inbound message belong to? (SPEC §3)

In this order:
  (a) its In-Reply-To / References name a Message-ID already known in the domain (inbound, or
      outbound since Comptoir generates those); failing that, a message already stored names
      *this* message's Message-ID (the reply arrived before its parent); failing that, a
      message already stored names a Message-ID that this one names too, and the sender takes
      part in that message's ticket (two replies arrived before their common parent);
  (b) the subject carries a ticket tag [#NUMBER] and the sender is a participant of that ticket;
  (c) otherwise a new ticket.
The rule that matched is returned as a history Reason: its code and parameters, for the
TicketEvent, and its English words.
"""

import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import Min

from comptoir.lib.fastsql import select_id
from comptoir.lib.text import message_id_key
from comptoir.tickets.history import Reason, rule
from comptoir.tickets.models import Direction, Message, MessageReference, Ticket

TAG = re.compile(r"\[#(\d{1,18})\]")


@dataclass
class ThreadMatch:
    ticket: Ticket | None
    detail: Reason  # its data["rule"]: one of tickets.history.RULES

    @property
    def rule(self) -> str:
        return str(self.detail.data["rule"])


def reference_keys(in_reply_to: list[str], references: list[str]) -> list[tuple[str, str, str]]:
    """(key, header, id) for every referenced id, most specific first: the direct parent
    (In-Reply-To), then References from the newest to the oldest."""
    ordered = [("In-Reply-To", i) for i in in_reply_to]
    ordered += [("References", i) for i in reversed(references)]
    seen: set[str] = set()
    keys = []
    for header, message_id in ordered:
        key = message_id_key(message_id)
        if message_id and key not in seen:
            seen.add(key)
            keys.append((key, header, message_id))
    return keys


NEW_DETAIL = rule("new")


def reference_rule(header: str, message_id: str) -> tuple[str, Reason]:
    """(rule, detail) when a referenced Message-ID is known."""
    code = "in-reply-to" if header == "In-Reply-To" else "references"
    return code, rule(code, message_id=message_id)


def late_parent_detail(message_id: str) -> Reason:
    return rule("referenced-by", message_id=message_id)


def by_references(domain_id: int, keys: list[tuple[str, str, str]]) -> ThreadMatch | None:
    if not keys:
        return None
    found = {
        m.dedupe_key: m.ticket
        for m in Message.objects.filter(
            domain_id=domain_id, dedupe_key__in=[k for k, _h, _i in keys]
        ).select_related("ticket")
    }
    for key, header, message_id in keys:
        if key in found:
            return ThreadMatch(found[key], reference_rule(header, message_id)[1])
    return None


LATE_PARENT_SQL = (
    f"SELECT message_id FROM {MessageReference._meta.db_table} "
    "WHERE domain_id = %s AND ref_key = %s ORDER BY message_id LIMIT 1"
)


def by_late_parent(domain_id: int, message_id: str) -> ThreadMatch | None:
    """A stored message already refers to this one: the parent arrived after its reply."""
    if not message_id:
        return None
    # Single-table lookup on the common path (no hit); the join only when there is one.
    referring = select_id(LATE_PARENT_SQL, [domain_id, message_id_key(message_id)])
    if referring is None:
        return None
    ticket = Ticket.objects.get(messages__id=referring)
    return ThreadMatch(ticket, late_parent_detail(message_id))


def message_people(from_email: str, to: list[dict[str, str]], cc: list[dict[str, str]]) -> set[str]:
    """Who wrote a message and who it was written to."""
    return {from_email, *(a.get("email", "") for a in [*to, *cc])}


def ticket_participants(ticket: Ticket, own_addresses: set[str]) -> set[str]:
    """Everyone who wrote or was written to on the ticket, except our own addresses."""
    people = {ticket.contact.email}
    for from_email, to, cc in ticket.messages.values_list("from_email", "to", "cc"):
        people |= message_people(from_email, to, cc)
    return {p for p in people if p} - own_addresses


# Tickets tried per shared Message-ID: a Message-ID that many customers name (a newsletter
# sent from elsewhere) must not cost one participant check per ticket that names it.
SHARED_CANDIDATES = 3
SHARED_KEYS_SQL = (
    f"SELECT DISTINCT ref_key FROM {MessageReference._meta.db_table} "
    "WHERE domain_id = %s AND ref_key IN ({})"
)


def shared_detail(message_id: str) -> Reason:
    return rule("shared-reference", message_id=message_id)


def named_keys(domain_id: int, keys: list[str]) -> set[str]:
    """Which of these Message-ID keys a stored message names (one index-only query)."""
    if not keys:
        return set()
    with connection.cursor() as cursor:
        cursor.execute(SHARED_KEYS_SQL.format(", ".join(["%s"] * len(keys))), [domain_id, *keys])
        return {row[0] for row in cursor.fetchall()}


def sharing_tickets(domain_id: int, key: str) -> list[int]:
    """The first SHARED_CANDIDATES tickets (by their first message) naming this key."""
    rows = (
        MessageReference.objects.filter(domain_id=domain_id, ref_key=key)
        .values("message__ticket_id")
        .annotate(first=Min("message_id"))
        .order_by("first")
        .values_list("message__ticket_id", flat=True)
    )
    return list(rows[:SHARED_CANDIDATES])


def by_shared_reference(
    domain_id: int, keys: list[tuple[str, str, str]], sender: str, own_addresses: set[str]
) -> ThreadMatch | None:
    """A stored message names a Message-ID this one names too, none of them known (siblings
    before their parent): its ticket, when the sender takes part in it. The participant
    check keeps apart the customers who all answer one mail Comptoir never received."""
    if not sender:
        return None
    named = named_keys(domain_id, [key for key, _h, _i in keys])
    for key, _header, message_id in keys:
        if key not in named:
            continue
        for ticket_id in sharing_tickets(domain_id, key):
            ticket = Ticket.objects.select_related("contact").get(pk=ticket_id)
            if sender in ticket_participants(ticket, own_addresses):
                return ThreadMatch(ticket, shared_detail(message_id))
    return None


def by_subject_tag(
    domain_id: int, subject: str, sender: str, own_addresses: set[str]
) -> tuple[ThreadMatch | None, list[dict[str, object]]]:
    """The tagged ticket when the sender takes part in it; else why the tags were ignored."""
    ignored = []
    for number in TAG.findall(subject):
        ticket = (
            Ticket.objects.filter(domain_id=domain_id, number=int(number))
            .select_related("contact")
            .first()
        )
        if ticket is None:
            ignored.append({"number": int(number), "why": "no-ticket"})
        elif sender and sender in ticket_participants(ticket, own_addresses):
            detail = rule("subject-tag", number=int(number), sender=sender)
            return ThreadMatch(ticket, detail), []
        else:
            ignored.append({"number": int(number), "why": "not-participant", "sender": sender})
    return None, ignored


def find_thread(
    *,
    domain_id: int,
    message_id: str,
    in_reply_to: list[str],
    references: list[str],
    subject: str,
    sender: str,
    own_addresses: set[str],
) -> ThreadMatch:
    keys = reference_keys(in_reply_to, references)
    match = by_references(domain_id, keys)
    match = match or by_late_parent(domain_id, message_id)
    match = match or by_shared_reference(domain_id, keys, sender, own_addresses)
    if match is not None:
        return match
    tagged, ignored = by_subject_tag(domain_id, subject, sender, own_addresses)
    if tagged is not None:
        return tagged
    return ThreadMatch(None, rule("new", ignored=ignored) if ignored else NEW_DETAIL)


def outbound_message(domain_id: int, message_id: str) -> Message | None:
    """One of our own messages by its Message-ID (to attach a bounce to it)."""
    if not message_id:
        return None
    return (
        Message.objects.filter(domain_id=domain_id, dedupe_key=message_id_key(message_id))
        .exclude(direction=Direction.NOTE)
        .select_related("ticket")
        .first()
    )
