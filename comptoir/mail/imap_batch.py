"""IMAP messages fetched, stored and marked by batches (mail.imap drives one run).

"Store, then mark" holds for each batch: a batch's UIDs are fetched in one UID FETCH
(BODY.PEEK[]: nothing is flagged), stored through mail.batch.ingest_many (whose results come
out only once the run that holds them has committed), and only the committed UIDs are then
flagged \\Seen (or moved) in one command, after which last_uid is saved. A crash anywhere
leaves the uncommitted messages unmarked, and the committed but unmarked ones come back at
the next poll, where ingest recognises them as duplicates.

A batch is bounded in bytes (the RFC822.SIZE the server gives for each message), so that the
memory a poll holds is bounded whatever the backlog; a message bigger than the bound comes
alone.
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from imapclient import IMAPClient

from comptoir.campaigns.models import ImapMailbox
from comptoir.mail import batch
from comptoir.mail.ingest import IngestResult, ingest_email

# Message bytes fetched (and held) at once; a bigger message comes alone.
FETCH_BYTES = 16 * 1024 * 1024
# Messages per batch: one ingest_many run when they are all ordinary mail.
FETCH_MESSAGES = batch.BATCH_SIZE


@dataclass
class Batch:
    """A run of new UIDs, in UID order, with the size the server announced for each."""

    uids: list[int]
    size: int


def uid_set(uids: Sequence[int]) -> str:
    """An IMAP sequence set, ranges collapsed ("1:200,205"): short commands for big batches."""
    parts: list[str] = []
    start = previous = uids[0]
    for uid in [*uids[1:], None]:
        if uid is not None and uid == previous + 1:
            previous = uid
            continue
        parts.append(str(start) if start == previous else f"{start}:{previous}")
        if uid is not None:
            start = previous = uid
    return ",".join(parts)


def new_uids(client: IMAPClient, last_uid: int) -> list[int]:
    # "N:*" always matches the highest UID, even when it is below N: filter again here.
    found = client.search(["UID", f"{last_uid + 1}:*"])
    return sorted(uid for uid in found if uid > last_uid)


def message_sizes(client: IMAPClient, uids: Sequence[int]) -> dict[int, int]:
    """RFC822.SIZE of each UID still there (a message expunged meanwhile is missing)."""
    if not uids:
        return {}
    # A list, not uid_set(): imapclient matches FETCH responses against the UIDs it was given.
    response = client.fetch(list(uids), ["RFC822.SIZE"])
    # Unsolicited FETCH responses (another client's flag changes) carry no size.
    return {uid: int(d[b"RFC822.SIZE"]) for uid, d in response.items() if b"RFC822.SIZE" in d}


def batches(
    uids: Sequence[int],
    sizes: dict[int, int],
    *,
    max_bytes: int | None = None,
    max_messages: int | None = None,
) -> Iterator[Batch]:
    """Consecutive runs of `uids` of at most max_bytes (or one bigger message alone)."""
    max_bytes = max_bytes or FETCH_BYTES
    max_messages = max_messages or FETCH_MESSAGES
    current = Batch([], 0)
    for uid in uids:
        size = sizes.get(uid)
        if size is None:
            continue
        full = current.size + size > max_bytes or len(current.uids) >= max_messages
        if current.uids and full:
            yield current
            current = Batch([], 0)
        current.uids.append(uid)
        current.size += size
    if current.uids:
        yield current


def fetch_batch(client: IMAPClient, uids: Sequence[int]) -> list[tuple[int, bytes]]:
    """(uid, raw) in UID order, without setting \\Seen; expunged messages are left out."""
    response = client.fetch(list(uids), ["BODY.PEEK[]"])
    found = []
    for uid in uids:
        data = response.pop(uid, None)
        if data is not None and b"BODY[]" in data:
            found.append((uid, bytes(data[b"BODY[]"])))
    return found


def mark_done(client: IMAPClient, uids: int | Sequence[int], move_to: str) -> None:
    """Flag stored messages \\Seen, or move them out of the polled folder: one command."""
    messages = uid_set([uids] if isinstance(uids, int) else uids)
    if not move_to:
        client.add_flags(messages, [b"\\Seen"], silent=True)
    elif client.has_capability("MOVE"):
        client.move(messages, move_to)
    else:
        move_without_move_command(client, uids, move_to)


def move_without_move_command(client: IMAPClient, uids: int | Sequence[int], move_to: str) -> None:
    """RFC 6851's fallback for servers without MOVE: COPY, flag \\Deleted, EXPUNGE."""
    messages = uid_set([uids] if isinstance(uids, int) else uids)
    client.copy(messages, move_to)
    client.add_flags(messages, [b"\\Deleted", b"\\Seen"], silent=True)
    if client.has_capability("UIDPLUS"):
        client.uid_expunge(messages)
    else:
        # Without UIDPLUS this also expunges messages the user had flagged \Deleted,
        # which is what their client would do on its next expunge anyway.
        client.expunge()


def source(mailbox: ImapMailbox, uid: int) -> str:
    return f"imap:{mailbox.pk}:{uid}"


def ingest_batch(
    mailbox: ImapMailbox, messages: list[tuple[int, bytes]]
) -> Iterator[tuple[int, IngestResult]]:
    """(uid, result) of each message once it is committed, in UID order (ingest_many)."""
    uid_of = {source(mailbox, uid): uid for uid, _raw in messages}
    items = ((source(mailbox, uid), raw) for uid, raw in messages)
    for label, result in batch.ingest_many(items, campaign=mailbox.campaign, domain=mailbox.domain):
        yield uid_of[label], result


def ingest_alone(
    mailbox: ImapMailbox, messages: list[tuple[int, bytes]]
) -> Iterator[tuple[int, IngestResult]]:
    """The same one message per transaction: after a batch failed for a transient reason,
    what can be stored before the failing message is stored (and marked), as before."""
    for uid, raw in messages:
        result = ingest_email(
            raw, campaign=mailbox.campaign, domain=mailbox.domain, source=source(mailbox, uid)
        )
        yield uid, result
