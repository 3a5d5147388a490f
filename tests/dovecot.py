"""A throwaway Dovecot IMAP server on loopback, for tests that drive the real protocol.

Everything lives in one temporary directory (config, sockets, state, log, maildirs), so it
never touches a system Dovecot and several test runs can start their own side by side.
"""

import grp
import os
import pwd
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

CONFIG = """\
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
instance_name = comptoir-test-{port}
default_internal_user = {internal_user}
default_internal_group = {internal_group}
default_login_user = {login_user}
# The sandbox and CI may run as root; Dovecot refuses uid 0 mail users unless told.
first_valid_uid = 0
first_valid_gid = 0
auth_mechanisms = plain login
# Failed logins are answered at once (default: after 2 s); the wrong-password tests
# must not slow the rest down (see also anvil-auth-penalty below).
auth_failure_delay = 0
# Plaintext logins are fine here: the server only listens on loopback.
disable_plaintext_auth = no
{ssl}
mail_location = maildir:{root}/mail/%u
namespace inbox {{
  inbox = yes
  separator = /
}}
# Any user name logs in with PASSWORD: each test takes a fresh, empty account by naming it.
# (A passwd-file would need reloading, which Dovecot notices only at one-second mtime steps.)
passdb {{
  driver = static
  args = password={password}
}}
userdb {{
  driver = static
  args = uid={mail_uid} gid={mail_gid} home={root}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {tls_port}
    ssl = yes
  }}
}}
# No growing per-IP delay after failed logins (documented way to turn the penalty off).
service anvil {{
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"""

PASSWORD = "secret"
SSL_ON = "ssl = yes\nssl_cert = <{root}/cert.pem\nssl_key = <{root}/key.pem"


@dataclass
class Dovecot:
    root: Path
    port: int
    tls_port: int | None
    cert_file: Path | None
    process: subprocess.Popen[bytes]
    host: str = "127.0.0.1"
    # Every account's password (see the passdb in CONFIG).
    password: str = PASSWORD

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def dovecot_binary() -> str | None:
    return shutil.which("dovecot") or shutil.which("dovecot", path="/usr/sbin:/usr/local/sbin")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def mail_owner() -> tuple[int, int]:
    """The uid/gid mail is stored as: ours, or when root (which Dovecot's userdb refuses)
    the package's unprivileged `dovecot` account."""
    if os.getuid() != 0:
        return os.getuid(), os.getgid()
    account = pwd.getpwnam(existing_user("dovecot"))
    return account.pw_uid, account.pw_gid


def service_users() -> dict[str, str]:
    """Who Dovecot's helper processes run as.

    As an ordinary user, everything runs as that user. As root, Dovecot refuses to run its
    login processes as root, so use the unprivileged accounts the package creates.
    """
    if os.getuid() != 0:
        user = pwd.getpwuid(os.getuid()).pw_name
        group = grp.getgrgid(os.getgid()).gr_name
        return {"internal_user": user, "internal_group": group, "login_user": user}
    internal = existing_user("dovecot")
    return {
        "internal_user": internal,
        "internal_group": grp.getgrgid(pwd.getpwnam(internal).pw_gid).gr_name,
        "login_user": existing_user("dovenull"),
    }


def existing_user(name: str) -> str:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return "nobody"
    return name


def make_certificate(root: Path) -> Path | None:
    """A self-signed certificate for 127.0.0.1, or None when openssl is not installed."""
    openssl = shutil.which("openssl")
    if openssl is None:
        return None
    command = [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"]
    command += ["-keyout", str(root / "key.pem"), "-out", str(root / "cert.pem")]
    command += ["-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"]
    subprocess.run(command, check=True, capture_output=True)
    return root / "cert.pem"


def wait_for_port(port: int, process: subprocess.Popen[bytes], root: Path) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            logs = [root / "stderr.log", root / "dovecot.log"]
            text = "".join(path.read_text(errors="replace") for path in logs if path.exists())
            raise RuntimeError(f"dovecot exited early:\n{text}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"dovecot did not listen on {port} within 15 s")


def start_dovecot(root: Path) -> Dovecot:
    """Start Dovecot in `root`, which every process (mail user included) must be able to reach:
    a fresh `tempfile.mkdtemp()` works, pytest's 0700 tmp_path tree does not when root."""
    binary = dovecot_binary()
    if binary is None:
        raise RuntimeError("the dovecot binary is not installed (run scripts/ci-deps)")
    uid, gid = mail_owner()
    os.chown(root, uid, gid)
    for sub in ("run", "state", "mail", "home"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    for sub in ("mail", "home"):
        os.chown(root / sub, uid, gid)
    cert = make_certificate(root)
    port, tls_port = free_port(), free_port()
    config = CONFIG.format(
        root=root,
        port=port,
        tls_port=tls_port if cert else 0,
        password=PASSWORD,
        mail_uid=uid,
        mail_gid=gid,
        **service_users(),
        ssl=SSL_ON.format(root=root) if cert else "ssl = no",
    )
    (root / "dovecot.conf").write_text(config)
    # Dovecot logs to log_path; anything printed before that is set up goes to a file
    # too, since an unread pipe could fill up and block the server.
    with (root / "stderr.log").open("wb") as stderr:
        process = subprocess.Popen(
            [binary, "-F", "-c", str(root / "dovecot.conf")],
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    wait_for_port(port, process, root)
    return Dovecot(root, port, tls_port if cert else None, cert, process)
