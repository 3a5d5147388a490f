"""The one entry point for inbound mail: SMTP/LMTP, IMAP and the pipe all call ingest_email.

Order of work, in one database transaction: store the raw bytes, then parse, route, dedupe,
classify, thread and file the message. If anything but the database fails after the raw bytes
are stored (a hostile or broken message, a bug), that transaction is rolled back and the raw
bytes are stored again, alone, in the quarantine with the reason: never dropped. Database
failures escape as TransientIngestError, so that the sender retries (451, exit 75, IMAP
message left unmarked): nothing was stored then.
"""

import hashlib
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import DatabaseError, IntegrityError, transaction

from comptoir.campaigns.addresses import route
from comptoir.campaigns.models import Campaign, InboundAddress
from comptoir.lib.fastsql import insert, select_id
from comptoir.lib.text import clean, message_id_key, raw_key
from comptoir.mail.classify import automatic_reason, is_own
from comptoir.mail.inbound import to_inbound
from comptoir.mail.parse import ParsedEmail, ParseLimitError, parse_email
from comptoir.mail.reasons import kept_out
from comptoir.tenancy.models import Domain
from comptoir.tickets import actions
from comptoir.tickets.auto_reply import queue_auto_reply
from comptoir.tickets.conversation_lock import lock_conversation
from comptoir.tickets.matching import find_thread, outbound_message, reference_keys
from comptoir.tickets.models import Message, RawMessage, RawState, Ticket

logger = logging.getLogger(__name__)


class TransientIngestError(Exception):
    """Nothing was stored; the sender should try again later (451 / EX_TEMPFAIL)."""


@dataclass
class IngestResult:
    outcome: str  # created | appended | duplicate | quarantined | rejected
    ticket: int | None = None
    reason: str = ""
    raw_id: int | None = None


class _Duplicate(Exception):
    def __init__(self, result: IngestResult) -> None:
        self.result = result


def route_address(address: str, domain: Domain | None = None) -> Campaign | None:
    """The campaign an address delivers to; `support+anything@` routes like `support@`, and
    only to the domain that owns the address (campaigns.addresses; answered from memory for
    a few seconds, see `route`)."""
    return route(address, domain.pk if domain is not None else None)


def route_first(addresses: Sequence[str], domain: Domain | None) -> Campaign | None:
    for address in addresses:
        campaign = route_address(address, domain)
        if campaign is not None:
            return campaign
    return None


def header_addresses(parsed: ParsedEmail) -> list[str]:
    """Where a message was sent, read from its headers (no envelope): the pipe's routing."""
    return [*parsed.delivered_to, *(a.email for a in parsed.to), *(a.email for a in parsed.cc)]


def ingest_email(
    raw: bytes,
    *,
    recipients: Sequence[str] = (),
    domain: Domain | None = None,
    campaign: Campaign | None = None,
    source: str = "",
    envelope_from: str = "",
    auto_reply: bool = True,
) -> IngestResult:
    """Store, then file, one inbound message. See the module docstring for the guarantees.

    `auto_reply=False` (archive imports) never acknowledges the tickets it opens."""
    try:
        if campaign is None and recipients:
            campaign = route_first(recipients, domain)
        raw_row = raw_message_row(
            raw, domain=campaign.domain if campaign else domain, source=source
        )
        raw_row.envelope_from = clean(envelope_from, 320)
        raw_row.envelope_to = [clean(r, 320) for r in recipients]
        return store_and_file(raw_row, raw, campaign=campaign, domain=domain, auto_reply=auto_reply)
    except DatabaseError as exc:
        logger.warning("ingest failed, nothing stored, sender should retry: %s", exc)
        raise TransientIngestError(f"database unavailable: {exc}") from exc


def raw_message_row(raw: bytes, *, domain: Domain | None, source: str) -> RawMessage:
    """The (unsaved) row that keeps a message's bytes exactly as received."""
    return RawMessage(
        domain=domain,
        content=raw,
        size=len(raw),
        sha256=hashlib.sha256(raw).hexdigest(),
        source=clean(source, 200),
        state=RawState.STORED,
    )


def store_and_file(
    raw_row: RawMessage,
    raw: bytes,
    *,
    campaign: Campaign | None,
    domain: Domain | None,
    auto_reply: bool = True,
) -> IngestResult:
    """One transaction: the raw bytes first, then everything made of them. When anything
    but the database fails, that transaction is rolled back and the raw bytes are stored
    again, alone, in the quarantine (cheaper than a savepoint around every message)."""
    try:
        with transaction.atomic():
            insert(raw_row)
            return process(raw_row, raw, campaign=campaign, domain=domain, auto_reply=auto_reply)
    except _Duplicate as duplicate:
        return duplicate.result  # rolled back: the first delivery's raw bytes are kept
    except ParseLimitError as exc:
        return keep_in_quarantine(raw_row, exc.reason)
    except IntegrityError as exc:
        # Most likely a concurrent delivery of the same message committed first.
        existing = find_duplicate(raw_row, raw)
        return existing or keep_in_quarantine(raw_row, kept_out("not-stored", error=exc))
    except DatabaseError:
        raise
    except Exception as exc:  # never drop a message because of a bug: keep it, say why
        logger.exception("message from %s could not be processed; quarantined", raw_row.source)
        return keep_in_quarantine(raw_row, kept_out("internal-error", error=repr(exc)))


def quarantine(raw_row: RawMessage, reason: str, state: str = RawState.QUARANTINED) -> IngestResult:
    """Keep a stored message out of every ticket, with the reason (inside the transaction)."""
    raw_row.state = state
    raw_row.reason = clean(reason)
    raw_row.save(update_fields=["state", "reason", "domain", "subject", "from_address"])
    outcome = "rejected" if state == RawState.REJECTED else "quarantined"
    return IngestResult(outcome, None, raw_row.reason, raw_row.pk)


def keep_in_quarantine(raw_row: RawMessage, reason: str) -> IngestResult:
    """The filing transaction was rolled back: store the raw bytes alone, quarantined."""
    raw_row.pk = None
    raw_row._state.adding = True
    raw_row.state = RawState.QUARANTINED
    raw_row.reason = clean(reason)
    insert(raw_row)
    return IngestResult("quarantined", None, raw_row.reason, raw_row.pk)


def find_duplicate(raw_row: RawMessage, raw: bytes) -> IngestResult | None:
    if raw_row.domain_id is None:
        return None
    parsed = parse_email(raw)
    key = message_id_key(parsed.message_id) if parsed.message_id else raw_key(raw)
    return duplicate_result(raw_row.domain_id, key, parsed.message_id)


DUPLICATE_SQL = (
    f"SELECT ticket_id FROM {Message._meta.db_table} WHERE domain_id = %s AND dedupe_key = %s"
)


def duplicate_result(domain_id: int, key: str, message_id: str) -> IngestResult | None:
    ticket_id = select_id(DUPLICATE_SQL, [domain_id, key])
    if ticket_id is None:  # the common case, answered from the unique index alone
        return None
    number = Ticket.objects.values_list("number", flat=True).get(pk=ticket_id)
    return IngestResult("duplicate", number, duplicate_reason(message_id))


def duplicate_reason(message_id: str) -> str:
    return (
        f"already stored (Message-ID <{message_id}>)"
        if message_id
        else "already stored (identical bytes)"
    )


def process(
    raw_row: RawMessage,
    raw: bytes,
    *,
    campaign: Campaign | None,
    domain: Domain | None,
    auto_reply: bool = True,
) -> IngestResult:
    parsed = parse_email(raw)
    raw_row.subject = clean(parsed.subject, 998)
    raw_row.from_address = clean(parsed.from_addr.email if parsed.from_addr else "", 320)
    if campaign is None:
        campaign = route_first(header_addresses(parsed), domain)
    if campaign is None:
        where = ", ".join(header_addresses(parsed))
        why = kept_out("no-campaign", addresses=where) if where else kept_out("no-recipient")
        return quarantine(raw_row, why, RawState.REJECTED)
    if raw_row.domain_id != campaign.domain_id:  # routed by its headers
        raw_row.domain_id = campaign.domain_id
        raw_row.save(update_fields=["domain"])
    key = message_id_key(parsed.message_id) if parsed.message_id else raw_key(raw)
    # Before any lookup: another transaction filing this conversation commits first.
    lock_conversation(campaign.domain_id, conversation_keys(key, parsed))
    duplicate = duplicate_result(campaign.domain_id, key, parsed.message_id)
    if duplicate is not None:
        raise _Duplicate(duplicate)
    return file_message(raw_row, parsed, campaign, key, auto_reply=auto_reply)


def conversation_keys(key: str, parsed: ParsedEmail) -> list[str]:
    """The Message-ID keys that tie a message to its conversation: its own and those it names."""
    named = reference_keys(parsed.in_reply_to, parsed.references)
    return [key, *(named_key for named_key, _header, _id in named)]


# Our own addresses change rarely and are read for every message: keep them a few seconds.
OWN_ADDRESSES_TTL = 10.0
_own_addresses: dict[int, tuple[float, set[str]]] = {}


def own_addresses(domain_id: int) -> set[str]:
    """The domain's inbound, sender and reply-to addresses (cached OWN_ADDRESSES_TTL seconds)."""
    cached = _own_addresses.get(domain_id)
    if cached is not None and time.monotonic() - cached[0] < OWN_ADDRESSES_TTL:
        return cached[1]
    addresses = set(
        InboundAddress.objects.filter(domain_id=domain_id).values_list("address", flat=True)
    )
    campaigns = Campaign.objects.filter(domain_id=domain_id)
    for pair in campaigns.values_list("reply_to", "sender_email"):
        addresses.update(a.lower() for a in pair if a)
    found = addresses
    _own_addresses[domain_id] = (time.monotonic(), found)
    return found


def file_message(
    raw_row: RawMessage, parsed: ParsedEmail, campaign: Campaign, key: str, *, auto_reply: bool
) -> IngestResult:
    """Classify and thread a parsed, routed, new message, and store it in its ticket."""
    domain_id = campaign.domain_id
    ours = own_addresses(domain_id)
    why_automatic = automatic_reason(parsed, ours, raw_row.envelope_from)
    inbound = to_inbound(raw_row, parsed, key, why_automatic)
    if parsed.delivery_report is not None:
        return file_bounce(raw_row, parsed, inbound)
    match = find_thread(
        domain_id=domain_id,
        message_id=parsed.message_id,
        in_reply_to=parsed.in_reply_to,
        references=parsed.references,
        subject=parsed.subject,
        sender=inbound.from_email,
        own_addresses=ours,
    )
    if match.ticket is not None:
        actions.append_inbound(match.ticket, inbound, match.detail)
        return IngestResult("appended", match.ticket.number, match.detail, raw_row.pk)
    if is_own(inbound.from_email, ours):
        return quarantine(raw_row, kept_out("own-address", address=inbound.from_email))
    ticket, message = actions.open_ticket(campaign, inbound, match.detail)
    if auto_reply:
        queue_auto_reply(ticket, message, why_automatic)
    return IngestResult("created", ticket.number, match.detail, raw_row.pk)


def file_bounce(
    raw_row: RawMessage, parsed: ParsedEmail, inbound: actions.InboundMessage
) -> IngestResult:
    report = parsed.delivery_report
    assert report is not None
    original = outbound_message(raw_row.domain_id or 0, report.original_message_id)
    if original is None:
        named = report.original_message_id
        why = (
            kept_out("unknown-report", message_id=named) if named else kept_out("report-without-id")
        )
        return quarantine(raw_row, why)
    actions.record_bounce(original, inbound, report.status, report.diagnostic)
    reason = f"delivery report for <{original.message_id}>"
    return IngestResult("appended", original.ticket.number, reason, raw_row.pk)
