"""Outgoing mail: a Draft (plain data) -> the RFC 5322 bytes that the outbox sends.

Pure functions, no database: tickets.outbound gathers the campaign's settings and the thread
into a Draft, and stores what `build` returns before anything is sent.

Threading in the customer's mail client rests on three things set here:
- a Message-ID that Comptoir generates (and records, so that a reply naming it in
  In-Reply-To comes back to the right ticket);
- In-Reply-To naming the customer's message answered, and References carrying the thread
  (the ticket's first message, the parent's own References, the parent): what RFC 5322
  §3.6.4 asks, and what Gmail, Outlook and Thunderbird group conversations by;
- the subject: "Re: " once, the original subject, then the ticket tag [#NUMBER] once.
"""

import html
import re
import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from zoneinfo import ZoneInfo

from django.utils import dateformat, translation
from django.utils.translation import gettext as _

from comptoir.mail import mime
from comptoir.tickets.matching import TAG

# "Re:", "RE :", "Fwd:", "TR:", "AW:", "SV:", "Antw:", "Réf. :", "Re[2]:"… repeated.
REPLY_PREFIX = re.compile(
    r"^(?:\s*(?:re|fwd?|tr|aw|sv|vs|antw|wg|r[ée]f\.?|rif)\s*(?:\[\d+\])?\s*:)+\s*",
    re.IGNORECASE,
)
# How many Message-IDs References keeps (the first and the newest), as mail clients do.
MAX_REFERENCES = 20


@dataclass
class Person:
    name: str
    email: str


@dataclass
class OutgoingAttachment:
    filename: str
    content_type: str
    content: bytes


@dataclass
class Quote:
    """The customer's message answered, quoted under its reply header."""

    date: datetime
    sender: Person
    text: str


@dataclass
class Draft:
    sender: Person
    to: list[Person]
    subject: str
    message_id: str  # without angle brackets
    text: str
    date: datetime
    language: str = "fr"
    time_zone: str = "Europe/Paris"
    reply_to: str = ""
    cc: list[Person] = field(default_factory=list)
    in_reply_to: str = ""
    references: list[str] = field(default_factory=list)
    signature: str = ""  # the text part's signature, under "-- "
    # The HTML part's signature, sanitised (campaigns.signatures); blank: `signature` escaped.
    signature_html: str = ""
    quote: Quote | None = None
    attachments: list[OutgoingAttachment] = field(default_factory=list)
    automatic: bool = False
    ticket_number: int | None = None


def make_message_id(sender_email: str) -> str:
    """A new, globally unique Message-ID on the sender's own domain (no angle brackets)."""
    host = sender_email.rpartition("@")[2].strip().lower() or "comptoir.invalid"
    return f"comptoir.{time.time_ns():x}.{secrets.token_hex(8)}@{host}"


def base_subject(subject: str) -> str:
    """The subject without reply/forward prefixes and without ticket tags."""
    subject = TAG.sub("", subject)
    subject = REPLY_PREFIX.sub("", subject)
    return " ".join(subject.split())


def tagged_subject(subject: str, number: int | None, *, reply: bool) -> str:
    """`Re: <subject> [#N]`: one prefix, one tag, whatever the customer's client did."""
    text = base_subject(subject)
    if number is not None:
        text = f"{text} [#{number}]".strip()
    return f"Re: {text}" if reply else text


def references_for(root: str, parent_references: list[str], parent: str) -> list[str]:
    """The References of a reply: the thread's root, the parent's References, the parent."""
    ordered: list[str] = []
    for message_id in [root, *parent_references, parent]:
        message_id = message_id.strip().strip("<>").strip()
        if message_id and message_id not in ordered:
            ordered.append(message_id)
    if len(ordered) > MAX_REFERENCES:
        ordered = [ordered[0], *ordered[-(MAX_REFERENCES - 1) :]]
    return ordered


def quote_header(quote: Quote, language: str, time_zone: str) -> str:
    """'Le 21 novembre 2026 à 14:03, Jean <jean@x.fr> a écrit :' in the customer's language."""
    local = quote.date.astimezone(ZoneInfo(time_zone))
    sender = display(quote.sender)
    with translation.override(language):
        when = dateformat.format(local, _("j F Y \\a\\t H:i"))
        return _("On %(date)s, %(sender)s wrote:") % {"date": when, "sender": sender}


def display(person: Person) -> str:
    return f"{person.name} <{person.email}>" if person.name else person.email


def text_body(draft: Draft) -> str:
    parts = [draft.text.rstrip()]
    if draft.signature.strip():
        parts.append("-- \n" + draft.signature.strip())
    if draft.quote is not None:
        parts.append(quoted_text(draft.quote, draft.language, draft.time_zone))
    return "\n\n".join(parts) + "\n"


def quoted_text(quote: Quote, language: str, time_zone: str) -> str:
    """The quoted message under a reply's text part, as sent (the console shows it too)."""
    quoted = "\n".join(f"> {line}" if line else ">" for line in quote.text.rstrip().splitlines())
    return quote_header(quote, language, time_zone) + "\n" + quoted


def paragraphs(text: str) -> str:
    """Plain text as HTML paragraphs, escaped."""
    blocks = re.split(r"\n\s*\n", text.strip())
    return "".join(
        "<p>" + "<br>\n".join(html.escape(line) for line in block.splitlines()) + "</p>\n"
        for block in blocks
        if block.strip()
    )


def html_body(draft: Draft) -> str:
    parts = [f'<div class="comptoir-reply">\n{paragraphs(draft.text)}</div>']
    if draft.signature_html.strip():
        parts.append(f'<div class="comptoir-signature">\n{draft.signature_html}</div>')
    elif draft.signature.strip():
        parts.append(f'<div class="comptoir-signature">\n{paragraphs(draft.signature)}</div>')
    if draft.quote is not None:
        header = html.escape(quote_header(draft.quote, draft.language, draft.time_zone))
        parts.append(
            f'<div class="comptoir-quote"><p>{header}</p>\n'
            f'<blockquote type="cite" style="margin:0 0 0 .8ex;border-left:1px solid #ccc;'
            f'padding-left:1ex">\n{paragraphs(draft.quote.text)}</blockquote></div>'
        )
    body = "\n".join(parts)
    return (
        f'<!DOCTYPE html>\n<html lang="{html.escape(draft.language)}"><head>'
        f'<meta charset="utf-8"></head>\n<body>\n{body}\n</body></html>\n'
    )


def address(person: Person) -> Address:
    return Address(display_name=person.name, addr_spec=ascii_domain(person.email))


def ascii_domain(email: str) -> str:
    """The address with an international domain in its IDNA form (xn--…). Left as it is,
    the email package writes an encoded word inside the address, which nobody reads back."""
    local, at, host = email.rpartition("@")
    if not at or host.isascii():
        return email
    try:
        return f"{local}@{host.encode('idna').decode('ascii')}"
    except UnicodeError:  # not a valid international name: writable_address refuses it
        return email


def writable_address(email: str) -> bool:
    """Whether `build` can put this address in To or Cc. The parser keeps addresses that
    Address() refuses (a dot before the "@", nothing after it) or cannot carry without
    SMTPUTF8 (a non-ASCII local part), and build() raising halfway through an action (the
    automatic reply, inside ingest's transaction) would cost more than refusing it up front."""
    email = ascii_domain(email)
    if not email.isascii() or "@" not in email:
        return False
    try:
        Address(addr_spec=email)
    except (ValueError, HeaderParseError):
        return False
    return True


def build(draft: Draft) -> bytes:
    """The message as it goes on the wire (CRLF line ends): written directly when it is a
    simple reply (mail.mime), else by the email package."""
    if not draft.attachments:
        try:
            return simple_build(draft)
        except mime.NotSimple:
            pass
    return library_build(draft)


def simple_build(draft: Draft) -> bytes:
    """A reply without attachments, the same headers as library_build's (mail.mime)."""
    people = [(p.name, ascii_domain(p.email)) for p in draft.to]
    headers = [
        mime.addresses("From", [(draft.sender.name, ascii_domain(draft.sender.email))]),
        mime.addresses("To", people),
    ]
    if draft.cc:
        headers.append(mime.addresses("Cc", [(p.name, ascii_domain(p.email)) for p in draft.cc]))
    if draft.reply_to:
        headers.append(mime.addresses("Reply-To", [("", ascii_domain(draft.reply_to))]))
    headers += [
        mime.unstructured("Subject", draft.subject),
        f"Date: {mime.date(draft.date, draft.time_zone)}",
        f"Message-ID: {mime.message_id(draft.message_id)}",
    ]
    if draft.in_reply_to:
        headers.append(f"In-Reply-To: {mime.message_id(draft.in_reply_to)}")
    if draft.references:
        headers.append(mime.folded("References", [mime.message_id(r) for r in draft.references]))
    if draft.automatic:
        headers += ["Auto-Submitted: auto-replied", "X-Auto-Response-Suppress: All"]
    if draft.ticket_number is not None:
        headers.append(f"X-Comptoir-Ticket: {int(draft.ticket_number)}")
    if not mime.TOKEN.fullmatch(draft.language):
        raise mime.NotSimple("a language tag the email package would encode")
    headers.append(f"Content-Language: {draft.language}")
    return mime.multipart_alternative(headers, text_body(draft), html_body(draft))


def library_build(draft: Draft) -> bytes:
    """The message built by the email package: any draft, attachments included."""
    message = EmailMessage(policy=SMTP)
    message["From"] = address(draft.sender)
    message["To"] = [address(p) for p in draft.to]
    if draft.cc:
        message["Cc"] = [address(p) for p in draft.cc]
    if draft.reply_to:
        message["Reply-To"] = draft.reply_to
    message["Subject"] = draft.subject
    message["Date"] = format_datetime(draft.date.astimezone(ZoneInfo(draft.time_zone)))
    message["Message-ID"] = f"<{draft.message_id}>"
    if draft.in_reply_to:
        message["In-Reply-To"] = f"<{draft.in_reply_to}>"
    if draft.references:
        message["References"] = " ".join(f"<{r}>" for r in draft.references)
    if draft.automatic:
        # RFC 3834, and Microsoft's header, so that other systems do not answer back.
        message["Auto-Submitted"] = "auto-replied"
        message["X-Auto-Response-Suppress"] = "All"
    if draft.ticket_number is not None:
        message["X-Comptoir-Ticket"] = str(draft.ticket_number)
    message.set_content(text_body(draft))
    message.add_alternative(html_body(draft), subtype="html")
    for item in draft.attachments:
        maintype, _slash, subtype = item.content_type.partition("/")
        if not subtype or maintype == "multipart":
            maintype, subtype = "application", "octet-stream"
        message.add_attachment(
            item.content, maintype=maintype, subtype=subtype, filename=item.filename
        )
    message["Content-Language"] = draft.language  # after the parts: set_content drops it
    return message.as_bytes()
