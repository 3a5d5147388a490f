"""Mail archives imported by the worker: mbox, .eml, zips of .eml and Maildir; resumable; safe."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from comptoir.imports.models import ImportJob, ImportKind, ImportState
from comptoir.imports.runner import claim_imports, run_import_chunk
from comptoir.mail.batch import ingest_many
from comptoir.tickets.models import Message, Ticket
from tests.conftest import Acme
from tests.imports.conftest import mail, mbox, queue, refreshed, run_worker_job, zipped


def test_mbox_archive_is_imported_by_the_worker_with_its_counts(acme: Acme) -> None:
    archive = mbox([mail(1), mail(2, reply_to=1), mail(3), mail(1)])
    job = queue(acme.support, ImportKind.MAIL, "old.mbox", archive)
    assert job.state == ImportState.QUEUED
    run_worker_job()
    job = refreshed(job)
    assert job.state == ImportState.DONE
    assert (job.position, job.total) == (4, 4)
    assert (job.created_count, job.appended_count, job.duplicate_count) == (2, 1, 1)
    assert job.failed_count == 0 and job.errors == []
    assert job.started_at and job.finished_at and job.claimed_by == ""
    assert Ticket.objects.filter(campaign=acme.support).count() == 2
    first = Message.objects.get(message_id="m1@exemple.fr")
    assert "\nFrom Paris, with love." in first.text  # the mbox's >From was unescaped
    assert Message.objects.get(message_id="m2@exemple.fr").ticket_id == first.ticket_id


def test_archive_messages_never_get_the_automatic_reply(acme: Acme) -> None:
    acme.support.auto_reply_enabled = True
    acme.support.save()
    job = queue(acme.support, ImportKind.MAIL, "one.eml", mail(1))
    run_worker_job()
    assert refreshed(job).created_count == 1
    assert not Message.objects.filter(direction="outbound").exists()


def test_zip_of_eml_files_and_a_zipped_maildir_are_imported(acme: Acme) -> None:
    archive = zipped(
        {
            "export/1.eml": mail(1),
            "export/2.eml": mail(2, reply_to=1),
            "Maildir/new/1700000000.x": mail(3),
            "Maildir/cur/1700000001.y:2,S": mail(4),
            "Maildir/tmp/half-written": b"garbage",
            "export/.DS_Store": b"\x00\x01",
            "__MACOSX/export/._1.eml": b"\x00",
            "more/archive.mbox": mbox([mail(5), mail(6)]),
        }
    )
    job = queue(acme.orders, ImportKind.MAIL, "export.zip", archive)
    run_worker_job()
    job = refreshed(job)
    assert job.state == ImportState.DONE
    assert (job.total, job.created_count, job.appended_count, job.failed_count) == (6, 5, 1, 0)
    assert Ticket.objects.filter(campaign=acme.orders).count() == 5


def test_worker_that_died_is_resumed_from_its_position_without_counting_twice(
    acme: Acme,
) -> None:
    job = queue(acme.support, ImportKind.MAIL, "big.mbox", mbox([mail(n) for n in range(1, 8)]))
    assert claim_imports("dead-worker") == [job.pk]
    assert run_import_chunk(job.pk, "dead-worker", chunk=3) is True
    # The dead worker also filed messages 4 and 5 but died before saving its position.
    list(ingest_many([("x", mail(4)), ("y", mail(5))], campaign=acme.support, auto_reply=False))
    job = refreshed(job)
    assert (job.state, job.position, job.created_count) == (ImportState.RUNNING, 3, 3)
    # A live worker must not take it while the lease runs...
    assert claim_imports("other-worker") == []
    ImportJob.objects.filter(pk=job.pk).update(claimed_until=timezone.now() - timedelta(1))
    run_worker_job("other-worker")  # ...and takes it over once the lease has expired.
    job = refreshed(job)
    assert (job.state, job.position, job.total) == (ImportState.DONE, 7, 7)
    assert (job.created_count, job.duplicate_count) == (5, 2)
    assert Ticket.objects.filter(campaign=acme.support).count() == 7


def test_zip_bomb_is_refused_before_anything_is_read(acme: Acme, settings) -> None:  # type: ignore[no-untyped-def]
    settings.COMPTOIR_IMPORT_MAX_UNCOMPRESSED = 1_000_000
    job = queue(acme.support, ImportKind.MAIL, "bomb.zip", zipped({"a.eml": b"\0" * 2_000_000}))
    run_worker_job()
    job = refreshed(job)
    assert job.state == ImportState.FAILED
    assert "COMPTOIR_IMPORT_MAX_UNCOMPRESSED" in job.last_error
    assert not Ticket.objects.exists()


def test_zip_with_too_many_members_is_refused(acme: Acme, settings) -> None:  # type: ignore[no-untyped-def]
    settings.COMPTOIR_IMPORT_MAX_MEMBERS = 3
    job = queue(
        acme.support, ImportKind.MAIL, "many.zip", zipped({f"{n}.eml": mail(n) for n in range(4)})
    )
    run_worker_job()
    job = refreshed(job)
    assert job.state == ImportState.FAILED and "COMPTOIR_IMPORT_MAX_MEMBERS" in job.last_error


def test_unsafe_member_names_are_ignored_and_reported(acme: Acme, tmp_path: Path) -> None:
    archive = zipped({"../../escape.eml": mail(1), "/etc/passwd.eml": mail(2), "ok/3.eml": mail(3)})
    job = queue(acme.support, ImportKind.MAIL, "evil.zip", archive)
    run_worker_job()
    job = refreshed(job)
    assert job.state == ImportState.DONE
    assert (job.created_count, job.failed_count) == (1, 2)
    assert {e["item"] for e in job.errors} == {
        "evil.zip:../../escape.eml",
        "evil.zip:/etc/passwd.eml",
    }
    assert all("unsafe path" in e["reason"] for e in job.errors)
    assert not (tmp_path.parent / "escape.eml").exists()
    assert list(Message.objects.values_list("message_id", flat=True)) == ["m3@exemple.fr"]


def test_message_above_the_size_limit_is_reported_not_imported(acme: Acme, settings) -> None:  # type: ignore[no-untyped-def]
    settings.COMPTOIR_MAX_MESSAGE_SIZE = 2000
    big = mail(2).replace(b"Bonjour", b"Bonjour " + b"x" * 3000)
    job = queue(acme.support, ImportKind.MAIL, "mixed.mbox", mbox([mail(1), big]))
    run_worker_job()
    job = refreshed(job)
    assert (job.state, job.created_count, job.failed_count) == (ImportState.DONE, 1, 1)
    assert job.errors == [{"item": "mixed.mbox#2", "reason": "message larger than 2000 bytes"}]


def test_broken_zip_fails_with_its_reason(acme: Acme) -> None:
    job = queue(acme.support, ImportKind.MAIL, "cut.zip", zipped({"1.eml": mail(1)})[:40])
    run_worker_job()
    job = refreshed(job)
    assert job.state == ImportState.FAILED and "zip" in job.last_error


def test_quarantined_messages_count_as_failed_with_their_reason(acme: Acme) -> None:
    loop = mail(2, sender="support@acme.test")  # from our own address, in no ticket: a loop
    job = queue(acme.support, ImportKind.MAIL, "x.zip", zipped({"1.eml": mail(1), "2.eml": loop}))
    run_worker_job()
    job = refreshed(job)
    assert (job.state, job.created_count, job.failed_count) == (ImportState.DONE, 1, 1)
    assert job.errors[0]["item"] == "x.zip:2.eml"
    assert job.errors[0]["reason"].startswith("quarantined: ")


def test_a_french_report_says_why_in_french(acme: Acme) -> None:
    loop = mail(2, sender="support@acme.test")
    job = queue(acme.support, ImportKind.MAIL, "x.zip", zipped({"2.eml": loop}), language="fr")
    run_worker_job()
    assert refreshed(job).errors[0]["reason"] == (
        "mis en quarantaine : envoyé depuis notre propre adresse support@acme.test et rattaché "
        "à aucun ticket (boucle de courrier ?)"
    )


def test_ingest_command_with_campaign_records_a_history_entry(
    acme: Acme, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "archive.mbox"
    path.write_bytes(mbox([mail(1), mail(2, reply_to=1), mail(1)]))
    call_command("ingest", "--campaign", "support", "--domain", "acme", str(path))
    assert len(capsys.readouterr().out.splitlines()) == 3  # its JSON lines, unchanged
    job = ImportJob.objects.get()
    assert (job.campaign, job.created_by, job.kind, job.filename) == (
        acme.support,
        None,
        ImportKind.MAIL,
        str(path),
    )
    assert (job.state, job.position, job.created_count, job.appended_count) == (
        ImportState.DONE,
        3,
        1,
        1,
    )
    assert job.duplicate_count == 1


def test_ingest_command_without_campaign_records_nothing(acme: Acme, tmp_path: Path) -> None:
    path = tmp_path / "one.eml"
    path.write_bytes(mail(1))
    call_command("ingest", "--domain", "acme", str(path))
    assert not ImportJob.objects.exists()


def test_long_running_worker_leaves_an_import_between_rounds_and_takes_it_up_again(
    acme: Acme, monkeypatch: pytest.MonkeyPatch
) -> None:
    from comptoir.imports import runner as actions

    monkeypatch.setattr(actions, "CHUNK_SIZE", 2)
    monkeypatch.setattr(actions, "ROUND_SECONDS", 0.0)
    job = queue(acme.support, ImportKind.MAIL, "a.mbox", mbox([mail(n) for n in range(1, 6)]))
    actions.run_due_imports("w1", once=False)
    job = refreshed(job)
    assert (job.state, job.position, job.claimed_by) == (ImportState.RUNNING, 2, "w1")
    assert claim_imports("w2") == []  # still w1's: its lease was renewed
    while refreshed(job).state == ImportState.RUNNING:
        actions.run_due_imports("w1", once=False)
    assert (refreshed(job).position, refreshed(job).created_count) == (5, 5)
