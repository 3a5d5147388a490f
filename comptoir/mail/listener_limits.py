"""The caps that bound the SMTP/LMTP listener's memory, whatever the number of senders.

- Sessions: at most COMPTOIR_SMTP_MAX_SESSIONS at once; one more gets `421 4.3.2` and is
  closed (the sender retries later, as for any 4xx). Each session holds at most
  COMPTOIR_SMTP_SPOOL_THRESHOLD bytes of data in memory (comptoir/mail/spool.py).
- Ingests: storing and parsing a message needs a few times its size in memory. A byte budget
  (COMPTOIR_SMTP_INGEST_MEMORY) admits messages in arrival order while the bytes being
  ingested fit in it; a message larger than the budget is ingested alone.
So the peak is about: base + INGEST_FACTOR × max(ingest memory, largest message)
+ sessions × (spool threshold + read buffers); see `memory_bound`.
"""

import asyncio
import collections
import ctypes
import ctypes.util
import functools
import logging
from collections.abc import Callable

from aiosmtpd.smtp import SMTP

log = logging.getLogger(__name__)

TOO_MANY = "421 4.3.2 Too many connections, try again later"
# Bytes in memory per byte of message being ingested, measured (docs/security.md): the raw
# bytes read from the spool, the database driver's copy, the parser's text and decoded parts.
INGEST_FACTOR = 8
# Per session, beside its spool buffer: the stream reader's buffer (one socket read, at most
# 256 KiB), the chunk being written to disk, a line, the session's objects.
SESSION_OVERHEAD = 1024 * 1024


def memory_bound(
    *, base: int, sessions: int, spool_threshold: int, ingest_memory: int, max_message: int
) -> int:
    """The listener's documented peak memory (bytes) for its caps, `base` being its idle size."""
    ingested = INGEST_FACTOR * max(ingest_memory, max_message)
    received = sessions * (spool_threshold + SESSION_OVERHEAD)
    return base + ingested + received


class MemoryBudget:
    """A first-come, first-served budget of bytes, used from the event loop only.

    acquire(size) waits until `size` more bytes fit, or until nothing else is admitted (so a
    message larger than the whole budget still passes, alone). Arrival order is kept: small
    messages do not overtake, and starve, a large one that waits.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0
        self.waiting: collections.deque[tuple[int, asyncio.Future[None]]] = collections.deque()

    async def acquire(self, size: int) -> None:
        entry = (size, asyncio.get_running_loop().create_future())
        self.waiting.append(entry)
        self.admit()
        try:
            await entry[1]
        except asyncio.CancelledError:
            if entry in self.waiting:
                self.waiting.remove(entry)
            elif entry[1].done() and not entry[1].cancelled():
                self.release(size)  # admitted, then cancelled before using it
            raise

    def release(self, size: int) -> None:
        self.used -= size
        self.admit()

    def admit(self) -> None:
        while self.waiting:
            size, future = self.waiting[0]
            if self.used and self.used + size > self.limit:
                return
            self.waiting.popleft()
            if future.cancelled():
                continue
            self.used += size
            future.set_result(None)


class SessionCap(SMTP):
    """Counts sessions on the handler; past its max_sessions, answers 421 and closes.

    Mixed in before SMTP or LMTP. The count is kept by the session's own task, which ends
    however the session does (QUIT, closed by the client, timed out).
    """

    async def _handle_client(self) -> None:
        handler = self.event_handler
        if handler.sessions >= handler.max_sessions:
            peer = self.session.peer if self.session else None
            log.warning("Refused a session from %r: %d open", peer, handler.sessions)
            await self.push(TOO_MANY)
            if self.transport is not None:
                self.transport.close()
            return
        handler.sessions += 1
        try:
            await super()._handle_client()
        finally:
            handler.sessions -= 1


@functools.cache
def malloc_trim() -> Callable[[int], int] | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    return getattr(ctypes.CDLL(name), "malloc_trim", None)  # glibc only


def give_memory_back() -> None:
    """Return freed memory to the system after a large message (glibc keeps it otherwise).

    Each worker thread allocates from its own malloc arena; without a trim, the listener
    stays at its peak for good (the finding: 1.7 GB, never returned).
    """
    trim = malloc_trim()
    if trim is not None:
        trim(0)
