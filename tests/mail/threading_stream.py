"""A reproducible interleaved stream of customer mail, with the ticket each message belongs to.

Many customers write; they reply, reply to replies, forward mails to support, drop
References, keep only the subject tag, and some quote another customer's ticket number.
Every message carries the name of its conversation, so a test can check that each
conversation ended up in exactly one ticket and no ticket mixes two conversations.
"""

import random
from dataclasses import dataclass, field
from email.message import EmailMessage


@dataclass
class Conversation:
    key: str
    customer: str
    message_ids: list[str] = field(default_factory=list)
    subject: str = ""


@dataclass
class StreamMail:
    conversation: str
    raw: bytes
    kind: str  # new | reply | reply-to-reply | references-only | tag-only | stranger-tag | forward


def mail(sender: str, subject: str, message_id: str, body: str, **headers: str) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "support@acme.test"
    message["Subject"] = subject
    message["Message-ID"] = f"<{message_id}>"
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return bytes(message)


def build_stream(seed: int = 7, customers: int = 30, steps: int = 220) -> list[StreamMail]:
    """Conversations are numbered in creation order so tag replies can name ticket numbers
    once the test knows them; tag-only messages are produced by `tag_mail` at run time."""
    rng = random.Random(seed)
    stream: list[StreamMail] = []
    conversations: list[Conversation] = []
    for step in range(steps):
        customer = f"client{rng.randrange(customers)}@exemple.fr"
        mine = [c for c in conversations if c.customer == customer]
        choice = rng.random()
        if not mine or choice < 0.35:
            conv = Conversation(f"c{len(conversations)}", customer, subject=f"Demande {step}")
            conversations.append(conv)
            mid = f"m{step}@exemple.fr"
            conv.message_ids.append(mid)
            kind = "new"
            if choice < 0.05:
                # A forward of someone else's mail: a new request, never another's ticket.
                body = "---------- Forwarded message ---------\nFrom: autre@exemple.fr\n..."
                raw = mail(customer, f"Fwd: {conv.subject}", mid, body)
                kind = "forward"
            else:
                raw = mail(customer, conv.subject, mid, f"Bonjour, demande {step}.")
            stream.append(StreamMail(conv.key, raw, kind))
            continue
        conv = rng.choice(mine)
        mid = f"m{step}@exemple.fr"
        parent = rng.choice(conv.message_ids)
        if choice < 0.75:
            refs = " ".join(f"<{m}>" for m in conv.message_ids)
            raw = mail(
                customer,
                f"RE: {conv.subject}",
                mid,
                "Suite.",
                In_Reply_To=f"<{parent}>",
                References=refs,
            )
            kind = "reply" if parent == conv.message_ids[0] else "reply-to-reply"
        else:
            raw = mail(customer, f"Re: {conv.subject}", mid, "Suite.", In_Reply_To=f"<{parent}>")
            kind = "references-only"
        conv.message_ids.append(mid)
        stream.append(StreamMail(conv.key, raw, kind))
    return stream


def tag_only(sender: str, number: int, message_id: str) -> bytes:
    """A reply that keeps only the subject tag: no In-Reply-To, no References."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "support@acme.test"
    message["Subject"] = f"Re: [#{number}] suite"
    message["Message-ID"] = f"<{message_id}>"
    message.set_content("Sans en-têtes de réponse.")
    return bytes(message)
