"""Bulk ingest: many messages per transaction and per statement (archives, backlogs).

`ingest_many` gives exactly the outcomes that calling `ingest_email` on each message in
order would give, faster: a run of ordinary messages (parsed, routed, a person's mail, no
subject tag, no bounce) is threaded in memory against the database plus the messages before it
in the run, then written with one multi-row INSERT per table in one transaction
(mail.batch_write). Anything else goes through `ingest_email` alone, after the run before it
is written, so the order is kept. A run first locks the Message-IDs of all its messages
(tickets.conversation_lock), like ingest_email does for one, so that another process filing
the same conversations waits for it. If writing a run fails for any reason but an unavailable
database, it is rolled back and its messages go through `ingest_email` one by one; one the
database refuses then (a DataError: a value it will not take) is the only one not stored.

The SMTP/LMTP listener uses it too (mail.committer, group commit): each item then carries its
own envelope (`Delivery`: campaign routed at RCPT, sender, recipients, source), is prepared
(parsed) on the session's thread, and a result is yielded only once its transaction committed,
so that each `250` follows its own message's commit.
"""

import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from django.db import DatabaseError, IntegrityError, InterfaceError, OperationalError, transaction

from comptoir.campaigns.models import Campaign
from comptoir.lib.text import clean, message_id_key, raw_key
from comptoir.mail.batch_sharing import Prepared
from comptoir.mail.batch_write import write_run
from comptoir.mail.classify import automatic_reason, is_own
from comptoir.mail.ingest import (
    IngestResult,
    TransientIngestError,
    header_addresses,
    ingest_email,
    own_addresses,
    route_first,
)
from comptoir.mail.parse import parse_email
from comptoir.tenancy.models import Domain
from comptoir.tickets.matching import TAG, reference_keys

logger = logging.getLogger(__name__)
BATCH_SIZE = 200
# A run locks every Message-ID its messages carry and name (tickets.conversation_lock) until it
# commits; PostgreSQL's lock table is shared and sized for about 64 locks per connection, so a
# run ends before it would hold more than this (a message holds at most
# 1 + 2 x COMPTOIR_MAX_REFERENCES, however many it names).
RUN_LOCKS = 1000
# The database cannot be used now (down, connection lost, locked longer than we wait): the
# whole run is retried later. Any other DatabaseError is about one message's data.
UNAVAILABLE = (OperationalError, InterfaceError)


@dataclass
class Delivery:
    """One message as an edge received it: what ingest_email would be called with."""

    label: str  # the source stored on its RawMessage
    raw: bytes
    campaign: Campaign | None = None
    domain: Domain | None = None
    envelope_from: str = ""
    recipients: Sequence[str] = ()

    def ingest_alone(self, auto_reply: bool) -> IngestResult:
        return ingest_email(
            self.raw,
            recipients=self.recipients,
            domain=self.domain,
            campaign=self.campaign,
            source=self.label,
            envelope_from=self.envelope_from,
            auto_reply=auto_reply,
        )


# A delivery, and what prepare() made of it (None: it goes through ingest_email alone).
Ready = tuple[Delivery, Prepared | None]


def ingest_many(
    items: Iterable[tuple[str, bytes]],
    *,
    domain: Domain | None = None,
    campaign: Campaign | None = None,
    batch_size: int = BATCH_SIZE,
    auto_reply: bool = True,
) -> Iterator[tuple[str, IngestResult]]:
    """(label, result) for each (label, raw bytes), in order. Raises TransientIngestError when
    the database is unavailable, or refuses a message: what was yielded before is stored, the
    rest is not.

    New tickets of a campaign that acknowledges them get the automatic reply (the same
    implementation as ingest_email's, tickets.auto_reply), unless `auto_reply` is False
    (archive imports)."""
    deliveries = (Delivery(label, raw, campaign, domain) for label, raw in items)
    ready = ((d, prepare(d)) for d in deliveries)
    for delivery, result in ingest_ready(ready, batch_size=batch_size, auto_reply=auto_reply):
        if result is None:
            raise TransientIngestError(f"the database refused {delivery.label}: not stored")
        yield delivery.label, result


def ingest_ready(
    items: Iterable[Ready], *, batch_size: int = BATCH_SIZE, auto_reply: bool = True
) -> Iterator[tuple[Delivery, IngestResult | None]]:
    """ingest_many over prepared deliveries: one result per item, in order, each yielded once
    its transaction committed; None for a message the database refused (nothing of it is
    stored; the others go on). Runs end at a change of domain, at batch_size, at RUN_LOCKS."""
    run: list[tuple[Delivery, Prepared]] = []
    locks = 0
    for delivery, prepared in items:
        ends_run = prepared is None or (
            bool(run) and prepared.campaign.domain_id != run[0][1].campaign.domain_id
        )
        needs = 1 + len(prepared.reference_keys) if prepared is not None else 0
        if run and (ends_run or len(run) >= batch_size or locks + needs > RUN_LOCKS):
            yield from flush(run, auto_reply)
            run, locks = [], 0
        if prepared is None:
            yield delivery, filed_alone(delivery, auto_reply)
        else:
            run.append((delivery, prepared))
            locks += needs
    yield from flush(run, auto_reply)


def prepare(delivery: Delivery) -> Prepared | None:
    """The message when it can join a run; None when it must go through ingest_email alone."""
    try:
        parsed = parse_email(delivery.raw)
    except Exception:  # ingest_email stores it and says why
        return None
    target = delivery.campaign
    if target is None and delivery.recipients:
        target = route_first(delivery.recipients, delivery.domain)
    if target is None:
        target = route_first(header_addresses(parsed), delivery.domain)
    if target is None or parsed.delivery_report is not None or TAG.search(parsed.subject):
        return None
    ours = own_addresses(target.domain_id)
    sender = parsed.from_addr or parsed.sender
    automatic = automatic_reason(parsed, ours, delivery.envelope_from)
    if automatic or (sender is not None and is_own(sender.email, ours)):
        return None  # automatic mail and possible loops follow ingest_email's own rules
    raw = delivery.raw
    key = message_id_key(parsed.message_id) if parsed.message_id else raw_key(raw)
    refs = [k for k, _h, _i in reference_keys(parsed.in_reply_to, parsed.references)]
    envelope_to = [clean(r, 320) for r in delivery.recipients]
    envelope_from = clean(delivery.envelope_from, 320)
    return Prepared(delivery.label, raw, parsed, target, key, refs, envelope_from, envelope_to)


def flush(
    run: list[tuple[Delivery, Prepared]], auto_reply: bool
) -> Iterator[tuple[Delivery, IngestResult | None]]:
    if not run:
        return
    results: list[IngestResult] | None = None
    try:
        with transaction.atomic():
            results = write_run([prepared for _d, prepared in run], auto_reply=auto_reply)
    except IntegrityError:  # e.g. another process stored one of these messages meanwhile
        results = None
    except UNAVAILABLE as exc:
        raise TransientIngestError(f"database unavailable: {exc}") from exc
    except DatabaseError as exc:  # one message the database refuses (a DataError…)
        logger.warning(
            "a run of %d messages was refused (%s); filing them one by one", len(run), exc
        )
        results = None
    except Exception:
        logger.exception("a run of %d messages failed; filing them one by one", len(run))
        results = None
    if results is None:
        for delivery, prepared in run:
            yield delivery, one_by_one(delivery, prepared, auto_reply)
        return
    yield from zip([delivery for delivery, _p in run], results, strict=True)


def one_by_one(delivery: Delivery, prepared: Prepared, auto_reply: bool) -> IngestResult | None:
    """A message of a run that failed, filed alone (filed_alone)."""
    # The campaign prepare() chose: routed by the headers if the delivery had none.
    delivery.campaign = prepared.campaign
    return filed_alone(delivery, auto_reply)


def filed_alone(delivery: Delivery, auto_reply: bool) -> IngestResult | None:
    """A message filed through ingest_email: its result, or None when the database refused
    this message (nothing of it stored: its sender retries it, the others go on). An
    unavailable database stops everything (TransientIngestError)."""
    try:
        return delivery.ingest_alone(auto_reply)
    except TransientIngestError as error:
        if isinstance(error.__cause__, UNAVAILABLE):
            raise
        logger.warning("message %s refused by the database: %s", delivery.label, error.__cause__)
        return None
