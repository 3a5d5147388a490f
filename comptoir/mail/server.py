"""The SMTP and LMTP listener: aiosmtpd speaks the protocol, the Committer stores messages.

An MTA (Postfix, Exim) or a sending host delivers here. The promises made to it:
- an unknown recipient is refused at RCPT time with `550 5.1.1`;
- `250` is answered only after the transaction holding the message committed (group commit:
  the messages of all sessions are written together, comptoir/mail/committer.py);
- `451 4.3.0` on any failure that may pass (database busy or down, a bug), so the sender retries.
  Retrying is safe because ingest is idempotent (same Message-ID or same bytes: one message).
A message that cannot be parsed is not an error here: ingest quarantines it and we answer 250.

The event loop only speaks the protocol: routing lookups (but those answered from memory),
parsing and storing run in worker threads (a message is parsed on an ingest thread, which
hands it to the committer's thread), so a slow message never delays another session's
greeting or commands. Its memory is bounded by caps (comptoir/mail/listener_limits.py):
sessions, a spool per session (comptoir/mail/spool.py), and the bytes being ingested at once.
"""

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable, Coroutine
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, AnyStr

from aiosmtpd.controller import Controller
from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP, Envelope, Session
from django.conf import settings
from django.db import close_old_connections, connections

from comptoir.campaigns.addresses import remembered_route
from comptoir.mail.batch import Ready, prepare
from comptoir.mail.committer import Committer, Outcomes
from comptoir.mail.envelope import (
    TRANSIENT,
    deliver,
    deliveries,
    no_mailbox,
    one_status,
    statuses_of,
)
from comptoir.mail.ingest import route_address
from comptoir.mail.listener_limits import SessionCap, give_memory_back
from comptoir.mail.spool import Spool, SpoolClosed, SpooledEnvelope, SpoolingDATA

log = logging.getLogger(__name__)

# Threads running RCPT lookups; ingest has its own (COMPTOIR_SMTP_INGEST_THREADS), so that
# messages being stored never keep another session waiting at RCPT.
LOOKUP_THREADS = 2
# Threads writing spools to disk (short writes, never the database).
SPOOL_THREADS = 2
# The refusals aiosmtpd itself sends after the final dot, when it discarded the data.
DATA_REFUSALS = ("552 Error: Too much mail data", "500 Line too long")


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
        # Group commit (mail.committer): the other messages of all sessions are written
        # together by one thread, as many at once as are waiting. 0: one transaction each.
        group_max = settings.COMPTOIR_SMTP_GROUP_MAX
        self.committer = (
            Committer(
                max_messages=group_max,
                # What the memory bound counts for messages being ingested at once.
                max_bytes=settings.COMPTOIR_SMTP_INGEST_THREADS * self.spool_threshold,
            )
            if group_max > 0
            else None
        )

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        try:
            # Answered from memory on the loop when it can (no thread hand-off: with one
            # connection each one is paid per message), else on a lookup thread.
            campaign = remembered_route(address) or await self.lookups.run(route_address, address)
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
        large = spool.size > self.spool_threshold
        threads = self.large_ingests if large else self.ingests
        try:
            if large or self.committer is None:
                statuses = await threads.run(self.ingest_spool, spool, envelope, recipients)
            else:
                statuses = await self.commit_spool(spool, envelope, recipients)
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

    async def commit_spool(
        self, spool: Spool, envelope: SpooledEnvelope, recipients: list[str]
    ) -> list[str]:
        """Prepared on an ingest thread, written by the committer: statuses once committed."""
        committer = self.committer
        assert committer is not None

        def prepare_and_submit() -> tuple[list[Ready], "Future[Outcomes]"]:
            # Handed to the committer by the ingest thread itself: it starts writing without
            # waiting for the event loop's next turn.
            parts = self.prepare_spool(spool, envelope, recipients)
            return parts, committer.submit(parts)

        parts, future = await self.ingests.run(prepare_and_submit)
        outcomes = await asyncio.wrap_future(future)
        return statuses_of(recipients, [delivery for delivery, _p in parts], outcomes)

    def from_spool[T](
        self,
        spool: Spool,
        envelope: SpooledEnvelope,
        recipients: list[str],
        handle: Callable[..., T],
    ) -> T:
        """In an ingest thread: the message's bytes from its spool (closed then), handed to
        `handle` (envelope.deliver, or envelope.deliveries for the committer)."""
        raw = spool.read()
        spool.close()
        return handle(
            raw,
            mail_from=envelope.mail_from or "",
            recipients=recipients,
            source=self.source,
            routes=dict(envelope.routes),
        )

    def prepare_spool(
        self, spool: Spool, envelope: SpooledEnvelope, recipients: list[str]
    ) -> list[Ready]:
        """In an ingest thread: the message's bytes, each part parsed for the committer."""
        parts = self.from_spool(spool, envelope, recipients, deliveries)
        return [(delivery, prepare(delivery)) for delivery in parts]

    def ingest_spool(
        self, spool: Spool, envelope: SpooledEnvelope, recipients: list[str]
    ) -> list[str]:
        """In an ingest thread: the message's bytes from its spool, then deliver."""
        statuses = self.from_spool(spool, envelope, recipients, deliver)
        if spool.size > self.spool_threshold:
            give_memory_back()  # a large message's bytes are freed: return them to the system
        return statuses

    def close(self) -> None:
        self.lookups.close()
        self.ingests.close()
        if self.committer is not None:
            self.committer.close()
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
