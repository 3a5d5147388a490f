"""One conversation is filed by one transaction at a time; other conversations in parallel.

Threading reads committed rows: two messages of one conversation filed at the same moment (a
reply on another SMTP connection 1 ms after its parent, two IMAP workers, two `comptoir
ingest` processes) would each see no ticket and open one each. So, before it reads anything
to thread or deduplicate, the ingest transaction locks the Message-IDs the message carries:
its own and every one it names in In-Reply-To and References (bounded by
COMPTOIR_MAX_REFERENCES). A parent and its reply always share a lock (the parent's id), and
so do two replies to one parent. The locks are PostgreSQL transaction-scoped advisory locks
on a 64-bit hash of (domain, Message-ID key), taken in sorted order in one statement, so two
transactions can never wait for each other in a cycle; they are released at commit or
rollback. Nothing is held in process memory: any number of processes on any number of
machines are serialised by the database alone (docs/architecture.md, rule 4).

SQLite has one writer at a time and Comptoir begins every transaction IMMEDIATE (the write
lock is taken at BEGIN), so there the whole ingest transaction, lookups included, already
runs alone: nothing more to do.
"""

import hashlib
from collections.abc import Iterable

from django.db import connection

# The advisory lock key space is shared by the whole database: this prefix keeps ours apart
# from any other use of it.
NAMESPACE = b"comptoir-conversation:"
# unnest keeps the array's order, so the locks are taken in the order given (sorted).
LOCK_SQL = "SELECT pg_advisory_xact_lock(k) FROM unnest(%s::bigint[]) AS k"


def lock_id(domain_id: int, key: str) -> int:
    """A signed 64-bit lock id for a Message-ID key of a domain."""
    digest = hashlib.sha256(NAMESPACE + f"{domain_id}:{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def lock_conversation(domain_id: int, keys: Iterable[str]) -> int:
    """Wait until no other transaction files a message naming one of these Message-ID keys,
    then hold them until this transaction ends. Returns how many locks were taken (0 on
    SQLite, whose write lock already serialises the transaction)."""
    if connection.vendor != "postgresql":
        return 0
    if not connection.in_atomic_block:
        raise RuntimeError("lock_conversation must run inside the filing transaction")
    ids = sorted({lock_id(domain_id, key) for key in keys if key})
    if ids:
        with connection.cursor() as cursor:
            cursor.execute(LOCK_SQL, [ids])
    return len(ids)
