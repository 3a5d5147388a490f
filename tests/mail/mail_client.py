"""Mail written the way customers' mail clients write it: a new request, and a reply to a
message received from Comptoir (what Thunderbird, Outlook or Gmail put in the headers)."""

from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default


def customer_mail(
    sender: str,
    subject: str,
    message_id: str,
    *,
    to: str = "support@acme.test",
    body: str = "Bonjour,\n\nJe n'arrive plus à me connecter.\n\nClaire",
    **headers: str,
) -> bytes:
    """A person's new message; `headers` name extra headers with "_" for "-"."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = f"<{message_id}>"
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return bytes(message)


def parse(raw: bytes) -> EmailMessage:
    message = message_from_bytes(raw, policy=default)
    assert isinstance(message, EmailMessage)
    return message


def reply_address(received: EmailMessage) -> str:
    """Where a mail client sends a reply: the Reply-To when there is one, else the From."""
    header = received["Reply-To"] or received["From"]
    return str(header.addresses[0].addr_spec)


def client_reply(
    received: bytes,
    *,
    sender: str,
    message_id: str,
    body: str = "Merci, cela fonctionne de nouveau.",
    in_reply_to: bool = True,
    references: bool = True,
) -> tuple[bytes, str]:
    """(the reply's bytes, the address it goes to). Clients differ in what they keep: some
    drop References, some (webmails, forwards of a reply) keep nothing but the subject."""
    original = parse(received)
    to = reply_address(original)
    reply = EmailMessage()
    reply["From"] = sender
    reply["To"] = to
    reply["Subject"] = "RE: " + str(original["Subject"])
    reply["Message-ID"] = f"<{message_id}>"
    if in_reply_to:
        reply["In-Reply-To"] = str(original["Message-ID"])
    if references:
        thread = [str(original["References"] or ""), str(original["Message-ID"])]
        reply["References"] = " ".join(part for part in thread if part)
    text = original.get_body(("plain",))
    assert text is not None
    quoted = "\n".join(f"> {line}" for line in text.get_content().splitlines())
    reply.set_content(f"{body}\n\n{quoted}\n")
    return bytes(reply), to
