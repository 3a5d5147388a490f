"""The SMTP and LMTP listener: aiosmtpd speaks the protocol, `deliver` calls ingest_email.

An MTA (Postfix, Exim) or a sending host delivers here. The promises made to it:
- an unknown recipient is refused at RCPT time with `550 5.1.1`;
- `250` is answered only after ingest_email returned, that is after the message is committed;
- `451 4.3.0` on any failure that may pass (database busy or down, a bug), so the sender retries.
  Retrying is safe because ingest is idempotent (same Message-ID or same bytes: one message).
A message that cannot be parsed is not an error here: ingest quarantines it and we answer 250.

The event loop only speaks the protocol: routing lookups and ingest (storing, parsing) run in
worker threads, so a slow message never delays another session's greeting or commands. Its
memory is bounded by caps (comptoir/mail/listener_limits.py): sessions, a spool per session
(comptoir/mail/spool.py), and the bytes being ingested at once.
"""

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable, Coroutine, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, AnyStr

from aiosmtpd.controller import Controller
from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP, Envelope, Session
from django.conf import settings
from django.db import close_old_connections, connections

from comptoir.campaigns.models import Campaign
from comptoir.mail.ingest import IngestResult, TransientIngestError, ingest_email, route_address
from comptoir.mail.listener_limits import SessionCap, give_memory_back
from comptoir.mail.spool import Spool, SpoolClosed, SpooledEnvelope, SpoolingDATA
from comptoir.tenancy.models import Domain

log = logging.getLogger(__name__)

# Threads running RCPT lookups; ingest has its own (COMPTOIR_SMTP_INGEST_THREADS), so that
# messages being stored never keep another session waiting at RCPT.
LOOKUP_THREADS = 2
# Threads writing spools to disk (short writes, never the database).
SPOOL_THREADS = 2
TRANSIENT = "451 4.3.0 Temporary failure, please try again later"
# The refusals aiosmtpd itself sends after the final dot, when it discarded the data.
DATA_REFUSALS = ("552 Error: Too much mail data", "500 Line too long")


def no_mailbox(address: str) -> str:
    return f"550 5.1.1 <{address}>: no such mailbox here"


def status_for(result: IngestResult) -> str:
    """The SMTP reply for one ingest outcome; only a deliberate refusal is permanent."""
    if result.outcome == "rejected":
        return f"550 5.7.1 Message refused: {result.reason or 'refused by policy'}"
    if result.outcome == "quarantined":
        return "250 2.0.0 Ok: stored for review"
    if result.outcome == "duplicate":
        return f"250 2.0.0 Ok: already stored as ticket #{result.ticket}"
    return f"250 2.0.0 Ok: stored as ticket #{result.ticket}"


def group_by_domain(
    recipients: Sequence[str], routes: Mapping[str, Campaign] | None = None
) -> list[tuple[Domain, list[str], Campaign]]:
    """Recipients grouped per domain, in envelope order: one ingest call per domain.

    The campaign of a group is that of its first recipient: a message sent to two campaigns
    of the same company becomes one ticket, in the campaign the sender addressed first.
    `routes`: the campaigns RCPT already found (the listener), so that routing is answered
    once per recipient; an address missing from it is routed here.
    """
    groups: dict[int, tuple[Domain, list[str], Campaign]] = {}
    for address in recipients:
        campaign = routes.get(address) if routes else None
        if campaign is None:
            campaign = route_address(address)
        if campaign is None:
            continue
        if campaign.domain_id not in groups:
            groups[campaign.domain_id] = (campaign.domain, [], campaign)
        groups[campaign.domain_id][1].append(address)
    return list(groups.values())


def deliver(
    raw: bytes,
    *,
    mail_from: str,
    recipients: Sequence[str],
    source: str,
    routes: Mapping[str, Campaign] | None = None,
) -> list[str]:
    """Ingest one received message; returns one SMTP status per recipient, in envelope order.

    Plain and synchronous, so that it reads like the pipe and IMAP edges. `routes` are the
    campaigns found at RCPT time: the listener's answer at RCPT is its decision for the
    transaction, as an MTA's is (routing is not looked up twice per message).
    """
    statuses = {address: no_mailbox(address) for address in recipients}
    for domain, addresses, campaign in group_by_domain(recipients, routes):
        try:
            result = ingest_email(
                raw,
                recipients=addresses,
                domain=domain,
                campaign=campaign,
                source=source,
                envelope_from=mail_from,
            )
            status = status_for(result)
        except TransientIngestError as error:
            log.warning("Ingest for %s deferred: %s", domain.slug, error)
            status = TRANSIENT
        except Exception:
            # A bug or an unexpected database error: the sender keeps the message and retries.
            log.exception("Ingest for %s failed (from %r to %s)", domain.slug, mail_from, addresses)
            status = TRANSIENT
        for address in addresses:
            statuses[address] = status
    return [statuses[address] for address in recipients]


def one_status(statuses: Sequence[str]) -> str:
    """SMTP has one reply per transaction: retry if any part must be retried (ingest is
    idempotent, so the parts already stored are not stored twice), refuse only if all refused."""
    for status in statuses:
        if status.startswith("4"):
            return TRANSIENT
    for status in statuses:
        if status.startswith("2"):
            return status
    return statuses[0]


class DatabaseThreads:
    """A few threads for the synchronous ORM, each keeping its own database connection.

    A fixed pool bounds how many connections one listener opens. Django connections belong
    to the thread that opened them, so at shutdown each thread closes its own (see close()).
    """

    def __init__(self, size: int, *, name: str) -> None:
        self.size = size
        self.executor = ThreadPoolExecutor(size, thread_name_prefix=name)

    async def run[**P, R](self, func: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        def call() -> R:
            # As Django does around a request: drop a connection that the database closed
            # (restart, idle timeout) or that is too old, instead of failing this message.
            close_old_connections()
            try:
                return func(*args, **kwargs)
            finally:
                close_old_connections()

        return await asyncio.get_running_loop().run_in_executor(self.executor, call)

    def close(self) -> None:
        """Close every thread's connections, then stop the threads.

        One task per thread, held at a barrier until all are running, so that each thread
        gets exactly one; otherwise an idle connection would outlive the listener.
        """
        barrier = threading.Barrier(self.size, timeout=30)

        def close_mine() -> None:
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait()
            connections.close_all()

        for _ in range(self.size):
            self.executor.submit(close_mine)
        self.executor.shutdown(wait=True)


class IngestHandler:
    """aiosmtpd handler: checks recipients at RCPT, stores the message at DATA.

    It also holds what the sessions share: their count (SessionCap), the spool settings and
    writer (SpoolingDATA), the ingest threads.
    """

    def __init__(self, *, lmtp: bool) -> None:
        self.lmtp = lmtp
        self.source = "lmtp" if lmtp else "smtp"
        self.sessions = 0
        self.max_sessions = settings.COMPTOIR_SMTP_MAX_SESSIONS
        self.spool_threshold = settings.COMPTOIR_SMTP_SPOOL_THRESHOLD
        self.spool_directory = settings.COMPTOIR_SMTP_SPOOL_DIR
        self.spool_writer = ThreadPoolExecutor(SPOOL_THREADS, thread_name_prefix="smtp-spool")
        self.lookups = DatabaseThreads(LOOKUP_THREADS, name="smtp-lookup")
        self.ingests = DatabaseThreads(settings.COMPTOIR_SMTP_INGEST_THREADS, name="smtp-ingest")
        # Messages larger than the spool threshold: one at a time, always on the same thread.
        # Parallel large ingests would multiply the peak, and each thread's malloc arena would
        # keep its own high-water mark (measured: large messages ingested one after the other
        # on four threads kept the listener near its peak; on one thread the memory is reused).
        self.large_ingests = DatabaseThreads(1, name="smtp-ingest-large")

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        try:
            campaign = await self.lookups.run(route_address, address)
        except Exception:
            log.exception("Routing %r failed", address)
            return TRANSIENT
        if campaign is None:
            return no_mailbox(address)
        if isinstance(envelope, SpooledEnvelope):
            envelope.routes[address] = campaign
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(options)
        return "250 2.1.5 Ok"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: SpooledEnvelope) -> str:
        recipients = list(envelope.rcpt_tos)
        spool = envelope.spool
        assert spool is not None
        threads = self.large_ingests if spool.size > self.spool_threshold else self.ingests
        try:
            statuses = await threads.run(
                self.ingest_spool,
                spool,
                mail_from=envelope.mail_from or "",
                recipients=recipients,
                routes=dict(envelope.routes),
            )
        except SpoolClosed:
            # The session ended before its message was read: nothing stored, nobody to answer.
            statuses = [TRANSIENT] * len(recipients)
        except Exception:
            log.exception("Delivery from %r to %s failed", envelope.mail_from, recipients)
            statuses = [TRANSIENT] * len(recipients)
        if not self.lmtp:
            return one_status(statuses)
        # RFC 2033 §4.2: one reply per accepted recipient, in RCPT order. aiosmtpd sends the
        # status we return; the ones before it we send ourselves.
        for status in statuses[:-1]:
            await server.push(status)
        return statuses[-1]

    def ingest_spool(
        self,
        spool: Spool,
        *,
        mail_from: str,
        recipients: list[str],
        routes: dict[str, Campaign],
    ) -> list[str]:
        """In an ingest thread: the message's bytes from its spool, then deliver."""
        raw = spool.read()
        spool.close()
        statuses = deliver(
            raw, mail_from=mail_from, recipients=recipients, source=self.source, routes=routes
        )
        large = len(raw) > self.spool_threshold
        del raw
        if large:
            give_memory_back()
        return statuses

    def close(self) -> None:
        self.lookups.close()
        self.ingests.close()
        self.large_ingests.close()
        self.spool_writer.shutdown(wait=True)


class ComptoirSMTP(SessionCap, SpoolingDATA, SMTP):
    """aiosmtpd's SMTP with our session cap and spooled DATA."""


class PerRecipientLMTP(SessionCap, SpoolingDATA, LMTP):
    """LMTP whose own refusals of the data (too big, line too long) are also one per recipient.

    aiosmtpd sends those as a single line; an LMTP client waiting for one reply per recipient
    would then hang until its timeout.
    """

    async def push(self, status: AnyStr) -> None:
        await super().push(status)
        text = status.decode() if isinstance(status, bytes) else status
        if self.envelope is not None and text.startswith(DATA_REFUSALS):
            for _ in self.envelope.rcpt_tos[1:]:
                await super().push(status)


class ComptoirController(Controller):
    """aiosmtpd's threaded controller, serving SMTP or LMTP with our handler.

    reuse_port: bind with SO_REUSEPORT, so that several listener processes share the port
    and the kernel spreads connections among them (`comptoir smtpd --processes N`).
    """

    def __init__(self, *, host: str, port: int, lmtp: bool, reuse_port: bool = False) -> None:
        self.lmtp = lmtp
        self.reuse_port = reuse_port
        super().__init__(
            IngestHandler(lmtp=lmtp),
            hostname=host,
            port=port,
            # Announced in EHLO (SIZE) and enforced: 552 at MAIL FROM SIZE= and after DATA.
            data_size_limit=settings.COMPTOIR_MAX_MESSAGE_SIZE,
            ident="Comptoir",
            timeout=settings.COMPTOIR_SMTP_TIMEOUT,
        )

    def factory(self) -> SMTP:
        protocol = PerRecipientLMTP if self.lmtp else ComptoirSMTP
        return protocol(self.handler, **self.SMTP_kwargs)

    def _create_server(self) -> Coroutine[Any, Any, asyncio.Server]:
        return self.loop.create_server(
            self._factory_invoker,
            host=self.hostname,
            port=self.port,
            ssl=self.ssl_context,
            reuse_port=self.reuse_port or None,
        )

    def _trigger_server(self) -> None:
        """aiosmtpd checks its protocol factory with one connection; with a shared port that
        connection may reach another process, so try until one reaches this one."""
        for _attempt in range(100):
            super()._trigger_server()
            if not self.reuse_port or self._factory_invoked.wait(0.05):
                return

    def stop(self, no_assert: bool = False) -> None:
        super().stop(no_assert)
        self.handler.close()


def build_controller(
    host: str, port: int, lmtp: bool = False, reuse_port: bool = False
) -> ComptoirController:
    """A listener on host:port, not yet started: call .start() and .stop()."""
    return ComptoirController(host=host, port=port, lmtp=lmtp, reuse_port=reuse_port)
