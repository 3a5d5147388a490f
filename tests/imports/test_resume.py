"""Resuming a mail archive seeks to the saved cursor: the byte offset of the next mbox message,
the index of the next zip member. A chunk never reads the archive again from its start, and a
worker killed in the middle of a chunk leaves nothing of it: each message is filed and counted
exactly once."""

import io
import re
from datetime import timedelta

import pytest
from django.utils import timezone, translation

from comptoir.imports import runner
from comptoir.imports.archives import Cursor, read_archive
from comptoir.imports.models import ImportJob, ImportKind, ImportState
from comptoir.mail.sources import read_mbox
from comptoir.tickets.models import Message, Ticket
from tests.conftest import Acme
from tests.imports.conftest import mail, mbox, queue, refreshed, run_worker_job, zipped


def message_offsets(content: bytes) -> list[int]:
    """Where each message of an mbox starts: its "From " line."""
    return [m.start() for m in re.finditer(rb"(?:^|(?<=\n\n))From ", content)]


def stored_ids() -> list[str]:
    return sorted(Message.objects.values_list("message_id", flat=True))


def expected_ids(numbers: range) -> list[str]:
    return sorted(f"m{n}@exemple.fr" for n in numbers)


def test_big_mbox_is_resumed_at_the_byte_offset_of_its_next_message(acme: Acme) -> None:
    content = mbox([mail(n) for n in range(1, 26)])
    starts = message_offsets(content)
    assert len(starts) == 25
    job = queue(acme.support, ImportKind.MAIL, "big.mbox", content)
    assert runner.claim_imports("w1") == [job.pk]
    seen = []
    while runner.run_import_chunk(job.pk, "w1", chunk=4):
        job = refreshed(job)
        seen.append(job.resume_offset)
        # Each chunk saved the offset of the message after its last one.
        assert job.resume_offset == starts[job.position]
        assert job.resume_number == job.position
    assert seen == sorted(set(seen)) and len(seen) == 6  # strictly increasing, 6 full chunks
    job = refreshed(job)
    assert (job.state, job.position, job.total, job.created_count) == (ImportState.DONE, 25, 25, 25)
    assert job.resume_offset == len(content)
    assert stored_ids() == expected_ids(range(1, 26))


def test_a_chunk_never_reads_the_archive_again_from_its_start(acme: Acme) -> None:
    content = mbox([mail(n) for n in range(1, 11)])
    job = queue(acme.support, ImportKind.MAIL, "big.mbox", content)
    runner.claim_imports("w1")
    assert runner.run_import_chunk(job.pk, "w1", chunk=4) is True
    job = refreshed(job)
    # The bytes already imported are overwritten (same length, one long line, no "From "):
    # a reader that went back to the start and skipped 4 messages would now skip 4 of the
    # messages still to import. Seeking to the saved offset never looks at them.
    garbage = b"From " + b"x" * (job.resume_offset - 6) + b"\n"
    with job.file.open("r+b") as stored:
        stored.write(garbage)
    while runner.run_import_chunk(job.pk, "w1", chunk=4):
        pass
    job = refreshed(job)
    assert (job.state, job.position, job.created_count, job.failed_count) == (
        ImportState.DONE,
        10,
        10,
        0,
    )
    assert stored_ids() == expected_ids(range(1, 11))


def test_worker_killed_in_the_middle_of_a_chunk_leaves_nothing_of_it(
    acme: Acme, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = mbox([mail(n) for n in range(1, 10)])
    job = queue(acme.support, ImportKind.MAIL, "big.mbox", content)
    runner.claim_imports("dead-worker")
    assert runner.run_import_chunk(job.pk, "dead-worker", chunk=4) is True
    after_first = refreshed(job)
    real_ingest = runner.ingest_many

    def killed_after_two(*args, **kwargs):  # type: ignore[no-untyped-def]
        for number, result in enumerate(real_ingest(*args, **kwargs), start=1):
            yield result
            if number == 2:
                raise SystemExit("SIGKILL")  # the process dies: the transaction never commits

    monkeypatch.setattr(runner, "ingest_many", killed_after_two)
    with pytest.raises(SystemExit):
        runner.run_import_chunk(job.pk, "dead-worker", chunk=4)
    monkeypatch.setattr(runner, "ingest_many", real_ingest)
    job = refreshed(job)
    assert stored_ids() == expected_ids(range(1, 5))  # messages 5 and 6 were rolled back
    assert (job.position, job.resume_offset, job.created_count) == (
        4,
        after_first.resume_offset,
        4,
    )
    # A live worker takes the import over once the dead one's lease has expired.
    assert runner.claim_imports("other-worker") == []
    ImportJob.objects.filter(pk=job.pk).update(claimed_until=timezone.now() - timedelta(1))
    run_worker_job("other-worker")
    job = refreshed(job)
    assert (job.state, job.position, job.total) == (ImportState.DONE, 9, 9)
    assert (job.created_count, job.duplicate_count, job.failed_count) == (9, 0, 0)
    assert stored_ids() == expected_ids(range(1, 10))
    assert Ticket.objects.filter(campaign=acme.support).count() == 9


def test_zip_is_resumed_at_its_next_member_and_inside_an_mbox_member(acme: Acme) -> None:
    archive = zipped(
        {
            "a/1.eml": mail(1),
            "a/2.eml": mail(2),
            "b/archive.mbox": mbox([mail(3), mail(4), mail(5)]),
            "c/6.eml": mail(6),
        }
    )
    job = queue(acme.orders, ImportKind.MAIL, "export.zip", archive)
    runner.claim_imports("w1")
    cursors = []
    while runner.run_import_chunk(job.pk, "w1", chunk=2):
        job = refreshed(job)
        cursors.append((job.resume_member, job.resume_offset, job.resume_number))
    # After 1.eml, 2.eml: member 2; after mbox messages 3, 4: inside member 2 at message 2;
    # after message 5 and 6.eml: the end.
    assert cursors[0] == (2, 0, 0)
    assert cursors[1][0] == 2 and cursors[1][1] > 0 and cursors[1][2] == 2
    job = refreshed(job)
    assert (job.state, job.position, job.total, job.created_count) == (ImportState.DONE, 6, 6, 6)
    assert job.resume_member == 4
    assert stored_ids() == expected_ids(range(1, 7))


def test_import_begun_before_cursors_were_saved_skips_by_position_once(acme: Acme) -> None:
    job = queue(acme.support, ImportKind.MAIL, "old.mbox", mbox([mail(n) for n in range(1, 6)]))
    ImportJob.objects.filter(pk=job.pk).update(position=2, total=5)  # a chunk done before
    run_worker_job()
    job = refreshed(job)
    assert (job.state, job.position, job.created_count) == (ImportState.DONE, 5, 3)
    assert stored_ids() == expected_ids(range(3, 6))


TRICKY = (
    b"From a@b Mon Nov 16 09:00:00 2026\r\n"
    b"Subject: crlf\r\n\r\nline\r\n>From escaped\r\n\r\n"
    b"From a@b Mon Nov 16 09:00:00 2026\n"
    b"Subject: long\n\n" + b"y" * 200_000 + b"\nFrom not a separator (no blank line before)\n\n"
    b"From " + b"z" * 100_000 + b"\n"
    b"Subject: long separator\n\nbody\n\n"
    b"From a@b Mon Nov 16 09:00:00 2026\n"
    b"Subject: last, no final newline"
)


def test_mbox_reader_gives_the_same_messages_as_ingest_and_resumes_from_any_cursor() -> None:
    expected = list(read_mbox(io.BytesIO(TRICKY), "t.mbox"))
    items = list(read_archive(io.BytesIO(TRICKY), "t.mbox"))
    assert [(label, raw) for label, raw, _problem, _cursor in items] == expected
    assert len(expected) == 4 and b"\n>From" not in expected[0][1]
    for index, (_label, _raw, _problem, cursor) in enumerate(items):
        rest = list(read_archive(io.BytesIO(TRICKY), "t.mbox", cursor))
        assert [(label, raw) for label, raw, _p, _c in rest] == expected[index + 1 :]
    assert items[-1][3] == Cursor(0, len(TRICKY), 4)


def test_a_message_over_the_limit_is_reported_and_the_next_ones_are_read(settings) -> None:  # type: ignore[no-untyped-def]
    settings.COMPTOIR_MAX_MESSAGE_SIZE = 1000
    content = mbox([mail(1), mail(2).replace(b"Bonjour", b"x" * 5000), mail(3)])
    with translation.override("en"):
        items = list(read_archive(io.BytesIO(content), "m.mbox"))
    assert [(label, raw is None, problem) for label, raw, problem, _c in items] == [
        ("m.mbox#1", False, ""),
        ("m.mbox#2", True, "message larger than 1000 bytes"),
        ("m.mbox#3", False, ""),
    ]
