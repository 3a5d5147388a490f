"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives: what the outbox's
tests and benchmark send to. It can be told to answer 4xx or 5xx, and be stopped and
started again on the same port (the SMTP server down, then up)."""

import socket
import threading
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


@dataclass
class Received:
    sender: str
    recipients: list[str]
    raw: bytes

    def parsed(self) -> EmailMessage:
        message = message_from_bytes(self.raw, policy=default)
        assert isinstance(message, EmailMessage)
        return message


@dataclass
class CaptureHandler:
    """Accepts everything unless told otherwise; `answers` are used, one per message, first."""

    received: list[Received] = field(default_factory=list)
    answers: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        with self.lock:
            if self.answers:
                return self.answers.pop(0)
            content = envelope.original_content or b""
            self.received.append(
                Received(envelope.mail_from or "", list(envelope.rcpt_tos), bytes(content))
            )
        return "250 2.0.0 Ok: queued"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class SmtpSink:
    """`sink.url` is what COMPTOIR_SMTP_URL should be set to."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.handler = CaptureHandler()
        self.controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    def start(self) -> "SmtpSink":
        self.controller = Controller(
            self.handler, hostname="127.0.0.1", port=self.port, decode_data=False
        )
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None
