"""Group commit for the SMTP/LMTP listener: the messages of every session, written together.

Each session's thread reads its message and prepares it (parses, checks it can join a run:
mail.batch.prepare), then hands it to the listener's one Committer and waits. The committer's
thread takes whatever is waiting, at once (no wait when it is idle: a lone message is written
alone, as soon as it comes), up to COMPTOIR_SMTP_GROUP_MAX messages or GROUP_BYTES of them, and
writes them through the bulk path (mail.batch.ingest_ready): runs of ordinary messages in one
transaction and one INSERT per table, the others through ingest_email alone, in order. While
it writes, the next messages gather and are prepared by the sessions' threads.

A session's outcome is given only once every part of its message (one per domain) is committed:
ingest_ready yields a result after its transaction's commit. When the database is unavailable
the group stops there: every part not committed yet gets None (the listener answers 451, the
sender retries, and ingest's dedupe makes the retry of a stored part a duplicate). A run that
fails for another reason is filed one message at a time (mail.batch.flush): a message the
database refuses then (a DataError) gets None alone, the others of the group are stored.

One thread, so one database connection per listener process; several processes
(`--processes`) each have their own committer, and the conversation locks
(tickets.conversation_lock) order their transactions when they touch one conversation.
"""

import logging
import queue
import threading
from concurrent.futures import Future
from dataclasses import dataclass, field

from django.db import close_old_connections, connections

from comptoir.mail.batch import Ready, ingest_ready
from comptoir.mail.ingest import IngestResult, TransientIngestError

log = logging.getLogger(__name__)

# One result per part of a message; None: not committed, the sender must retry.
Outcomes = list[IngestResult | None]


@dataclass
class Submission:
    """One session's message: its parts (one per domain), answered together."""

    parts: list[Ready]
    future: Future[Outcomes] = field(default_factory=Future)
    results: Outcomes = field(default_factory=list)

    @property
    def size(self) -> int:
        return sum(len(delivery.raw) for delivery, _prepared in self.parts)

    def add(self, result: IngestResult | None) -> None:
        self.results.append(result)
        if len(self.results) == len(self.parts):
            self.future.set_result(self.results)

    def fail_rest(self) -> None:
        if not self.future.done():
            self.future.set_result(self.results + [None] * (len(self.parts) - len(self.results)))


class Committer:
    """A thread that writes the waiting messages of all sessions, group after group."""

    def __init__(self, *, max_messages: int, max_bytes: int, auto_reply: bool = True) -> None:
        self.max_messages = max(1, max_messages)
        self.max_bytes = max_bytes
        self.auto_reply = auto_reply
        self.queue: queue.SimpleQueue[Submission | None] = queue.SimpleQueue()
        self.thread = threading.Thread(target=self.loop, name="smtp-commit", daemon=True)
        self.groups = 0  # groups written, and their messages (for the logs and the tests)
        self.messages = 0
        self.thread.start()

    def submit(self, parts: list[Ready]) -> "Future[Outcomes]":
        """Queue one message's parts; the future gets one outcome per part, once committed."""
        submission = Submission(parts)
        if not parts:
            submission.future.set_result([])
        else:
            self.queue.put(submission)
        return submission.future

    def close(self) -> None:
        """Write what is waiting, then stop the thread (which closes its connection)."""
        self.queue.put(None)
        self.thread.join()

    def loop(self) -> None:
        held: Submission | None = None
        try:
            while True:
                first = held or self.queue.get()
                if first is None:
                    return
                group, held, stop = self.gather(first)
                self.commit(group)
                if stop:
                    return
        finally:
            connections.close_all()

    def gather(self, first: Submission) -> tuple[list[Submission], Submission | None, bool]:
        """What is waiting, without waiting: (group, the one held for the next group, stop)."""
        group, count, size = [first], len(first.parts), first.size
        while count < self.max_messages:
            try:
                submission = self.queue.get_nowait()
            except queue.Empty:
                return group, None, False
            if submission is None:
                return group, None, True
            if count + len(submission.parts) > self.max_messages or (
                size + submission.size > self.max_bytes
            ):
                return group, submission, False
            group.append(submission)
            count += len(submission.parts)
            size += submission.size
        return group, None, False

    def commit(self, group: list[Submission]) -> None:
        """Write a group; each submission is answered as soon as all its parts committed."""
        parts = [(submission, ready) for submission in group for ready in submission.parts]
        done = 0
        # As Django does around a request: drop a connection the database closed meanwhile.
        close_old_connections()
        try:
            results = ingest_ready(
                [ready for _s, ready in parts],
                batch_size=self.max_messages,
                auto_reply=self.auto_reply,
            )
            for (submission, _ready), (_delivery, result) in zip(parts, results, strict=False):
                submission.add(result)
                done += 1
        except TransientIngestError as error:
            log.warning("Database unavailable, %d messages deferred: %s", len(parts) - done, error)
        except Exception:
            log.exception("Writing a group of %d messages failed", len(parts))
        finally:
            for submission in group:
                submission.fail_rest()
            close_old_connections()
        self.groups += 1
        self.messages += len(parts)
