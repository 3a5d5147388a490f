"""`comptoir serve`: web, mail listener and worker as child processes, supervised.

With no flag it runs all three: the embedded default, one command on one machine. In production
each part can run on its own (`serve --web` behind a proxy, `serve --smtp`, `serve --worker`),
as many times and on as many machines as needed: nothing lives in this process's memory.

Each part is a separate process so that a crash in one is seen, not hidden: if a child exits
while we did not ask it to, the others are stopped and serve exits non-zero, for the service
manager (systemd, Docker, Kubernetes) to restart the whole.

`serve: ready` is printed once every listening part accepts connections (a script or a test
may wait for that line), not when the processes were merely started.
"""

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from comptoir.lib.shutdown import StopEvent, stop_requested
from comptoir.tenancy.models import Domain

# Gunicorn lets requests in flight finish for this long after SIGTERM; we wait a little longer.
GRACEFUL_SECONDS = 20
STOP_WAIT_SECONDS = GRACEFUL_SECONDS + 5
# How long the listeners get to accept connections (imports, gunicorn's workers booting).
READY_SECONDS = 60


@dataclass
class Part:
    name: str
    argv: list[str]
    where: str
    # The address that accepts connections once the part is ready; None: nothing to wait for.
    listens_on: tuple[str, int] | None = None


def reachable_host(host: str) -> str:
    """Where to connect to a listener bound to `host` (a wildcard is reached on loopback)."""
    if host in ("0.0.0.0", ""):
        return "127.0.0.1"
    return "::1" if host == "::" else host


def comptoir_argv(*args: str) -> list[str]:
    # The same interpreter and settings as this process, whether or not the script is on PATH.
    return [sys.executable, "-m", "comptoir.cli", *args]


def web_part(host: str, port: int, workers: int) -> Part:
    argv = [
        *[sys.executable, "-m", "gunicorn", "comptoir.wsgi:application"],
        *["--bind", f"{host}:{port}", "--workers", str(workers)],
        *["--access-logfile", "-", "--graceful-timeout", str(GRACEFUL_SECONDS)],
        # A worker stuck longer than this on one request is killed and replaced.
        *["--timeout", "60"],
        # Its default control socket is one path in $HOME shared by every gunicorn on the
        # machine; serve is the supervisor here, so it is not needed.
        "--no-control-socket",
    ]
    return Part("web", argv, web_addresses(host, port), (reachable_host(host), port))


def web_addresses(host: str, port: int) -> str:
    """Where to point a browser: each domain answers on <slug>.localhost in development."""
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    plain = f"http://{shown}:{port}/"
    try:
        slugs = list(Domain.objects.order_by("id").values_list("slug", flat=True)[:3])
    except DatabaseError:
        # Not migrated yet: the web will say so itself; serve still starts.
        slugs = []
    if not slugs:
        return plain
    named = ", ".join(f"http://{slug}.localhost:{port}/" for slug in slugs)
    return f"{named} (also {plain})"


def chosen_parts(options: dict[str, Any]) -> list[Part]:
    everything = not (options["web"] or options["smtp"] or options["worker"])
    host = options["host"]
    parts = []
    if everything or options["web"]:
        parts.append(web_part(host, options["web_port"], options["workers"]))
    if everything or options["smtp"]:
        smtp_port = options["smtp_port"]
        argv = comptoir_argv("smtpd", "--host", host, "--port", str(smtp_port))
        listens_on = (reachable_host(host), smtp_port)
        parts.append(Part("smtp", argv, f"{host}:{smtp_port}", listens_on))
    if everything or options["worker"]:
        parts.append(Part("worker", comptoir_argv("worker"), "background jobs (IMAP polling)"))
    return parts


def stop_all(children: dict[str, subprocess.Popen[bytes]]) -> None:
    """SIGTERM every child still running, wait for them, then SIGKILL the ones that hang."""
    for child in children.values():
        if child.poll() is None:
            child.terminate()
    deadline = time.monotonic() + STOP_WAIT_SECONDS
    for child in children.values():
        try:
            child.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def accepts_connections(address: tuple[str, int]) -> bool:
    try:
        socket.create_connection(address, timeout=1).close()
    except OSError:
        return False
    return True


def wait_until_ready(
    parts: list[Part], children: dict[str, subprocess.Popen[bytes]], stop: StopEvent
) -> tuple[str, int] | None:
    """Wait until every listening part accepts connections; returns the first child that
    exited meanwhile (its name and code), if one did. A stop request ends the wait too."""
    waiting = [part.listens_on for part in parts if part.listens_on is not None]
    deadline = time.monotonic() + READY_SECONDS
    while waiting and not stop.is_set():
        exited = first_exited(children)
        if exited is not None:
            return exited
        waiting = [address for address in waiting if not accepts_connections(address)]
        if waiting and time.monotonic() > deadline:
            stop_all(children)
            late = ", ".join(f"{host}:{port}" for host, port in waiting)
            raise CommandError(f"serve: no connection accepted on {late} in {READY_SECONDS} s")
        if waiting:
            stop.wait(0.1)
    return None


def child_environment(web_port: int) -> dict[str, str]:
    """The children's environment. Links mailed to users (invitations, password resets) name
    a domain's first configured hostname, else COMPTOIR_DEV_URL (tenancy.links): unless the
    operator set it, it names the port this web server listens on, not the default 8000."""
    environment = dict(os.environ)
    environment.setdefault("COMPTOIR_DEV_URL", f"http://{{slug}}.localhost:{web_port}")
    return environment


def first_exited(children: dict[str, subprocess.Popen[bytes]]) -> tuple[str, int] | None:
    for name, child in children.items():
        code = child.poll()
        if code is not None:
            return name, code
    return None


class Command(BaseCommand):
    help = "Run the web, the SMTP listener and the worker (all three when no part is named)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--web", action="store_true", help="run the web application")
        parser.add_argument("--smtp", action="store_true", help="run the SMTP listener")
        parser.add_argument("--worker", action="store_true", help="run the background worker")
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
        parser.add_argument("--web-port", type=int, default=8000)
        parser.add_argument("--smtp-port", type=int, default=2525)
        parser.add_argument("--workers", type=int, default=2, help="web processes")

    def handle(self, *args: Any, **options: Any) -> None:
        stop = stop_requested()
        children: dict[str, subprocess.Popen[bytes]] = {}
        environment = child_environment(options["web_port"])
        parts = chosen_parts(options)
        for part in parts:
            children[part.name] = subprocess.Popen(part.argv, env=environment)
            self.stdout.write(f"{part.name}: {part.where}")
        self.stdout.flush()
        exited = wait_until_ready(parts, children, stop)
        if exited is None and not stop.is_set():
            self.stdout.write(f"serve: ready ({', '.join(part.name for part in parts)})")
            self.stdout.flush()
        # A child that exits once the stop is asked (Ctrl-C reaches the whole group) is no
        # failure: only one that exits while serve runs stops the rest with an error.
        while exited is None and not stop.wait(0.5):
            exited = first_exited(children)
        stop_all(children)
        if exited is not None:
            name, code = exited
            raise CommandError(f"serve: {name} exited unexpectedly (code {code}); stopped the rest")
        self.stdout.write("serve: stopped")
