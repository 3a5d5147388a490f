"""Django's mail backend (MAILERS["default"]) for the mail Comptoir sends to its own users
(invitations, password resets): through the same transport as the outbox (COMPTOIR_SMTP_URL),
or, without one, printed on the console (development)."""

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.console import EmailBackend as ConsoleBackend

from comptoir.mail.transport import SendFailure, open_transport, parse_smtp_url


class EmailBackend(BaseEmailBackend):
    def __init__(self, fail_silently: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.fail_silently = fail_silently

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        if not settings.COMPTOIR_SMTP_URL:
            return ConsoleBackend(fail_silently=self.fail_silently).send_messages(email_messages)
        transport = open_transport(parse_smtp_url(settings.COMPTOIR_SMTP_URL))
        sent = 0
        try:
            for message in email_messages:
                sent += self.send_one(transport, message)
        finally:
            transport.close()
        return sent

    def send_one(self, transport: Any, message: EmailMessage) -> int:
        recipients = message.recipients()
        if not recipients:
            return 0
        try:
            # SMTP lines end in CRLF: smtplib sends bytes as they are, and a server counts
            # a message written with bare LF as one line (refused past 1000 bytes).
            mime = message.message()
            raw = mime.as_bytes(policy=mime.policy.clone(linesep="\r\n"))
            transport.send(message.from_email, recipients, raw)
        except SendFailure:
            if not self.fail_silently:
                raise
            return 0
        return 1
