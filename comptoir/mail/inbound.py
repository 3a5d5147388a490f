"""ParsedEmail (the parser's view) -> InboundMessage (what the ticket core stores)."""

from comptoir.lib.html import sanitize_html
from comptoir.lib.text import clean, message_id_key
from comptoir.mail.parse import Address, ParsedEmail
from comptoir.tickets.actions import InboundAttachment, InboundMessage
from comptoir.tickets.matching import reference_keys
from comptoir.tickets.models import RawMessage


def address_list(addresses: list[Address]) -> list[dict[str, str]]:
    return [{"email": clean(a.email, 320), "name": clean(a.name, 200)} for a in addresses]


def to_inbound(
    raw_row: RawMessage, parsed: ParsedEmail, key: str, why_automatic: str
) -> InboundMessage:
    sender = parsed.from_addr or parsed.sender
    from_email = sender.email if sender and sender.email else raw_row.envelope_from.strip("<>")
    keys = [k for k, _header, _id in reference_keys(parsed.in_reply_to, parsed.references)]
    if parsed.delivery_report is not None and parsed.delivery_report.original_message_id:
        keys.append(message_id_key(parsed.delivery_report.original_message_id))
    return InboundMessage(
        raw=raw_row,
        message_id=parsed.message_id,
        dedupe_key=key,
        reference_keys=keys,
        in_reply_to=" ".join(parsed.in_reply_to),
        references=parsed.references,
        from_email=from_email.lower(),
        from_name=sender.name if sender else "",
        to=address_list(parsed.to),
        cc=address_list(parsed.cc),
        reply_to=address_list(parsed.reply_to),
        subject=parsed.subject,
        date=parsed.date,
        text=parsed.text,
        html=sanitize_html(parsed.html) if parsed.html else "",
        attachments=[
            InboundAttachment(a.filename, a.content_type, a.content, a.content_id, a.inline)
            for a in parsed.attachments
        ],
        automatic_reason=why_automatic,
    )
