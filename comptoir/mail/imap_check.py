"""The campaign editor's "test the connection" (issue 10, finding 2: docs/security.md).

It must not be a port scanner: it goes through the same guard as polling (imap_connect), it
answers with one generic reason for everything before the login (unknown name, refused,
filtered, not allowed, TLS failure: told apart nowhere), never shows what a server said, and
holds the web worker for a bounded time.
"""

import contextlib
import socket
import threading
import time
from dataclasses import dataclass, field

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError

from comptoir.campaigns.mailbox_secret import MailboxSecretError, mailbox_password
from comptoir.campaigns.models import ImapMailbox
from comptoir.lib.hostguard import HostRefused
from comptoir.mail.imap_connect import ImapConfigError, close_quietly, log_in, open_session

# Someone is looking at the page: the whole test ends within about this many seconds (each
# network wait before the session is open is bounded by CONNECT_SECONDS).
DEADLINE_SECONDS = 8
CONNECT_SECONDS = 4


@dataclass
class ConnectionTest:
    """How it went. `problem`: "" (it worked), "unreachable" (anything before the login),
    "config" (no usable password, plaintext not allowed), "login", "folder", "other" (an
    error after the login), for the editor to say in the user's language."""

    problem: str = ""
    messages: int | None = None  # in the folder, when it was opened
    folders: list[str] = field(default_factory=list)  # the account's, when the folder is missing


def open_folder(client: IMAPClient, mailbox: ImapMailbox) -> ConnectionTest:
    """Logged in: open the folder read-only and count its messages; nothing is changed."""
    if not client.folder_exists(mailbox.folder):
        folders = sorted(str(f[2]) for f in client.list_folders())
        return ConnectionTest("folder", folders=folders[:30])
    selected = client.select_folder(mailbox.folder, readonly=True)
    return ConnectionTest(messages=int(selected.get(b"EXISTS", 0)))


def cut_off(client: IMAPClient) -> None:
    # From the watchdog thread: the blocked read in the request's thread then fails at once.
    with contextlib.suppress(OSError):
        client.socket().shutdown(socket.SHUT_RDWR)


def try_connection(
    mailbox: ImapMailbox, *, deadline_seconds: float = DEADLINE_SECONDS
) -> ConnectionTest:
    """On a saved mailbox or on the settings of a form (an ImapMailbox never saved): connect,
    log in, open the folder. Nothing is fetched, changed or logged; the answer holds neither
    the password nor anything the server said (but the account's folder names)."""
    started = time.monotonic()
    try:
        mailbox_password(mailbox)  # no usable password: do not even connect
    except MailboxSecretError:
        return ConnectionTest("config")
    try:
        client = open_session(mailbox, timeout=CONNECT_SECONDS)
    except ImapConfigError:
        return ConnectionTest("config")
    except (HostRefused, IMAPClientError, OSError):  # ssl.SSLError, gaierror: OSErrors
        return ConnectionTest("unreachable")
    left = max(0.0, deadline_seconds - (time.monotonic() - started))
    watchdog = threading.Timer(left, cut_off, args=[client])
    watchdog.start()
    try:
        log_in(client, mailbox)
        return open_folder(client, mailbox)
    except ImapConfigError:
        return ConnectionTest("config")
    except LoginError:
        return ConnectionTest("login")
    except (IMAPClientError, OSError):
        return ConnectionTest("other")
    finally:
        watchdog.cancel()
        close_quietly(client)
