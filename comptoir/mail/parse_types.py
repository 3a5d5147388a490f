"""The parse contract: the plain dataclasses parse_email returns (re-exported by parse.py).

They live in their own module so the parse_* helpers can build them without importing parse.py.
"""

from dataclasses import dataclass, field
from datetime import datetime

from comptoir.mail.reasons import kept_out


class ParseLimitError(Exception):
    """The message exceeds a limit (size, MIME depth, part count). `reason` says which, in words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def parts_reason(max_parts: int) -> str:
    return kept_out("too-many-parts", parts=max_parts)


def depth_reason(max_depth: int) -> str:
    return kept_out("too-deep", depth=max_depth)


@dataclass
class Address:
    email: str  # lower-cased (whole address); "" when the header held no usable address
    name: str = ""


@dataclass
class ParsedAttachment:
    filename: str
    content_type: str
    content: bytes
    content_id: str = ""  # without angle brackets
    inline: bool = False


@dataclass
class DeliveryReport:
    """What an RFC 3464 delivery-status report (a bounce) says."""

    original_message_id: str  # of the message that could not be delivered, without <>
    recipients: list[str] = field(default_factory=list)
    status: str = ""  # e.g. "5.1.1"
    diagnostic: str = ""  # the remote server's words
    action: str = ""  # failed / delayed / delivered ...


@dataclass
class ParsedEmail:
    message_id: str = ""  # without angle brackets, stripped; "" when absent
    in_reply_to: list[str] = field(default_factory=list)  # Message-IDs, without <>
    references: list[str] = field(default_factory=list)  # Message-IDs, without <>, in order
    subject: str = ""  # decoded (RFC 2047), whitespace-normalised
    from_addr: Address | None = None
    sender: Address | None = None
    reply_to: list[Address] = field(default_factory=list)
    to: list[Address] = field(default_factory=list)
    cc: list[Address] = field(default_factory=list)
    delivered_to: list[str] = field(default_factory=list)  # Delivered-To + X-Original-To
    date: datetime | None = None  # aware
    text: str = ""  # plain text body (derived from HTML when there is no text part)
    html: str = ""  # HTML body as received (NOT sanitised; callers sanitise)
    attachments: list[ParsedAttachment] = field(default_factory=list)
    # Signals for automatic-mail classification (raw header values, "" when absent).
    auto_submitted: str = ""
    precedence: str = ""
    auto_response_suppress: str = ""
    list_id: str = ""
    delivery_report: DeliveryReport | None = None
    # Problems found and worked around (broken boundary, unknown charset...), for the record.
    defects: list[str] = field(default_factory=list)
