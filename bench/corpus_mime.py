"""Hand-built MIME for the benchmark corpus: the bytes a real MTA would deliver.

Built by hand rather than with email.message so that every detail real mail has (Received
chains, DKIM signatures, quoted-printable latin-1 bodies, RFC 2231 file names, Outlook-style
HTML) is under control and the output is byte-for-byte stable for a seed.
"""

import base64
import html
import quopri
import random
import textwrap
from dataclasses import dataclass
from datetime import datetime
from email.header import Header
from email.utils import format_datetime, formataddr
from urllib.parse import quote

from bench.corpus_text import Customer

INBOX = "support@demo.localhost"


@dataclass
class Body:
    paragraphs: list[str]  # new text, already fitted to the charset
    quoted: list[str]  # previous message's text, quoted below the new text (replies)
    quote_header: str
    charset: str


@dataclass
class Envelope:
    customer: Customer
    subject: str
    message_id: str
    date: datetime
    in_reply_to: str = ""
    references: tuple[str, ...] = ()


def token(rng: random.Random, bits: int = 64) -> str:
    return f"{rng.getrandbits(bits):0{bits // 4}X}"


def encode_header(value: str, charset: str) -> str:
    if value.isascii():
        return value
    return Header(value, charset).encode(maxlinelen=76, linesep="\n")


def trace_headers(rng: random.Random, envelope: Envelope) -> list[str]:
    """Return-Path, Received chain, authentication results and a DKIM signature."""
    host = envelope.customer.email.rpartition("@")[2]
    when = format_datetime(envelope.date)
    ip = f"{rng.randint(2, 223)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    signature = base64.b64encode(rng.randbytes(256)).decode()
    body_hash = base64.b64encode(rng.randbytes(32)).decode()
    return [
        f"Return-Path: <{envelope.customer.email}>",
        f"Delivered-To: {INBOX}",
        f"Received: from mx.demo.localhost (localhost [127.0.0.1])\n\tby mail.demo.localhost"
        f" (Postfix) with ESMTP id 4{token(rng, 40)}\n\tfor <{INBOX}>; {when}",
        f"Received: from smtp-out.{host} (smtp-out.{host} [{ip}])\n\t(using TLSv1.3 with cipher"
        f" TLS_AES_256_GCM_SHA384 (256/256 bits))\n\tby mx.demo.localhost (Postfix) with ESMTPS"
        f" id {token(rng, 40)}\n\tfor <{INBOX}>; {when}",
        f"Authentication-Results: mx.demo.localhost;\n\tdkim=pass header.d={host};\n\t"
        f"spf=pass smtp.mailfrom={envelope.customer.email};\n\tdmarc=pass header.from={host}",
        f"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d={host}; s=s2048;"
        f" t={int(envelope.date.timestamp())};\n\th=from:to:subject:date:message-id:mime-version;"
        f"\n\tbh={body_hash};\n\tb={textwrap.fill(signature, 70, subsequent_indent=chr(9))}",
    ]


def message_headers(envelope: Envelope, charset: str) -> list[str]:
    customer = envelope.customer
    headers = [
        f"From: {formataddr((customer.name, customer.email), charset=charset)}",
        f"To: {formataddr(('Service client Demo', INBOX))}",
        f"Subject: {encode_header(envelope.subject, charset)}",
        f"Date: {format_datetime(envelope.date)}",
        f"Message-ID: <{envelope.message_id}>",
    ]
    if envelope.in_reply_to:
        headers.append(f"In-Reply-To: <{envelope.in_reply_to}>")
        refs = " ".join(f"<{r}>" for r in envelope.references)
        headers.append(f"References: {textwrap.fill(refs, 76, subsequent_indent=' ')}")
    name, value = customer.mailer
    headers += [f"{name}: {value}", "MIME-Version: 1.0"]
    return headers


def wrap_lines(paragraph: str, width: int) -> str:
    return "\n".join(textwrap.fill(line, width) for line in paragraph.splitlines())


def plain_text(body: Body) -> str:
    text = "\n\n".join(wrap_lines(p, 72) for p in body.paragraphs)
    if body.quoted:
        filled = "\n\n".join(wrap_lines(p, 70) for p in body.quoted)
        quoted = "\n".join(f"> {line}".rstrip() for line in filled.splitlines())
        text += f"\n\n{body.quote_header}\n{quoted}"
    return text + "\n"


def html_text(body: Body) -> str:
    def para(text: str) -> str:
        return "<p>" + html.escape(text).replace("\n", "<br>\n") + "</p>"

    inner = "\n".join(para(p) for p in body.paragraphs)
    if body.quoted:
        quoted = "\n".join(para(p) for p in body.quoted)
        inner += (
            f'\n<div class="gmail_quote"><div dir="ltr">{html.escape(body.quote_header)}</div>\n'
            '<blockquote style="margin:0 0 0 .8ex;border-left:1px #ccc solid;padding-left:1ex">'
            f"\n{quoted}\n</blockquote></div>"
        )
    return (
        f'<html><head>\n<meta http-equiv="Content-Type" content="text/html; charset='
        f'{body.charset}">\n<style type="text/css">p {{ margin: 0 0 1em 0; }}\n'
        "body { font-family: Calibri, Arial, sans-serif; font-size: 11pt; }</style>\n"
        f'</head><body lang="FR" style="word-wrap:break-word">\n<div dir="ltr">\n{inner}\n'
        "</div>\n</body></html>\n"
    )


def text_part(rng: random.Random, subtype: str, text: str, charset: str) -> str:
    """A text/* part, quoted-printable or 8bit as mail clients do (8bit kept as str here)."""
    if rng.random() < 0.5 or subtype == "html":
        payload = quopri.encodestring(text.encode(charset)).decode("ascii")
        cte = "quoted-printable"
    else:
        payload, cte = text, "8bit"
    return (
        f'Content-Type: text/{subtype}; charset="{charset}"\n'
        f"Content-Transfer-Encoding: {cte}\n\n{payload}"
    )


def multipart(rng: random.Random, subtype: str, parts: list[str]) -> str:
    boundary = f"----=_Part_{token(rng, 48)}_{rng.randint(1000, 9999)}"
    inner = "".join(f"--{boundary}\n{part}\n" for part in parts)
    return (
        f'Content-Type: multipart/{subtype};\n\tboundary="{boundary}"\n\n'
        f"This is a multi-part message in MIME format.\n\n{inner}--{boundary}--\n"
    )


def attachment_part(rng: random.Random, order: str) -> str:
    """A PDF- or JPEG-looking file of 10-100 KB (random bytes behind a real magic number)."""
    size = rng.randint(10 * 1024, 100 * 1024)
    kind = rng.choice(["pdf", "jpeg", "pdf-accent"])
    if kind == "jpeg":
        data = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + rng.randbytes(size) + b"\xff\xd9"
        ctype, filename = "image/jpeg", f"IMG_{rng.randint(1000, 9999)}.jpg"
    else:
        data = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + rng.randbytes(size) + b"\n%%EOF\n"
        ctype = "application/pdf"
        filename = f"facture_{order}.pdf" if kind == "pdf" else f"reçu_{order}.pdf"
    if filename.isascii():
        disposition = f'attachment; filename="{filename}"'
        type_name = f'; name="{filename}"'
    else:
        disposition = f"attachment;\n\tfilename*=utf-8''{quote(filename)}"
        type_name = ""
    return (
        f"Content-Type: {ctype}{type_name}\nContent-Disposition: {disposition}\n"
        f"Content-Transfer-Encoding: base64\n\n{base64.encodebytes(data).decode('ascii')}"
    )


def build_message(
    rng: random.Random, envelope: Envelope, body: Body, *, alternative: bool, attachment: bool
) -> bytes:
    """The message as delivered over SMTP: CRLF line ends, body in the customer's charset."""
    content = text_part(rng, "plain", plain_text(body), body.charset)
    if alternative:
        html_part = text_part(rng, "html", html_text(body), body.charset)
        content = multipart(rng, "alternative", [content, html_part])
    if attachment:
        order = f"{rng.randint(100000, 999999)}"
        content = multipart(rng, "mixed", [content, attachment_part(rng, order)])
    headers = trace_headers(rng, envelope) + message_headers(envelope, body.charset)
    text = "\n".join(headers) + "\n" + content
    return text.encode(body.charset).replace(b"\n", b"\r\n")
