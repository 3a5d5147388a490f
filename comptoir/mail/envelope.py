"""From an SMTP/LMTP envelope to ingest, and from its outcomes to the replies.

A message goes to each domain its recipients belong to (one delivery per domain, in the
campaign its first recipient of that domain routed to at RCPT); the replies are one per
recipient, in envelope order (LMTP), or one for the transaction (SMTP: one_status).
"""

import logging
from collections.abc import Mapping, Sequence

from comptoir.campaigns.models import Campaign
from comptoir.mail.batch import Delivery
from comptoir.mail.ingest import IngestResult, TransientIngestError, route_address
from comptoir.tenancy.models import Domain

log = logging.getLogger(__name__)

TRANSIENT = "451 4.3.0 Temporary failure, please try again later"


def no_mailbox(address: str) -> str:
    return f"550 5.1.1 <{address}>: no such mailbox here"


def status_for(result: IngestResult) -> str:
    """The SMTP reply for one ingest outcome; only a deliberate refusal is permanent."""
    if result.outcome == "rejected":
        return f"550 5.7.1 Message refused: {result.reason or 'refused by policy'}"
    if result.outcome == "quarantined":
        return "250 2.0.0 Ok: stored for review"
    if result.outcome == "duplicate":
        return f"250 2.0.0 Ok: already stored as ticket #{result.ticket}"
    return f"250 2.0.0 Ok: stored as ticket #{result.ticket}"


def group_by_domain(
    recipients: Sequence[str], routes: Mapping[str, Campaign] | None = None
) -> list[tuple[Domain, list[str], Campaign]]:
    """Recipients grouped per domain, in envelope order: one ingest call per domain.

    The campaign of a group is that of its first recipient: a message sent to two campaigns
    of the same company becomes one ticket, in the campaign the sender addressed first.
    `routes`: the campaigns RCPT already found (the listener), so that routing is answered
    once per recipient; an address missing from it is routed here.
    """
    groups: dict[int, tuple[Domain, list[str], Campaign]] = {}
    for address in recipients:
        campaign = routes.get(address) if routes else None
        if campaign is None:
            campaign = route_address(address)
        if campaign is None:
            continue
        if campaign.domain_id not in groups:
            groups[campaign.domain_id] = (campaign.domain, [], campaign)
        groups[campaign.domain_id][1].append(address)
    return list(groups.values())


def deliver(
    raw: bytes,
    *,
    mail_from: str,
    recipients: Sequence[str],
    source: str,
    routes: Mapping[str, Campaign] | None = None,
) -> list[str]:
    """Ingest one received message; returns one SMTP status per recipient, in envelope order.

    Plain and synchronous, so that it reads like the pipe and IMAP edges (the listener sends
    messages up to the spool threshold to its Committer instead: see IngestHandler). `routes`
    are the campaigns found at RCPT time: the listener's answer at RCPT is its decision for the
    transaction, as an MTA's is (routing is not looked up twice per message).
    """
    parts = deliveries(
        raw, mail_from=mail_from, recipients=recipients, source=source, routes=routes
    )
    outcomes: list[IngestResult | None] = []
    for delivery in parts:
        try:
            outcomes.append(delivery.ingest_alone(auto_reply=True))
        except TransientIngestError as error:
            log.warning("Ingest to %s deferred: %s", delivery.recipients, error)
            outcomes.append(None)
        except Exception:
            # A bug or an unexpected database error: the sender keeps the message and retries.
            log.exception("Ingest failed (from %r to %s)", mail_from, delivery.recipients)
            outcomes.append(None)
    return statuses_of(recipients, parts, outcomes)


def deliveries(
    raw: bytes,
    *,
    mail_from: str,
    recipients: Sequence[str],
    source: str,
    routes: Mapping[str, Campaign] | None,
) -> list[Delivery]:
    """One delivery per domain the recipients belong to (group_by_domain), in envelope order."""
    return [
        Delivery(source, raw, campaign, domain, mail_from, addresses)
        for domain, addresses, campaign in group_by_domain(recipients, routes)
    ]


def statuses_of(
    recipients: Sequence[str], parts: Sequence[Delivery], outcomes: Sequence[IngestResult | None]
) -> list[str]:
    """One SMTP status per recipient, in envelope order, from each part's outcome (None: 451)."""
    statuses = {address: no_mailbox(address) for address in recipients}
    for delivery, outcome in zip(parts, outcomes, strict=True):
        status = TRANSIENT if outcome is None else status_for(outcome)
        for address in delivery.recipients:
            statuses[address] = status
    return [statuses[address] for address in recipients]


def one_status(statuses: Sequence[str]) -> str:
    """SMTP has one reply per transaction: retry if any part must be retried (ingest is
    idempotent, so the parts already stored are not stored twice), refuse only if all refused."""
    for status in statuses:
        if status.startswith("4"):
            return TRANSIENT
    for status in statuses:
        if status.startswith("2"):
            return status
    return statuses[0]
