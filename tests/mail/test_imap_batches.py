"""IMAP polling by batches against a real Dovecot: many UIDs per FETCH, one transaction per run
(mail.batch.ingest_many), one command to mark what was committed; bounded in bytes."""

import pytest

from comptoir.mail import imap, imap_batch
from comptoir.mail.imap import poll_due_mailboxes, poll_mailbox
from comptoir.mail.imap_batch import batches, fetch_batch, message_sizes, new_uids, uid_set
from comptoir.tickets.models import Message, RawMessage, Ticket
from tests.conftest import Acme
from tests.mail.conftest import ImapAccount
from tests.mail.imap_helpers import customer_email, flags_by_uid, make_mailbox, stored_subjects

SEEN = b"\\Seen"


def nested_too_deep(depth: int = 30) -> bytes:
    """A MIME bomb: multiparts nested deeper than COMPTOIR_MAX_MIME_DEPTH (20). Ingest stores
    it and quarantines it, unparsed; in a batch it ends ingest_many's run."""
    head = "From: Mallory <mallory@example.com>\r\nTo: support@acme.test\r\n"
    head += "Subject: deep\r\nMessage-ID: <deep@example.com>\r\nMIME-Version: 1.0\r\n"
    body = "Content-Type: text/plain\r\n\r\nbottom\r\n"
    for level in range(depth):
        body = (
            f'Content-Type: multipart/mixed; boundary="b{level}"\r\n\r\n'
            f"--b{level}\r\n{body}--b{level}--\r\n"
        )
    return (head + body).encode()


def padded_email(n: int, size: int) -> bytes:
    """customer_email(n) grown to about `size` bytes with body lines."""
    raw = customer_email(n)
    line = b"x" * 76 + b"\r\n"
    return raw + line * max(0, (size - len(raw)) // len(line))


def all_seen(imap_account: ImapAccount) -> bool:
    with imap_account.client() as client:
        return all(SEEN in flags for flags in flags_by_uid(client, "INBOX").values())


def test_uid_sets_collapse_consecutive_uids() -> None:
    assert uid_set([1, 2, 3, 5, 7, 8]) == "1:3,5,7:8"
    assert uid_set([4]) == "4"


@pytest.mark.django_db
def test_a_broken_message_in_the_middle_is_quarantined_and_every_message_stored_once(
    acme: Acme, imap_account: ImapAccount
) -> None:
    messages = [customer_email(n) for n in range(1, 13)]
    messages.insert(6, nested_too_deep())
    imap_account.append("INBOX", *messages)
    mailbox = make_mailbox(acme, imap_account)

    report = poll_mailbox(mailbox)

    assert (report.error, report.outcomes) == ("", {"created": 12, "quarantined": 1})
    sources = list(RawMessage.objects.values_list("source", flat=True))
    assert sorted(sources) == sorted(f"imap:{mailbox.pk}:{uid}" for uid in range(1, 14))
    assert RawMessage.objects.get(source=f"imap:{mailbox.pk}:7").state == "quarantined"
    assert stored_subjects(acme) == [f"Question number {n}" for n in range(1, 13)]
    assert all_seen(imap_account)
    mailbox.refresh_from_db()
    assert (mailbox.last_uid, mailbox.last_error) == (13, "")
    assert poll_mailbox(mailbox).outcomes == {}


@pytest.mark.django_db
def test_a_crash_between_commit_and_marking_stores_nothing_twice(
    acme: Acme, imap_account: ImapAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    imap_account.append("INBOX", *(customer_email(n) for n in range(1, 6)))
    mailbox = make_mailbox(acme, imap_account)

    def crash(*args: object) -> None:
        raise RuntimeError("the worker died before marking")

    with monkeypatch.context() as patch:
        patch.setattr(imap, "mark_done", crash)
        report = poll_mailbox(mailbox)
    assert "the worker died before marking" in report.error
    assert Ticket.objects.filter(domain=acme.domain).count() == 5
    assert not all_seen(imap_account)
    mailbox.refresh_from_db()
    assert mailbox.last_uid == 0

    report = poll_mailbox(mailbox)

    assert (report.error, report.outcomes) == ("", {"duplicate": 5})
    assert Ticket.objects.filter(domain=acme.domain).count() == 5
    assert Message.objects.filter(domain=acme.domain).count() == 5
    assert all_seen(imap_account)
    mailbox.refresh_from_db()
    assert mailbox.last_uid == 5


def test_a_batch_never_holds_more_than_the_byte_bound_and_a_huge_message_comes_alone(
    imap_account: ImapAccount,
) -> None:
    sizes = [3_000, 3_000, 3_000, 3_000, 25_000, 3_000, 9_000, 1_000]
    imap_account.append("INBOX", *(padded_email(n, s) for n, s in enumerate(sizes, start=1)))
    bound = 10_000
    with imap_account.client() as client:
        client.select_folder("INBOX")
        uids = new_uids(client, 0)
        announced = message_sizes(client, uids)
        fetched = [fetch_batch(client, b.uids) for b in batches(uids, announced, max_bytes=bound)]

    assert [uid for batch in fetched for uid, _raw in batch] == uids
    for batch in fetched:
        # The bound holds on the bytes really held, not only on what the server announced.
        assert [len(raw) for uid, raw in batch] == [announced[uid] for uid, _raw in batch]
        assert len(batch) == 1 or sum(len(raw) for _uid, raw in batch) <= bound
    assert [len(batch) for batch in fetched] == [3, 1, 1, 1, 2]


@pytest.mark.django_db
def test_a_poll_in_small_batches_stores_everything_in_order(
    acme: Acme, imap_account: ImapAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    imap_account.append("INBOX", *(padded_email(n, 2_500) for n in range(1, 10)))
    mailbox = make_mailbox(acme, imap_account, move_to="Done")
    monkeypatch.setattr(imap_batch, "FETCH_BYTES", 6_000)

    report = poll_mailbox(mailbox)

    assert (report.error, report.outcomes) == ("", {"created": 9})
    assert stored_subjects(acme) == [f"Question number {n}" for n in range(1, 10)]
    with imap_account.client() as client:
        assert flags_by_uid(client, "INBOX") == {}
        assert len(flags_by_uid(client, "Done")) == 9


@pytest.mark.django_db
def test_a_pass_drains_a_backlog_run_after_run_with_one_report_per_mailbox(
    acme: Acme, imap_account: ImapAccount
) -> None:
    imap_account.append("INBOX", *(customer_email(n) for n in range(1, 8)))
    mailbox = make_mailbox(acme, imap_account)

    reports = poll_due_mailboxes("me", once=True, batch_size=3)

    assert [(r.mailbox_id, r.outcomes, r.more) for r in reports] == [
        (mailbox.pk, {"created": 7}, False)
    ]
    assert all_seen(imap_account)
