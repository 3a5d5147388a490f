"""Bulk ingest: many messages per transaction and per statement (archives, backlogs).

`ingest_many` gives exactly the outcomes that calling `ingest_email` on each message in
order would give, faster: a run of ordinary messages (parsed, routed, a person's mail, no
subject tag, no bounce) is threaded in memory against the database plus the messages before it
in the run, then written with one multi-row INSERT per table in one transaction
(mail.batch_write). Anything else goes through `ingest_email` alone, after the run before it
is written, so the order is kept. A run first locks the Message-IDs of all its messages
(tickets.conversation_lock), like ingest_email does for one, so that another process filing
the same conversations waits for it. If writing a run fails for any reason but an unavailable
database, it is rolled back and its messages go through `ingest_email` one by one. SMTP keeps
one message per transaction: each `250` must follow its own commit.
"""

import logging
from collections.abc import Iterable, Iterator

from django.db import DatabaseError, IntegrityError, transaction

from comptoir.campaigns.models import Campaign
from comptoir.lib.text import message_id_key, raw_key
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


def ingest_many(
    items: Iterable[tuple[str, bytes]],
    *,
    domain: Domain | None = None,
    campaign: Campaign | None = None,
    batch_size: int = BATCH_SIZE,
    auto_reply: bool = True,
) -> Iterator[tuple[str, IngestResult]]:
    """(label, result) for each (label, raw bytes), in order. Raises TransientIngestError when
    the database is unavailable: what was yielded before is stored, the rest is not.

    New tickets of a campaign that acknowledges them get the automatic reply (the same
    implementation as ingest_email's, tickets.auto_reply), unless `auto_reply` is False
    (archive imports)."""
    run: list[Prepared] = []
    locks = 0
    for label, raw in items:
        prepared = prepare(label, raw, domain=domain, campaign=campaign, auto_reply=auto_reply)
        ends_run = prepared is None or (
            bool(run) and prepared.campaign.domain_id != run[0].campaign.domain_id
        )
        needs = 1 + len(prepared.reference_keys) if prepared is not None else 0
        if run and (ends_run or len(run) >= batch_size or locks + needs > RUN_LOCKS):
            yield from flush(run, auto_reply)
            run, locks = [], 0
        if prepared is None:
            yield (
                label,
                ingest_email(
                    raw, domain=domain, campaign=campaign, source=label, auto_reply=auto_reply
                ),
            )
        else:
            run.append(prepared)
            locks += needs
    yield from flush(run, auto_reply)


def prepare(
    label: str, raw: bytes, *, domain: Domain | None, campaign: Campaign | None, auto_reply: bool
) -> Prepared | None:
    """The message when it can join a run; None when it must go through ingest_email alone."""
    try:
        parsed = parse_email(raw)
    except Exception:  # ingest_email stores it and says why
        return None
    target = campaign or route_first(header_addresses(parsed), domain)
    if target is None or parsed.delivery_report is not None or TAG.search(parsed.subject):
        return None
    ours = own_addresses(target.domain_id)
    sender = parsed.from_addr or parsed.sender
    if automatic_reason(parsed, ours) or (sender is not None and is_own(sender.email, ours)):
        return None  # automatic mail and possible loops follow ingest_email's own rules
    key = message_id_key(parsed.message_id) if parsed.message_id else raw_key(raw)
    refs = [k for k, _h, _i in reference_keys(parsed.in_reply_to, parsed.references)]
    return Prepared(label, raw, parsed, target, key, refs)


def flush(run: list[Prepared], auto_reply: bool) -> Iterator[tuple[str, IngestResult]]:
    if not run:
        return
    results: list[IngestResult] | None = None
    try:
        with transaction.atomic():
            results = write_run(run, auto_reply=auto_reply)
    except IntegrityError:  # e.g. another process stored one of these messages meanwhile
        results = None
    except DatabaseError as exc:
        raise TransientIngestError(f"database unavailable: {exc}") from exc
    except Exception:
        logger.exception("a run of %d messages failed; filing them one by one", len(run))
        results = None
    if results is None:
        for item in run:
            yield (
                item.label,
                ingest_email(
                    item.raw, campaign=item.campaign, source=item.label, auto_reply=auto_reply
                ),
            )
        return
    yield from zip([item.label for item in run], results, strict=True)
