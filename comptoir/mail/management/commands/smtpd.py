"""`comptoir smtpd`: the SMTP (or LMTP) listener, until SIGTERM or SIGINT.

With `--processes N` (COMPTOIR_SMTP_PROCESSES), N listener processes share the port
(SO_REUSEPORT; the kernel spreads connections among them): one Python process uses about one
core, and ingest is mostly Python. This process serves too and starts the N-1 others; on
SIGTERM it stops them, waits for them, then stops itself.
"""

import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from comptoir.lib.shutdown import stop_requested
from comptoir.mail.server import build_controller

# How long the other processes get to finish their sessions once asked to stop.
STOP_SECONDS = 60


class Command(BaseCommand):
    help = "Receive mail over SMTP (or LMTP with --lmtp) and store it as tickets."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=2525)
        parser.add_argument("--lmtp", action="store_true", help="speak LMTP instead of SMTP")
        parser.add_argument(
            "--processes",
            type=int,
            default=None,
            help="listener processes sharing the port (default COMPTOIR_SMTP_PROCESSES, 1)",
        )
        # Internal: a process started by another one, which binds with SO_REUSEPORT.
        parser.add_argument("--shared-port", action="store_true", help="(internal)")

    def handle(
        self,
        *args: Any,
        host: str,
        port: int,
        lmtp: bool,
        processes: int | None,
        shared_port: bool,
        **options: Any,
    ) -> None:
        count = processes if processes is not None else settings.COMPTOIR_SMTP_PROCESSES
        if count < 1:
            raise CommandError("--processes must be at least 1")
        stop = stop_requested()
        reuse = shared_port or count > 1
        controller = build_controller(host, port, lmtp=lmtp, reuse_port=reuse)
        controller.start()
        others = [start_other(host, port, lmtp) for _ in range(count - 1)]
        protocol = "lmtp" if lmtp else "smtp"
        if not shared_port:
            self.stdout.write(f"{protocol}: listening on {host}:{port} ({count} process(es))")
            self.stdout.flush()
        # The server runs in the controller's thread; this one only waits for a signal.
        stop.wait()
        for other in others:
            other.terminate()
        for other in others:
            try:
                other.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                other.kill()
        controller.stop()
        if not shared_port:
            self.stdout.write(f"{protocol}: stopped")


def start_other(host: str, port: int, lmtp: bool) -> subprocess.Popen[bytes]:
    """One more listener process on the same port, with this one's environment."""
    args = [sys.executable, "-m", "comptoir.cli", "smtpd", "--host", host, "--port", str(port)]
    args += ["--processes", "1", "--shared-port", *(["--lmtp"] if lmtp else [])]
    return subprocess.Popen(args, stdout=subprocess.DEVNULL)
