"""Conversations whose messages are all delivered at the same instant, and the checks that
each ended in one ticket of its own (tests/mail/test_conversation_concurrency.py).

Each conversation is four messages between a customer and a colleague in copy: the first
message, two sibling replies to it (one from each), and a reply to the first reply. Every
other conversation starts as a reply to a newsletter that Comptoir never received, the same
one for every customer: a Message-ID they share but that must never join their tickets.
"""

from collections import Counter
from email.message import EmailMessage

from comptoir.tickets.models import Message, TicketEvent

NEWSLETTER = "newsletter-2026-12@mailing.acme.test"


def message(
    conversation: str, index: int, *, to: str, reply_to_ids: list[str], first_is_reply: bool
) -> tuple[str, bytes]:
    """(Message-ID, raw bytes) of message `index` of a conversation."""
    customer, colleague = f"{conversation}@client.test", f"{conversation}.colleague@client.test"
    sender, copied = (customer, colleague) if index % 2 == 0 else (colleague, customer)
    message_id = f"{conversation}.{index}@client.test"
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = to
    mail["Cc"] = copied
    mail["Subject"] = f"Commande {conversation}" if index == 0 else f"Re: Commande {conversation}"
    mail["Message-ID"] = f"<{message_id}>"
    references = [NEWSLETTER] if first_is_reply else []
    references += reply_to_ids
    if references:
        mail["In-Reply-To"] = f"<{references[-1]}>"
        mail["References"] = " ".join(f"<{i}>" for i in references)
    mail.set_content(f"Message {index} de la conversation {conversation}.")
    return message_id, bytes(mail)


def conversation(name: str, *, to: str, first_is_reply: bool) -> list[tuple[str, bytes]]:
    """The four messages of a conversation, in the order they were written."""
    first = f"{name}.0@client.test"
    reply = f"{name}.1@client.test"
    parents = {0: [], 1: [first], 2: [first], 3: [first, reply]}
    return [
        message(name, index, to=to, reply_to_ids=ids, first_is_reply=first_is_reply)
        for index, ids in parents.items()
    ]


def conversations(prefix: str, count: int, *, to: str) -> dict[str, list[tuple[str, bytes]]]:
    return {
        f"{prefix}c{n}": conversation(f"{prefix}c{n}", to=to, first_is_reply=n % 2 == 1)
        for n in range(count)
    }


def conversation_of(message_id: str) -> str:
    return message_id.split(".", 1)[0]


def thread_faults(domain_id: int, sent: dict[str, list[tuple[str, bytes]]]) -> dict[str, object]:
    """What went wrong, by kind; all empty when every conversation is one ticket of its own."""
    rows = Message.objects.filter(domain_id=domain_id, direction="inbound")
    stored = list(rows.values_list("message_id", "ticket_id"))
    copies = Counter(message_id for message_id, _ticket in stored)
    tickets_of: dict[str, set[int]] = {}
    conversations_of: dict[int, set[str]] = {}
    for message_id, ticket_id in stored:
        tickets_of.setdefault(conversation_of(message_id), set()).add(ticket_id)
        conversations_of.setdefault(ticket_id, set()).add(conversation_of(message_id))
    expected = {message_id for messages in sent.values() for message_id, _raw in messages}
    return {
        "missing": sorted(expected - set(copies)),
        "duplicates": sorted(m for m, n in copies.items() if n > 1),
        "splits": sorted(c for c, tickets in tickets_of.items() if len(tickets) > 1),
        "foreign joins": sorted(t for t, convs in conversations_of.items() if len(convs) > 1),
    }


def acknowledgements_per_ticket(domain_id: int) -> Counter[int]:
    events = TicketEvent.objects.filter(domain_id=domain_id, kind="auto_reply_queued")
    return Counter(events.values_list("ticket_id", flat=True))
