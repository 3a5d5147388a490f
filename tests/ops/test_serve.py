"""`comptoir serve` as a real process: its parts answer, and SIGTERM stops every one of them.

Each test runs serve on a fresh, migrated SQLite data directory (serve_env, in conftest.py).
"""

import signal
import smtplib
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.ops.conftest import ROOT

type StartServe = Callable[..., subprocess.Popen[bytes]]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def processes_with_data_dir(data_dir: str) -> list[int]:
    """Pids of the processes started with this COMPTOIR_DATA_DIR: serve's children inherit it."""
    needle = f"COMPTOIR_DATA_DIR={data_dir}".encode()
    pids = []
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            if needle in environ.read_bytes().split(b"\0"):
                pids.append(int(environ.parent.name))
        except OSError:
            continue  # gone meanwhile, or not ours
    return pids


def listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
    except OSError:
        return False
    return True


def wait_until(condition: Callable[[], bool], process: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, f"serve exited: {what}"
        if condition():
            return
        time.sleep(0.1)
    raise TimeoutError(what)


@pytest.fixture
def serve(serve_env: dict[str, str]) -> Iterator[StartServe]:
    """Starts `comptoir serve ARGS`; kills it at the end if a test left it running."""
    processes: list[subprocess.Popen[bytes]] = []

    def start(*args: str) -> subprocess.Popen[bytes]:
        argv = [sys.executable, "-m", "comptoir.cli", "serve", *args]
        process = subprocess.Popen(argv, env=serve_env, cwd=ROOT)
        processes.append(process)
        return process

    yield start
    for process in processes:
        if process.poll() is None:
            process.kill()
            process.wait()


def http_status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_serve_runs_web_smtp_and_worker_and_sigterm_stops_them_all(
    serve: StartServe, serve_env: dict[str, str]
) -> None:
    web_port, smtp_port = free_port(), free_port()
    process = serve("--web-port", str(web_port), "--smtp-port", str(smtp_port), "--workers", "1")
    wait_until(lambda: listening(web_port) and listening(smtp_port), process, "not listening")
    assert http_status(f"http://127.0.0.1:{web_port}/login/") == 200
    with smtplib.SMTP("127.0.0.1", smtp_port) as client:
        assert client.ehlo("client.test")[0] == 250
    # serve, two gunicorn processes (arbiter and one worker), smtpd and the worker.
    assert len(processes_with_data_dir(serve_env["COMPTOIR_DATA_DIR"])) == 5
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=15) == 0
    # No orphan left behind: no process of ours remains, nothing listens on either port.
    assert processes_with_data_dir(serve_env["COMPTOIR_DATA_DIR"]) == []
    assert not listening(web_port)
    assert not listening(smtp_port)


def test_serve_smtp_runs_only_the_listener(serve: StartServe, serve_env: dict[str, str]) -> None:
    web_port, smtp_port = free_port(), free_port()
    process = serve("--smtp", "--web-port", str(web_port), "--smtp-port", str(smtp_port))
    wait_until(lambda: listening(smtp_port), process, "smtp not listening")
    assert not listening(web_port)
    # serve and smtpd only: no web, no worker.
    assert len(processes_with_data_dir(serve_env["COMPTOIR_DATA_DIR"])) == 2
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=15) == 0
    assert not listening(smtp_port)


def test_a_part_that_dies_stops_the_others_and_serve_fails(
    serve: StartServe, serve_env: dict[str, str]
) -> None:
    """The SMTP port is already taken, so the listener exits at once: serve must not carry on
    with a web and no mail, but stop the web and exit non-zero for its supervisor to see."""
    web_port = free_port()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        smtp_port = taken.getsockname()[1]
        ports = ("--web-port", str(web_port), "--smtp-port", str(smtp_port))
        process = serve("--web", "--smtp", *ports)
        assert process.wait(timeout=30) != 0
    assert processes_with_data_dir(serve_env["COMPTOIR_DATA_DIR"]) == []
    assert not listening(web_port)
