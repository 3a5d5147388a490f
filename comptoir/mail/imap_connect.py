"""Opening an IMAP session for a polled mailbox: the one way polling and the editor's "test
the connection" reach a server a tenant named.

The host goes through lib.hostguard (resolved once within a deadline, internal addresses
refused unless the operator allows them); the socket goes to the checked address, and TLS
verifies the certificate against the host name the tenant typed. Plaintext IMAP is allowed
only to the operator's networks. The password is read at the last moment
(campaigns.mailbox_secret).
"""

import contextlib
import ssl
from typing import Any

from django.conf import settings
from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError

from comptoir.campaigns.mailbox_secret import MailboxSecretError, mailbox_password
from comptoir.campaigns.models import ImapMailbox, ImapSecurity
from comptoir.lib import hostguard

# Socket timeout: a silent server must not hold the lease (and the worker) forever.
TIMEOUT_SECONDS = 60
# A resolver that does not answer must not hold a worker either.
DNS_TIMEOUT_SECONDS = 5


class ImapConfigError(Exception):
    """The mailbox settings cannot work (no usable password, plaintext not allowed)."""


class PinnedNameContext(ssl.SSLContext):
    """A verifying TLS context that checks the certificate against `server_name` (the host the
    tenant typed) although the socket was opened to an address: imaplib would otherwise use
    the address it connected to as the name to verify."""

    server_name = ""

    def wrap_socket(self, sock: Any, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        kwargs["server_hostname"] = self.server_name
        return super().wrap_socket(sock, *args, **kwargs)


def tls_context(host: str) -> ssl.SSLContext:
    """ssl.create_default_context(), pinned to host."""
    context = PinnedNameContext(ssl.PROTOCOL_TLS_CLIENT)  # verifies certificate and name
    context.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN | ssl.VERIFY_X509_STRICT
    context.load_default_certs(ssl.Purpose.SERVER_AUTH)
    context.server_name = host.strip().strip("[]")
    return context


def checked_addresses(mailbox: ImapMailbox, *, timeout: float) -> list[str]:
    """Where to connect: HostRefused, TimeoutError or socket.gaierror otherwise."""
    plaintext = mailbox.security == ImapSecurity.NONE
    if plaintext and not settings.COMPTOIR_IMAP_ALLOWED_NETWORKS:
        # The password would cross the network in clear.
        raise ImapConfigError("plaintext IMAP is not allowed (COMPTOIR_IMAP_ALLOWED_NETWORKS)")
    addresses = hostguard.resolve(
        mailbox.host, mailbox.port, timeout=min(DNS_TIMEOUT_SECONDS, timeout)
    )
    if plaintext and not all(hostguard.plaintext_allowed(a) for a in addresses):
        raise hostguard.HostRefused(f"plaintext IMAP to {mailbox.host} is not allowed")
    return addresses


def open_session(mailbox: ImapMailbox, *, timeout: float) -> IMAPClient:
    """Connected (and, with STARTTLS, encrypted), not logged in."""
    use_tls = mailbox.security == ImapSecurity.TLS
    addresses = checked_addresses(mailbox, timeout=timeout)
    for position, address in enumerate(addresses, start=1):
        try:
            client = IMAPClient(
                address,
                port=mailbox.port,
                ssl=use_tls,
                ssl_context=tls_context(mailbox.host) if use_tls else None,
                timeout=timeout,
            )
            break
        except OSError:
            if position == len(addresses):
                raise
    if mailbox.security == ImapSecurity.STARTTLS:
        try:
            client.starttls(tls_context(mailbox.host))
        except BaseException:
            close_quietly(client)
            raise
    return client


def log_in(client: IMAPClient, mailbox: ImapMailbox) -> None:
    try:
        password = mailbox_password(mailbox)
    except MailboxSecretError as error:
        raise ImapConfigError(str(error)) from None
    client.login(mailbox.username, password)


def connect(mailbox: ImapMailbox, *, timeout: float = TIMEOUT_SECONDS) -> IMAPClient:
    """Open an authenticated session; certificates are verified against the system store."""
    try:
        mailbox_password(mailbox)  # no usable password: do not even connect
    except MailboxSecretError as error:
        raise ImapConfigError(str(error)) from None
    client = open_session(mailbox, timeout=timeout)
    try:
        log_in(client, mailbox)
    except BaseException:
        close_quietly(client)
        raise
    return client


def close_quietly(client: IMAPClient) -> None:
    # The run's outcome is already decided; a failing LOGOUT must not replace it.
    try:
        client.logout()
    except (IMAPClientError, OSError):
        # The socket may be gone already (a failed TLS handshake closes it).
        with contextlib.suppress(OSError):
            client.shutdown()
