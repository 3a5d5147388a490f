"""The MIME tree walk: which parts are the body (text, HTML) and which are attachments."""

import re
from dataclasses import dataclass, field
from email.message import Message
from email.parser import BytesParser
from email.policy import compat32

from comptoir.mail.parse_attach import (
    disposition,
    make_attachment,
    message_filename,
    numbered,
    part_filename,
    payload_bytes,
    type_filename,
    type_for,
)
from comptoir.mail.parse_charsets import decode_8bit, decode_bytes, sniff_html_charset
from comptoir.mail.parse_headers import decode_text, raw_header
from comptoir.mail.parse_legacy import extract_tnef, extract_uuencoded, is_tnef
from comptoir.mail.parse_report import STATUS_TYPES, is_delivery_report, parse_delivery_report
from comptoir.mail.parse_types import (
    DeliveryReport,
    ParsedAttachment,
    ParseLimitError,
    depth_reason,
    parts_reason,
)

BODY_TYPES = frozenset({"text/plain", "text/html"})
# A delimiter line followed by a part header: enough to recover a lost or wrong boundary.
GUESSED_BOUNDARY = re.compile(r"^--([^\s]{1,200})[ \t]*\r?\n(?=[A-Za-z-]+:)", re.MULTILINE)


@dataclass
class Body:
    texts: list[str] = field(default_factory=list)
    htmls: list[str] = field(default_factory=list)
    # Inside a multipart/alternative, several HTML parts are fragments of one body (Apple Mail
    # splits its HTML around images); elsewhere a second HTML part is a document of its own.
    in_alternative: bool = False
    follows_inline: bool = False  # the part being walked comes right after an inline part


@dataclass
class Walk:
    """What the walk collects besides the body, shared by every branch of the tree.

    It also counts parts and levels: the recovery of a broken boundary (salvage_multipart) builds
    parts the first check (parse.check_tree) never saw, and nested recoveries would otherwise
    recurse until Python's RecursionError (issue 10)."""

    defects: list[str]
    max_parts: int = 1000
    max_depth: int = 20
    parts: int = 0
    attachments: list[ParsedAttachment] = field(default_factory=list)
    report: DeliveryReport | None = None
    # How many attachments already bear each name, to number the next one (a set, not a scan
    # of the list: a message may hold a thousand nameless parts).
    names: dict[str, int] = field(default_factory=dict)

    def enter(self, depth: int) -> None:
        self.parts += 1
        if self.parts > self.max_parts:
            raise ParseLimitError(parts_reason(self.max_parts))
        if depth > self.max_depth:
            raise ParseLimitError(depth_reason(self.max_depth))

    def attach(self, part: Message, content_type: str, content: bytes, name: str = "") -> None:
        attachment = make_attachment(part, content_type, content, self.defects)
        if name:
            attachment.filename = name
        elif not attachment.filename:
            # Nameless parts are numbered so two of them never look like one file.
            base = type_filename(content_type)
            self.names[base] = self.names.get(base, 0) + 1
            attachment.filename = numbered(base, self.names[base])
        self.attachments.append(attachment)


def walk_part(part: Message, body: Body, walk: Walk, depth: int = 0) -> None:
    walk.enter(depth)
    normalize_headers(part)
    for defect in part.defects:
        walk.defects.append(type(defect).__name__)
    ctype = content_type(part, walk.defects)
    maintype = ctype.partition("/")[0]
    if maintype == "multipart":
        walk_multipart(part, ctype, body, walk, depth)
    elif maintype == "message":
        attach_message(part, ctype, walk)
    elif (
        ctype in BODY_TYPES
        and not is_file(part, walk.defects)
        and not is_document(ctype, body, part)
    ):
        add_body_text(part, ctype, body, walk)
    else:
        attach_leaf(part, ctype, body, walk)


def normalize_headers(part: Message) -> None:
    """Replace raw 8-bit header values with text, so the stdlib's accessors never see bytes.

    One pass over the header list, in place: deleting and re-adding each name (the former way)
    rescans every header per name, quadratic in a block of many 8-bit headers."""
    headers = part._headers  # type: ignore[attr-defined]  # compat32 keeps (name, value) pairs
    for index, (key, value) in enumerate(headers):
        if isinstance(value, str) and not value.isascii():
            headers[index] = (key, decode_8bit(value))


def content_type(part: Message, defects: list[str]) -> str:
    declared = part.get("content-type")
    ctype = part.get_content_type()
    if declared and "/" not in str(declared).split(";", 1)[0]:
        # "Content-Type: pdf" makes the stdlib say text/plain; the filename knows better.
        filename = part_filename(part, defects)
        defects.append(f"invalid Content-Type {str(declared)[:60]!r}")
        return type_for(filename) if filename else "application/octet-stream"
    return ctype


def is_file(part: Message, defects: list[str]) -> bool:
    """A text part is a file, not body, when it is labelled attachment or carries a name."""
    if disposition(part) == "attachment":
        return True
    # Cheap test first: parsing parameters costs more than the rest of a text part's handling.
    headers = f"{part.get('content-type', '')} {part.get('content-disposition', '')}".lower()
    return "name" in headers and bool(part_filename(part, defects))


def is_document(ctype: str, body: Body, part: Message) -> bool:
    """A second HTML part of a multipart/mixed, not marked inline and not following an inline
    part, is an attached document: it would otherwise be glued to the body and lost as a file."""
    return (
        ctype == "text/html"
        and bool(body.htmls)
        and not body.in_alternative
        and not body.follows_inline
        and disposition(part) != "inline"
    )


def walk_multipart(part: Message, ctype: str, body: Body, walk: Walk, depth: int) -> None:
    payload = part.get_payload()
    if not isinstance(payload, list):
        salvage_multipart(part, body, walk, depth)
        return
    children = [child for child in payload if isinstance(child, Message)]
    if ctype == "multipart/report" and walk.report is None and is_delivery_report(part):
        walk.report = parse_delivery_report(part)
    if ctype == "multipart/alternative":
        walk_alternative(children, body, walk, depth + 1)
        return
    previous: Message | None = None
    for child in children:
        # Apple Mail writes [html, inline image, html]: HTML right after an inline part is the
        # rest of the body, not a document.
        body.follows_inline = previous is not None and is_inline(previous)
        walk_part(child, body, walk, depth + 1)
        previous = child
    body.follows_inline = False


def is_inline(part: Message) -> bool:
    return disposition(part) == "inline" or bool(part.get("content-id"))


def walk_alternative(children: list[Message], body: Body, walk: Walk, depth: int) -> None:
    """Each alternative is walked apart; the body takes the first text, the last (richest) HTML."""
    bodies = []
    for child in children:
        branch = Body(in_alternative=True)
        walk_part(child, branch, walk, depth)
        bodies.append(branch)
    texts = [branch.texts for branch in bodies if branch.texts]
    htmls = [branch.htmls for branch in bodies if branch.htmls]
    if texts:
        body.texts.extend(texts[0])
    if htmls:
        body.htmls.extend(htmls[-1])


def salvage_multipart(part: Message, body: Body, walk: Walk, depth: int) -> None:
    """A multipart whose boundary is missing or wrong: re-split on a delimiter found in the text,
    or keep the whole as text; never lose the words.

    The re-split parts count as children of this part (depth + 1): each level of recovery
    re-parses what is left, so the depth limit also bounds that work (depth x size)."""
    raw = payload_bytes(part) or str(part.get_payload()).encode("utf-8", "surrogateescape")
    text = raw.decode("ascii", "surrogateescape")
    match = GUESSED_BOUNDARY.search(text)
    if match and match.group(1) != part.get_boundary():
        walk.defects.append(f"multipart boundary missing or wrong; re-split on {match.group(1)!r}")
        head = f'Content-Type: multipart/mixed; boundary="{match.group(1)}"\n\n'.encode()
        rebuilt = BytesParser(policy=compat32).parsebytes(head + raw)
        children = rebuilt.get_payload()
        if isinstance(children, list):
            for child in children:
                if isinstance(child, Message):
                    walk_part(child, body, walk, depth + 1)
            return
    walk.defects.append("multipart without usable boundary; kept as text")
    text = decode_bytes(raw, None, walk.defects, where="a broken multipart")
    body.texts.append(text.replace("\r\n", "\n"))


def add_body_text(part: Message, ctype: str, body: Body, walk: Walk) -> None:
    raw = payload_bytes(part)
    charset = declared_charset(part)
    if ctype == "text/html":
        charset = charset or sniff_html_charset(raw)
        html = decode_bytes(raw, charset, walk.defects, where="the HTML body")
        body.htmls.append(html.replace("\r\n", "\n"))
        return
    text = decode_bytes(raw, charset, walk.defects, where="the text body").replace("\r\n", "\n")
    text, files = extract_uuencoded(text, walk.defects)
    walk.attachments.extend(files)
    body.texts.append(text)


def declared_charset(part: Message) -> str | None:
    try:
        return part.get_content_charset()
    except Exception:  # an RFC 2231-encoded charset parameter naming an unknown charset
        return None


def attach_leaf(part: Message, ctype: str, body: Body, walk: Walk) -> None:
    content = payload_bytes(part)
    if is_tnef(ctype, part_filename(part, walk.defects)):
        extracted = extract_tnef(content, walk.defects, max_depth=walk.max_depth)
        if extracted is not None:
            files, text = extracted
            walk.attachments.extend(files)
            if text.strip():
                body.texts.append(text)
            return
    walk.attach(part, ctype, content)


def attach_message(part: Message, ctype: str, walk: Walk) -> None:
    """A forwarded or bounced message stays whole, as a .eml named after its subject."""
    if ctype in STATUS_TYPES:
        name = part_filename(part, walk.defects) or "delivery-status.txt"
        walk.attach(part, "text/plain", status_text(part), name=name)
        return
    content = message_bytes(part, walk.defects)
    inner = part.get_payload()
    subject = ""
    if isinstance(inner, list) and inner and isinstance(inner[0], Message):
        subject = decode_text(raw_header(inner[0], "subject"), walk.defects)
    name = part_filename(part, walk.defects) or message_filename(subject)
    walk.attach(part, ctype, content, name=name)


def message_bytes(part: Message, defects: list[str]) -> bytes:
    inner = part.get_payload()
    if not isinstance(inner, list) or not inner:
        return payload_bytes(part)
    try:
        raw = inner[0].as_bytes(policy=compat32) if isinstance(inner[0], Message) else b""
    except Exception as error:  # the generator refuses some broken trees; keep what we can
        defects.append(f"nested message not re-serialisable ({type(error).__name__})")
        return b""
    cte = str(part.get("content-transfer-encoding", "")).strip().lower()
    if cte in ("base64", "quoted-printable"):
        # Not allowed by RFC 2046, done anyway: the stdlib parsed the encoded text as a message.
        holder = Message()
        holder["Content-Transfer-Encoding"] = cte
        holder.set_payload(raw.split(b"\n\n", 1)[-1].decode("ascii", "surrogateescape"))
        return payload_bytes(holder)
    return raw


def status_text(part: Message) -> bytes:
    payload = part.get_payload()
    if isinstance(payload, list):
        blocks = [b.as_bytes(policy=compat32) for b in payload if isinstance(b, Message)]
        return b"".join(blocks)
    return payload_bytes(part)
