"""Outbound state changes of tickets: an agent's reply, an internal note, the automatic reply.

A reply is composed (mail.compose) and stored in the ticket, raw bytes included, with
delivery state `queued`, in the same transaction as the action that wrote it; the outbox
(mail.outbox) sends it later. So nothing is lost when the SMTP server is down, and what the
thread shows is exactly what was sent.
"""

import hashlib
import secrets
from collections.abc import Sequence
from datetime import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.campaigns.addresses import foreign_addresses
from comptoir.campaigns.models import Campaign, EmailTemplate, InboundAddress
from comptoir.campaigns.signatures import RenderedSignature, render_signature
from comptoir.lib.fastsql import insert, insert_many
from comptoir.lib.storable import unstorable_reason
from comptoir.lib.text import clean, message_id_key
from comptoir.mail.compose import (
    Draft,
    OutgoingAttachment,
    Person,
    Quote,
    build,
    make_message_id,
    quoted_text,
    references_for,
    tagged_subject,
    text_body,
    writable_address,
)
from comptoir.tenancy.models import User
from comptoir.tickets.access import supervises
from comptoir.tickets.actions import attachment_row, record_event
from comptoir.tickets.history import Reason, refusal
from comptoir.tickets.models import (
    Attachment,
    DeliveryState,
    Direction,
    EventKind,
    Message,
    RawMessage,
    RawState,
    Ticket,
)
from comptoir.tickets.template_values import customer_language, render_for, template_values


class ReplyError(Exception):
    """A reply that cannot be queued as asked; the message is for the agent, `field` the
    part of the request it is about, when it is one ("cc"); `reason` the same for a ticket's
    history (the automatic reply's refusals), said in its reader's language."""

    def __init__(self, message: str, *, field: str = "", reason: Reason | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.reason = reason


def recipients_error(count: int) -> str:
    """Why a message to `count` recipients is refused, or "" (COMPTOIR_MAX_RECIPIENTS)."""
    limit = settings.COMPTOIR_MAX_RECIPIENTS
    if count <= limit:
        return ""
    text = _("A message may have at most %(limit)d recipients (To and Cc); this one has %(count)d.")
    return text % {"limit": limit, "count": count}


def signature_text(campaign: Campaign) -> str:
    """The campaign's own signature; when blank, the text of its shared signature."""
    if campaign.signature.strip() or campaign.shared_signature_id is None:
        return campaign.signature
    signature = campaign.shared_signature
    if signature is None or signature.domain_id != campaign.domain_id:
        return ""
    return signature.text


def signature_for(ticket: Ticket, agent: User | None) -> RenderedSignature:
    """The campaign's signature with this ticket's values: text (under "-- ") and HTML."""
    signature = signature_text(ticket.campaign)
    if not signature.strip():
        return RenderedSignature("", "")
    return render_signature(signature, template_values(ticket, agent))


def sender_address(campaign: Campaign) -> str:
    """The campaign's sender address: its setting, else its first inbound address."""
    if campaign.sender_email:
        return campaign.sender_email.lower()
    first = InboundAddress.objects.filter(campaign=campaign).order_by("id").first()
    if first is None:
        raise ReplyError(
            _("Campaign %(name)s has no sender address and no inbound address.")
            % {"name": campaign.name},
            reason=refusal("no-sender", campaign=campaign.name),
        )
    return first.address


def parent_message(ticket: Ticket) -> Message | None:
    """The customer's message a reply answers: the latest one written by a person."""
    inbound = ticket.messages.filter(direction=Direction.INBOUND).order_by("-created_at", "-id")
    return inbound.filter(is_automatic=False).first() or inbound.first()


def reply_recipients(ticket: Ticket, parent: Message | None) -> list[Person]:
    """Where the customer asked replies to go (Reply-To), else who wrote; else the contact."""
    if parent is not None and parent.reply_to:
        return [Person(a.get("name", ""), a["email"]) for a in parent.reply_to if a.get("email")]
    if parent is not None and parent.from_email:
        return [Person(parent.from_name, parent.from_email)]
    return [Person(ticket.contact.name, ticket.contact.email)]


def root_message_id(ticket: Ticket) -> str:
    first = ticket.messages.exclude(direction=Direction.NOTE).order_by("created_at", "id")
    return first.values_list("message_id", flat=True).first() or ""


def threading_headers(ticket: Ticket, parent: Message | None) -> tuple[str, list[str]]:
    """(In-Reply-To, References) of a reply on this ticket."""
    if parent is None or not parent.message_id:
        root = root_message_id(ticket)
        return "", [root] if root else []
    parent_id = parent.message_id.strip("<>")
    return parent_id, references_for(root_message_id(ticket), parent.references, parent_id)


def check_may_reply(ticket: Ticket, author: User) -> None:
    if author.domain_id != ticket.domain_id or not author.is_active:
        raise PermissionDenied("not a user of this ticket's domain")
    if not (author.can_process or author.can_supervise):
        raise PermissionDenied("this user may not process tickets")
    # Another's ticket: only with the right to supervise, and in a campaign the author
    # supervises (tickets.access); a team lead's seat alone lets them see it, not answer.
    others = ticket.assignee_id not in (None, author.pk)
    if others and not (author.can_supervise and supervises(author, ticket.campaign)):
        raise PermissionDenied("this ticket is assigned to someone else")


def reply(
    ticket: Ticket,
    *,
    author: User,
    text: str,
    cc: Sequence[str] = (),
    attachments: Sequence[OutgoingAttachment] = (),
) -> Message:
    """Queue an agent's reply to the customer, stored in the ticket before it is sent."""
    check_may_reply(ticket, author)
    if not text.strip():
        raise ReplyError(_("The reply is empty."))
    if unstorable_reason(text):
        raise ReplyError(unstorable_reason(text))
    draft = reply_draft(ticket, author=author, text=text, cc=cc, attachments=attachments)
    with transaction.atomic():
        message = queue(ticket, draft, author=author)
        addresses = [person.email for person in [*draft.to, *draft.cc]]
        kind = EventKind.REPLY_QUEUED
        record_event(ticket=ticket, message=message, kind=kind, actor_id=author.pk, to=addresses)
        ticket.last_outbound_at = draft.date
        ticket.updated_at = draft.date
        ticket.has_unread = False
        ticket.save(update_fields=["last_outbound_at", "updated_at", "has_unread"])
        mark_first_response(ticket, draft.date)
    return message


def mark_first_response(ticket: Ticket, when: datetime) -> None:
    """The ticket's first response, for the reports: set by the first reply only. Written
    only while still empty, so that of two replies at once the one that commits first
    keeps its time (the second's UPDATE matches no row)."""
    if ticket.first_response_at is not None:
        return
    unanswered = Ticket.objects.filter(pk=ticket.pk, first_response_at__isnull=True)
    if unanswered.update(first_response_at=when):
        ticket.first_response_at = when


def reply_draft(
    ticket: Ticket,
    *,
    author: User,
    text: str,
    cc: Sequence[str],
    attachments: Sequence[OutgoingAttachment],
) -> Draft:
    """The agent's reply as it will be sent: to whoever the customer asked (Cc checked),
    threaded under their latest message, signed, quoting it when the campaign says so."""
    campaign = ticket.campaign
    parent = parent_message(ticket)
    to, copies = checked_recipients(reply_recipients(ticket, parent), cc)
    in_reply_to, references = threading_headers(ticket, parent)
    signature = signature_for(ticket, author)
    return Draft(
        sender=Person(campaign.sender_name or campaign.name, sender_address(campaign)),
        to=to,
        cc=copies,
        reply_to=campaign.reply_to,
        subject=tagged_subject(ticket.subject, ticket.number, reply=True),
        message_id="",
        text=text,
        date=timezone.now(),
        language=customer_language(ticket),
        time_zone=ticket.domain.time_zone,
        in_reply_to=in_reply_to,
        references=references,
        signature=signature.text,
        signature_html=signature.html,
        quote=quote_of(parent) if campaign.quote_previous else None,
        attachments=list(attachments),
        ticket_number=ticket.number,
    )


def checked_recipients(to: list[Person], cc: Sequence[str]) -> tuple[list[Person], list[Person]]:
    """(To, Cc) of a reply, refused with words for the agent when an address cannot be
    written to (a typo in Cc, a customer address the parser kept but SMTP cannot carry),
    rather than failing inside build(). Their number is checked first: refusing a list of
    thousands costs no address parsing."""
    wanted = [a for a in cc if a.strip()]
    if recipients_error(len(to) + len(wanted)):
        raise ReplyError(recipients_error(len(to) + len(wanted)), field="cc")
    copies = [Person("", clean(a, 320).strip().lower()) for a in wanted]
    unusable = [p.email or "(empty)" for p in [*to, *copies] if not writable_address(p.email)]
    if unusable:
        raise ReplyError(
            _("Mail cannot be sent to: %(addresses)s.") % {"addresses": ", ".join(unusable)}
        )
    return to, copies


def quote_of(parent: Message | None) -> Quote | None:
    if parent is None or not parent.text.strip():
        return None
    when = parent.date or parent.created_at
    return Quote(date=when, sender=Person(parent.from_name, parent.from_email), text=parent.text)


def quoted_preview(ticket: Ticket) -> str:
    """The quoted message a reply on this ticket would carry now, as it is sent (blank: none),
    for the composer to show under the reply box."""
    quote = quote_of(parent_message(ticket)) if ticket.campaign.quote_previous else None
    if quote is None:
        return ""
    return quoted_text(quote, customer_language(ticket), ticket.domain.time_zone)


def check_sender(ticket: Ticket, draft: Draft) -> None:
    """Defence in depth (issue 10, finding 6): whatever the campaign's settings say (values
    saved before mail domains, or written around the editor), nothing is queued From, or
    with a Reply-To, outside the ticket's domain's own mail domains."""
    check_addresses(ticket.domain_id, draft.sender.email, draft.reply_to)


def check_addresses(domain_id: int, sender: str, reply_to: str) -> None:
    """ReplyError when the domain may not send From `sender` or with Reply-To `reply_to`."""
    foreign = foreign_addresses(domain_id, [a for a in (sender, reply_to) if a])
    if foreign:
        raise ReplyError(
            _(
                "The campaign's sender or reply-to address %(address)s is not in one of "
                "the domain's mail domains: change it in the campaign's Information tab."
            )
            % {"address": foreign[0]},
            reason=refusal("foreign-sender", address=foreign[0]),
        )


def queue(ticket: Ticket, draft: Draft, *, author: User | None) -> Message:
    """Compose and store an outbound message, queued for the outbox (in the caller's
    transaction): its raw bytes first, then the Message row and its attachments. Refused
    (ReplyError, nothing written) when its sender is not the domain's own."""
    check_sender(ticket, draft)
    return store_queued([(ticket, draft)], author=author)[0]


def store_queued(
    drafts: list[tuple[Ticket, Draft]], *, author: User | None, checked: bool = False
) -> list[Message]:
    """Compose and store outbound messages: the raw bytes of all first, then their Message
    rows, then attachments; an INSERT each. Refused (ReplyError, nothing written) when a
    sender is not its domain's own: each distinct sender checked once (check_addresses),
    unless the caller did (`checked`: the automatic reply's CampaignReply)."""
    raws, messages = [], []
    for domain_id, sender, reply_to in {
        (t.domain_id, d.sender.email, d.reply_to) for t, d in drafts
    }:
        if not checked:
            check_addresses(domain_id, sender, reply_to)
    for ticket, draft in drafts:
        draft.message_id = make_message_id(draft.sender.email)
        raws.append(raw_row(ticket, draft, build(draft)))
    save_all(raws)
    for (ticket, draft), raw in zip(drafts, raws, strict=True):
        messages.append(outbound_row(ticket, draft, raw, author))
    save_all(messages)
    attachments = [
        row
        for message, (_ticket, draft) in zip(messages, drafts, strict=True)
        for row in outbound_attachments(message, draft.attachments)
    ]
    save_all(attachments)
    return messages


def save_all(rows: Sequence[models.Model]) -> None:
    """One INSERT for all the rows, built once per model (lib.fastsql)."""
    insert_many(rows)


def raw_row(ticket: Ticket, draft: Draft, raw: bytes) -> RawMessage:
    return RawMessage(
        domain_id=ticket.domain_id,
        content=raw,
        size=len(raw),
        sha256=hashlib.sha256(raw).hexdigest(),
        source="outbound",
        state=RawState.STORED,
        # RFC 3834 §3.3: automatic responses go out with a null return path (MAIL FROM:<>),
        # so that nothing, not even a bounce, is sent back in answer to them.
        envelope_from="" if draft.automatic else draft.sender.email,
        envelope_to=[p.email for p in [*draft.to, *draft.cc]],
        subject=clean(draft.subject, 998),
        from_address=draft.sender.email,
    )


def outbound_row(ticket: Ticket, draft: Draft, raw: RawMessage, author: User | None) -> Message:
    people = [{"email": p.email, "name": clean(p.name, 200)} for p in draft.to]
    shown = Draft(**{**draft.__dict__, "quote": None})  # the thread shows no quote twice
    return Message(
        domain_id=ticket.domain_id,
        ticket=ticket,
        direction=Direction.OUTBOUND,
        raw=raw,
        message_id=draft.message_id,
        dedupe_key=message_id_key(draft.message_id),
        in_reply_to=draft.in_reply_to,
        references=draft.references,
        from_email=draft.sender.email,
        from_name=clean(draft.sender.name, 200),
        to=people,
        cc=[{"email": p.email, "name": ""} for p in draft.cc],
        reply_to=[{"email": draft.reply_to, "name": ""}] if draft.reply_to else [],
        subject=clean(draft.subject, 998),
        date=draft.date,
        text=text_body(shown),
        is_automatic=draft.automatic,
        automatic_reason="automatic reply" if draft.automatic else "",
        author=author,
        delivery_state=DeliveryState.QUEUED,
        next_attempt_at=draft.date,
        created_at=draft.date,
    )


def outbound_attachments(
    message: Message, attachments: Sequence[OutgoingAttachment]
) -> list[Attachment]:
    return [
        attachment_row(
            message, content=item.content, filename=item.filename, content_type=item.content_type
        )
        for item in attachments
    ]


def add_note(ticket: Ticket, *, author: User, text: str) -> Message:
    """An internal note on the ticket: never sent, visible to the team."""
    check_may_reply(ticket, author)
    if not text.strip():
        raise ReplyError(_("The note is empty."))
    if unstorable_reason(text):
        raise ReplyError(unstorable_reason(text))
    now = timezone.now()
    with transaction.atomic():
        note = Message(
            domain_id=ticket.domain_id,
            ticket=ticket,
            direction=Direction.NOTE,
            dedupe_key=hashlib.sha256(b"note:" + secrets.token_bytes(16)).hexdigest(),
            from_email=author.email,
            from_name=clean(author.display_name or author.login, 200),
            date=now,
            text=clean(text),
            author=author,
            created_at=now,
        )
        insert(note)
        record_event(ticket=ticket, message=note, kind=EventKind.NOTE_ADDED, actor_id=author.pk)
    return note


def template_text(template: EmailTemplate, ticket: Ticket, agent: User) -> tuple[str, str]:
    """(subject, body) of a template for this ticket, to start an agent's reply."""
    return render_for(template.subject, ticket, agent), render_for(template.body, ticket, agent)
