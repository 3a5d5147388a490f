"""Threading: which ticket does an inbound message belong to? (SPEC §3)

In this order:
  (a) its In-Reply-To / References name a Message-ID already known in the domain (inbound, or
      outbound since Comptoir generates those); failing that, a message already stored names
      *this* message's Message-ID (the reply arrived before its parent);
  (b) the subject carries a ticket tag [#NUMBER] and the sender is a participant of that ticket;
  (c) otherwise a new ticket.
The rule that matched is returned in words, for the TicketEvent.
"""

import re
from dataclasses import dataclass

from comptoir.lib.fastsql import select_id
from comptoir.lib.text import message_id_key
from comptoir.tickets.models import Direction, Message, MessageReference, Ticket

TAG = re.compile(r"\[#(\d{1,18})\]")


@dataclass
class ThreadMatch:
    ticket: Ticket | None
    rule: str  # in-reply-to | references | referenced-by | subject-tag | new
    detail: str


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


NEW_DETAIL = "new ticket: no known Message-ID referenced and no usable subject tag"


def reference_rule(header: str, message_id: str) -> tuple[str, str]:
    """(rule, detail) when a referenced Message-ID is known."""
    rule = "in-reply-to" if header == "In-Reply-To" else "references"
    return rule, f"matched {header} header <{message_id}>"


def late_parent_detail(message_id: str) -> str:
    return f"a message of this ticket already referenced <{message_id}> (it arrived late)"


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
            return ThreadMatch(found[key], *reference_rule(header, message_id))
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
    return ThreadMatch(ticket, "referenced-by", late_parent_detail(message_id))


def ticket_participants(ticket: Ticket, own_addresses: set[str]) -> set[str]:
    """Everyone who wrote or was written to on the ticket, except our own addresses."""
    people = {ticket.contact.email}
    for from_email, to, cc in ticket.messages.values_list("from_email", "to", "cc"):
        people.add(from_email)
        people.update(a.get("email", "") for a in [*to, *cc])
    return {p for p in people if p} - own_addresses


def by_subject_tag(
    domain_id: int, subject: str, sender: str, own_addresses: set[str]
) -> tuple[ThreadMatch | None, str]:
    """The tagged ticket when the sender takes part in it; else why the tag was ignored."""
    ignored = []
    for number in TAG.findall(subject):
        ticket = (
            Ticket.objects.filter(domain_id=domain_id, number=int(number))
            .select_related("contact")
            .first()
        )
        if ticket is None:
            ignored.append(f"subject tag [#{number}] names no ticket")
        elif sender and sender in ticket_participants(ticket, own_addresses):
            detail = f"matched subject tag [#{number}] (sender {sender} is a participant)"
            return ThreadMatch(ticket, "subject-tag", detail), ""
        else:
            ignored.append(
                f"subject tag [#{number}] ignored: {sender or 'sender'} is not a participant"
            )
    return None, "; ".join(ignored)


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
    match = by_references(domain_id, reference_keys(in_reply_to, references))
    match = match or by_late_parent(domain_id, message_id)
    if match is not None:
        return match
    tagged, ignored = by_subject_tag(domain_id, subject, sender, own_addresses)
    if tagged is not None:
        return tagged
    return ThreadMatch(None, "new", f"{NEW_DETAIL} ({ignored})" if ignored else NEW_DETAIL)


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
