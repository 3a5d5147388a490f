"""Is this automatic mail? Signals from RFC 3834, common practice and our own addresses.

Automatic mail is stored like any other, but never answered automatically, never reopens a
closed ticket, and when it came from one of our own addresses it never opens a ticket (loops).
"""

from comptoir.mail.parse import ParsedEmail


def without_tag(address: str) -> str:
    """`support+x@acme.test` -> `support@acme.test`: ingest routes both to one campaign."""
    local, at, host = address.rpartition("@")
    return f"{local.split('+', 1)[0]}@{host}" if at else address


def is_own(address: str, own_addresses: set[str]) -> bool:
    return address in own_addresses or without_tag(address) in own_addresses


BULK_PRECEDENCE = {"bulk", "junk", "list", "auto_reply"}
MAIL_SYSTEMS = {"mailer-daemon", "postmaster"}


def automatic_reason(parsed: ParsedEmail, own_addresses: set[str], envelope_from: str = "") -> str:
    """Why this message is automatic, in words for the ticket history; "" for a person's mail."""
    if parsed.delivery_report is not None:
        return "delivery-status report (RFC 3464)"
    auto_submitted = parsed.auto_submitted.strip().lower()
    if auto_submitted and auto_submitted.split(";")[0].strip() != "no":
        return f"Auto-Submitted: {auto_submitted}"
    precedence = parsed.precedence.strip().lower()
    if precedence in BULK_PRECEDENCE:
        return f"Precedence: {precedence}"
    if parsed.auto_response_suppress.strip():
        return f"X-Auto-Response-Suppress: {parsed.auto_response_suppress.strip()}"
    if parsed.list_id.strip():
        return f"List-Id: {parsed.list_id.strip()}"
    sender = parsed.from_addr.email if parsed.from_addr else ""
    if sender and is_own(sender, own_addresses):
        return f"sent from our own address {sender}"
    if sender.split("@", 1)[0] in MAIL_SYSTEMS:
        return f"sent by a mail system ({sender})"
    if envelope_from in {"<>"}:
        return "null envelope sender (<>)"
    return ""
