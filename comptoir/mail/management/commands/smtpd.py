"""`comptoir smtpd`: the SMTP (or LMTP) listener, until SIGTERM or SIGINT."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from comptoir.lib.shutdown import stop_requested
from comptoir.mail.server import build_controller


class Command(BaseCommand):
    help = "Receive mail over SMTP (or LMTP with --lmtp) and store it as tickets."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=2525)
        parser.add_argument("--lmtp", action="store_true", help="speak LMTP instead of SMTP")

    def handle(self, *args: Any, host: str, port: int, lmtp: bool, **options: Any) -> None:
        stop = stop_requested()
        controller = build_controller(host, port, lmtp=lmtp)
        controller.start()
        protocol = "lmtp" if lmtp else "smtp"
        self.stdout.write(f"{protocol}: listening on {host}:{port}")
        self.stdout.flush()
        # The server runs in the controller's thread; this one only waits for a signal.
        stop.wait()
        controller.stop()
        self.stdout.write(f"{protocol}: stopped")
