"""The caps that bound the SMTP/LMTP listener's memory, whatever the number of senders.

- Sessions: at most COMPTOIR_SMTP_MAX_SESSIONS at once; one more gets `421 4.3.2` and is
  closed (the sender retries later, as for any 4xx). Each session holds at most
  COMPTOIR_SMTP_SPOOL_THRESHOLD bytes of data in memory (comptoir/mail/spool.py).
- Ingests: storing and parsing a message needs a few times its size in memory
  (INGEST_FACTOR). Messages up to the spool threshold are ingested by
  COMPTOIR_SMTP_INGEST_THREADS threads; larger ones one at a time, on one thread.
So the peak is about: base + INGEST_FACTOR × (largest message + ingest threads × spool
threshold) + sessions × (spool threshold + read buffers + largest message); see `memory_bound`.
The last term is measured, not designed: with many large messages received at once, then
ingested one after the other, the allocator keeps up to about one message's size per
concurrent sender after its ingest (heap fragmentation; malloc_trim gives back only part).
"""

import ctypes
import ctypes.util
import functools
import logging
from collections.abc import Callable

from aiosmtpd.smtp import SMTP

log = logging.getLogger(__name__)

TOO_MANY = "421 4.3.2 Too many connections, try again later"
# Bytes in memory per byte of message being ingested, measured (docs/security.md): 6 to 9
# (SQLite, PostgreSQL) for a 20-40 MB mail with an attachment: the raw bytes read from the
# spool, the database driver's copy (PostgreSQL's escaped literal: 4 times), the parser's
# lines and the decoded parts.
INGEST_FACTOR = 10
# Per session, beside its spool buffer: the stream reader's buffer (one socket read, at most
# 256 KiB), the chunk being written to disk, a line, the session's objects.
SESSION_OVERHEAD = 1024 * 1024


def memory_bound(
    *, base: int, sessions: int, spool_threshold: int, ingest_threads: int, max_message: int
) -> int:
    """The listener's documented peak memory (bytes) for its caps, `base` being its idle size."""
    ingested = INGEST_FACTOR * (max_message + ingest_threads * spool_threshold)
    received = sessions * (spool_threshold + SESSION_OVERHEAD + max_message)
    return base + ingested + received


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
