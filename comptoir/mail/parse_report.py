"""multipart/report; report-type=delivery-status (RFC 3464, RFC 6533) -> DeliveryReport."""

from email.message import Message
from email.parser import HeaderParser
from email.policy import compat32

from comptoir.mail.parse_charsets import decode_8bit
from comptoir.mail.parse_headers import parse_message_id, raw_header, unfold
from comptoir.mail.parse_types import DeliveryReport

STATUS_TYPES = frozenset({"message/delivery-status", "message/global-delivery-status"})
ORIGINAL_TYPES = frozenset(
    {"message/rfc822", "message/global", "text/rfc822-headers", "message/global-headers"}
)


def is_delivery_report(part: Message) -> bool:
    if part.get_content_type() != "multipart/report":
        return False
    report_type = part.get_param("report-type")
    return isinstance(report_type, str) and report_type.strip().lower() == "delivery-status"


def parse_delivery_report(part: Message) -> DeliveryReport:
    payload = part.get_payload()
    children = [c for c in payload if isinstance(c, Message)] if isinstance(payload, list) else []
    report = DeliveryReport(original_message_id="")
    for child in children:
        ctype = child.get_content_type()
        if ctype in STATUS_TYPES:
            fill_status(report, status_blocks(child))
        elif ctype in ORIGINAL_TYPES and not report.original_message_id:
            report.original_message_id = original_message_id(child)
    return report


def status_blocks(part: Message) -> list[Message]:
    """The field blocks; the stdlib pre-parses them unless a transfer encoding hid them."""
    payload = part.get_payload()
    if isinstance(payload, list) and not part.get("content-transfer-encoding", "").strip():
        return [block for block in payload if isinstance(block, Message)]
    raw = part.get_payload(decode=True)
    if not isinstance(raw, bytes):
        raw = "\n\n".join(str(b) for b in payload).encode() if isinstance(payload, list) else b""
    text = raw.decode("utf-8", errors="replace").replace("\r\n", "\n")
    parser = HeaderParser(policy=compat32)
    return [parser.parsestr(chunk.strip("\n") + "\n") for chunk in text.split("\n\n") if chunk]


def field(block: Message, name: str) -> str:
    value = raw_header(block, name)
    if value is None:
        return ""
    return " ".join(decode_8bit(unfold(value)).split())


def without_type(value: str) -> str:
    """'rfc822; bob@example.com' -> 'bob@example.com' (RFC 3464 typed fields)."""
    kind, sep, rest = value.partition(";")
    return rest.strip() if sep and " " not in kind.strip() else value.strip()


def fill_status(report: DeliveryReport, blocks: list[Message]) -> None:
    recipients = [
        b for b in blocks if field(b, "final-recipient") or field(b, "original-recipient")
    ]
    if not recipients:
        return
    failed = [b for b in recipients if field(b, "action").lower() == "failed"]
    primary = failed[0] if failed else recipients[0]
    report.action = field(primary, "action").lower()
    report.status = field(primary, "status").split(" ", 1)[0]
    report.diagnostic = without_type(field(primary, "diagnostic-code"))
    for block in recipients:
        if field(block, "action").lower() != report.action:
            continue
        address = without_type(
            field(block, "final-recipient") or field(block, "original-recipient")
        )
        address = address.strip("<>").lower()
        if address and address not in report.recipients:
            report.recipients.append(address)


def original_message_id(part: Message) -> str:
    payload = part.get_payload()
    if isinstance(payload, list) and payload and isinstance(payload[0], Message):
        return parse_message_id(raw_header(payload[0], "message-id"))
    raw = part.get_payload(decode=True)
    if not isinstance(raw, bytes):
        return ""
    headers = HeaderParser(policy=compat32).parsestr(raw.decode("utf-8", errors="replace"))
    return parse_message_id(raw_header(headers, "message-id"))
