"""The one entry point for inbound mail: every edge (SMTP/LMTP, IMAP, the pipe) calls ingest_email.

Contract (implementation in progress):

    ingest_email(raw, *, recipients=(), domain=None, campaign=None, source="", envelope_from="")
        -> IngestResult(outcome, ticket, reason, raw_id)

    outcome: "created" | "appended" | "duplicate" | "quarantined" | "rejected"
    raises TransientIngestError when the sender should retry (database unavailable...).

    route_address(address, domain=None) -> Campaign | None   (RCPT-time check)
"""

from collections.abc import Sequence
from dataclasses import dataclass

from comptoir.campaigns.models import Campaign
from comptoir.tenancy.models import Domain


class TransientIngestError(Exception):
    """Nothing was stored; the sender should try again later (451 / EX_TEMPFAIL)."""


@dataclass
class IngestResult:
    outcome: str
    ticket: int | None = None
    reason: str = ""
    raw_id: int | None = None


def route_address(address: str, domain: Domain | None = None) -> Campaign | None:
    raise RuntimeError("being written")


def ingest_email(
    raw: bytes,
    *,
    recipients: Sequence[str] = (),
    domain: Domain | None = None,
    campaign: Campaign | None = None,
    source: str = "",
    envelope_from: str = "",
) -> IngestResult:
    raise RuntimeError("being written")
