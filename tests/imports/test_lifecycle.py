"""Cancel and re-run an import, the retention of uploaded files, refused files deleted."""

import threading
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from comptoir.imports import runner
from comptoir.imports.actions import (
    ImportRefused,
    cancel_import,
    purge_import_files,
    rerun_import,
    start_command_import,
)
from comptoir.imports.models import ImportJob, ImportKind, ImportState
from comptoir.ops.management.commands.worker import JOBS
from comptoir.tickets.models import Contact, Message
from tests.conftest import Acme
from tests.imports.conftest import mail, mbox, queue, refreshed, run_worker_job, zipped
from tests.imports.test_ui import manager
from tests.ui.conftest import client_for

FIVE = mbox([mail(n) for n in range(1, 6)])


def stored(job: ImportJob) -> bool:
    return bool(job.file.name) and job.file.storage.exists(job.file.name)


def test_a_queued_import_cancelled_is_never_run(acme: Acme) -> None:
    job = queue(acme.support, ImportKind.MAIL, "a.mbox", FIVE)
    assert cancel_import(job) is True
    run_worker_job()
    job = refreshed(job)
    assert (job.state, job.position, job.created_count) == (ImportState.CANCELLED, 0, 0)
    assert job.finished_at is not None and not job.is_active
    assert not Message.objects.exists()
    assert cancel_import(job) is False  # it had already ended


def test_a_running_import_stops_at_the_next_chunk_boundary_and_keeps_its_counts(
    acme: Acme,
) -> None:
    job = queue(acme.support, ImportKind.MAIL, "a.mbox", FIVE)
    runner.claim_imports("w1")
    assert runner.run_import_chunk(job.pk, "w1", chunk=2) is True
    assert cancel_import(job) is True
    assert runner.run_import_chunk(job.pk, "w1", chunk=2) is False
    run_worker_job("w2")
    job = refreshed(job)
    assert (job.state, job.position, job.created_count, job.claimed_by) == (
        ImportState.CANCELLED,
        2,
        2,
        "",
    )
    assert Message.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_cancel_landing_during_a_chunk_stops_at_a_chunk_boundary(
    acme: Acme, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The admin's cancel comes from another connection while a chunk is being filed. On
    PostgreSQL it commits at once and the chunk in hand cannot be saved: it is rolled back. On
    SQLite it waits for the chunk's transaction: the chunk is saved, then the import stops.
    Either way it stops at a chunk boundary and its counts say exactly what is stored."""
    job = queue(acme.support, ImportKind.MAIL, "a.mbox", FIVE)
    runner.claim_imports("w1")
    assert runner.run_import_chunk(job.pk, "w1", chunk=2) is True
    real_ingest = runner.ingest_many
    admin = threading.Thread(target=cancel_from_another_connection, args=[job])

    def admin_cancels_meanwhile(*args, **kwargs):  # type: ignore[no-untyped-def]
        yield from real_ingest(*args, **kwargs)
        admin.start()
        admin.join(timeout=1)  # SQLite: still waiting for the write lock

    monkeypatch.setattr(runner, "ingest_many", admin_cancels_meanwhile)
    runner.run_import_chunk(job.pk, "w1", chunk=2)
    admin.join(timeout=30)
    assert runner.run_import_chunk(job.pk, "w1", chunk=2) is False
    job = refreshed(job)
    assert job.state == ImportState.CANCELLED
    assert job.position == (2 if connection.vendor == "postgresql" else 4)
    assert job.created_count == job.position == Message.objects.count()


def cancel_from_another_connection(job: ImportJob) -> None:
    try:
        assert cancel_import(job) is True
    finally:
        connection.close()


def test_rerun_of_a_cancelled_import_is_a_new_entry_counting_duplicates(acme: Acme) -> None:
    ada = manager(acme)
    client = client_for(ada)
    job = queue(acme.support, ImportKind.MAIL, "a.mbox", FIVE)
    runner.claim_imports("w1")
    runner.run_import_chunk(job.pk, "w1", chunk=2)
    response = client.post(reverse("ui:import_cancel", args=["support", job.pk]))
    assert response.status_code == 302
    assert refreshed(job).state == ImportState.CANCELLED
    response = client.post(reverse("ui:import_rerun", args=["support", job.pk]))
    assert response.status_code == 302
    again = ImportJob.objects.exclude(pk=job.pk).get()
    assert (again.state, again.rerun_of, again.file.name, again.filename) == (
        ImportState.QUEUED,
        job,
        job.file.name,
        "a.mbox",
    )
    assert again.created_by == ada
    run_worker_job()
    again = refreshed(again)
    assert (again.state, again.created_count, again.duplicate_count) == (ImportState.DONE, 3, 2)
    assert Message.objects.count() == 5  # nothing created twice
    job = refreshed(job)
    assert (job.state, job.created_count) == (ImportState.CANCELLED, 2)  # the first one's own
    page = client.get(reverse("ui:imports", args=["support"])).text
    assert f"re-run of import #{job.pk}" in page


def test_rerun_of_contacts_updates_and_never_duplicates(acme: Acme) -> None:
    job = queue(acme.support, ImportKind.CONTACTS, "c.csv", b"email,name\na@example.com,A\n")
    run_worker_job()
    again = rerun_import(refreshed(job), user=None)
    run_worker_job()
    again = refreshed(again)
    assert (again.state, again.created_count, again.updated_count) == (ImportState.DONE, 0, 1)
    assert Contact.objects.count() == 1


def test_rerun_is_refused_while_running_and_once_the_file_is_gone(acme: Acme) -> None:
    client = client_for(manager(acme))
    job = queue(acme.support, ImportKind.MAIL, "a.mbox", FIVE)
    with pytest.raises(ImportRefused, match="still running"):
        rerun_import(job, user=None)
    response = client.post(reverse("ui:import_rerun", args=["support", job.pk]), follow=True)
    assert "still running" in response.text
    assert ImportJob.objects.count() == 1
    cancel_import(job)
    ImportJob.objects.filter(pk=job.pk).update(file="", file_deleted_at=timezone.now())
    with pytest.raises(ImportRefused, match="no longer available"):
        rerun_import(refreshed(job), user=None)
    assert ImportJob.objects.count() == 1


def test_cancel_and_rerun_need_the_right_and_a_post(acme: Acme) -> None:
    job = queue(acme.support, ImportKind.MAIL, "a.mbox", FIVE)
    cancel = reverse("ui:import_cancel", args=["support", job.pk])
    rerun = reverse("ui:import_rerun", args=["support", job.pk])
    assert client_for(acme.agent).post(cancel).status_code == 403
    assert client_for(acme.supervisor).post(rerun).status_code == 403
    client = client_for(manager(acme))
    assert client.get(cancel).status_code == 405
    assert client.get(rerun).status_code == 405
    missing = reverse("ui:import_cancel", args=["support", job.pk + 1000])
    assert client.post(missing).status_code == 404
    # Another campaign of the same domain does not hold this import either.
    assert client.post(reverse("ui:import_cancel", args=["orders", job.pk])).status_code == 404
    assert refreshed(job).state == ImportState.QUEUED


def test_the_history_offers_cancel_while_running_and_rerun_once_ended(acme: Acme) -> None:
    client = client_for(manager(acme))
    job = queue(acme.support, ImportKind.MAIL, "a.mbox", FIVE)
    url = reverse("ui:imports", args=["support"])
    page = client.get(url).text
    assert reverse("ui:import_cancel", args=["support", job.pk]) in page
    assert reverse("ui:import_rerun", args=["support", job.pk]) not in page
    assert "csrfmiddlewaretoken" in page
    run_worker_job()
    page = client.get(url).text
    assert reverse("ui:import_cancel", args=["support", job.pk]) not in page
    assert reverse("ui:import_rerun", args=["support", job.pk]) in page
    assert "30 days after its import ended" in page


def ended(campaign, name: str, days_ago: float, content: bytes = FIVE) -> ImportJob:  # type: ignore[no-untyped-def]
    job = queue(campaign, ImportKind.MAIL, name, content)
    finished = timezone.now() - timedelta(days=days_ago)
    ImportJob.objects.filter(pk=job.pk).update(state=ImportState.DONE, finished_at=finished)
    return refreshed(job)


def test_the_worker_deletes_files_past_the_retention_and_keeps_the_history(
    acme: Acme, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.COMPTOIR_IMPORT_RETENTION_DAYS = 30
    old = ended(acme.support, "old.mbox", 31)
    ImportJob.objects.filter(pk=old.pk).update(
        failed_count=1, errors=[{"item": "old.mbox#2", "reason": "r"}]
    )
    recent = ended(acme.support, "recent.mbox", 5)
    running = queue(acme.support, ImportKind.MAIL, "running.mbox", FIVE)
    ImportJob.objects.filter(pk=running.pk).update(created_at=timezone.now() - timedelta(days=40))
    shared = ended(acme.support, "shared.mbox", 31)
    rerun = rerun_import(shared, user=None)
    ImportJob.objects.filter(pk=rerun.pk).update(
        state=ImportState.DONE, finished_at=timezone.now() - timedelta(days=2)
    )
    old_name = old.file.name
    dict(JOBS)["import-retention"]("worker-1", True)
    old, recent, running, shared = map(refreshed, (old, recent, running, shared))
    assert old.file.name == "" and old.file_deleted_at is not None
    assert not ImportJob._meta.get_field("file").storage.exists(old_name)
    assert (old.failed_count, old.errors) == (1, [{"item": "old.mbox#2", "reason": "r"}])
    assert stored(recent) and stored(running)
    assert stored(shared) and shared.file_deleted_at is None  # its re-run is recent
    client = client_for(manager(acme))
    page = client.get(reverse("ui:imports", args=["support"])).text
    assert page.count('data-testid="file-gone"') == 1
    assert reverse("ui:import_rerun", args=["support", old.pk]) not in page
    assert "disabled" in page
    report = client.get(reverse("ui:import_errors", args=["support", old.pk]))
    assert report.status_code == 200 and "old.mbox#2" in report.content.decode("utf-8-sig")
    # 29 days on, the re-run (and the recent import) are past the retention too: the shared
    # file goes for both entries; the running import keeps its file.
    assert purge_import_files(now=timezone.now() + timedelta(days=29)) == 2
    assert refreshed(shared).file.name == "" and refreshed(rerun).file.name == ""
    assert refreshed(recent).file.name == "" and stored(refreshed(running))


def test_a_retention_of_zero_keeps_every_file(acme: Acme, settings) -> None:  # type: ignore[no-untyped-def]
    settings.COMPTOIR_IMPORT_RETENTION_DAYS = 0
    old = ended(acme.support, "old.mbox", 400)
    assert purge_import_files() == 0
    assert stored(refreshed(old))


def test_a_file_refused_as_a_whole_is_deleted_at_once(acme: Acme, settings) -> None:  # type: ignore[no-untyped-def]
    settings.COMPTOIR_IMPORT_MAX_UNCOMPRESSED = 1_000_000
    job = queue(acme.support, ImportKind.MAIL, "bomb.zip", zipped({"a.eml": b"\0" * 2_000_000}))
    name = job.file.name
    run_worker_job()
    job = refreshed(job)
    assert job.state == ImportState.FAILED and "COMPTOIR_IMPORT_MAX_UNCOMPRESSED" in job.last_error
    assert job.file.name == "" and job.file_deleted_at is not None
    assert not ImportJob._meta.get_field("file").storage.exists(name)
    assert not job.can_rerun


def test_a_contacts_file_refused_by_the_form_leaves_no_file(acme: Acme, settings) -> None:  # type: ignore[no-untyped-def]
    client = client_for(manager(acme))
    upload = SimpleUploadedFile("c.csv", b"name\nCamille\n")
    response = client.post(
        reverse("ui:imports", args=["support"]), {"kind": "contacts", "file": upload}
    )
    assert response.status_code == 200 and not ImportJob.objects.exists()
    files = Path(settings.MEDIA_ROOT)
    assert not files.exists() or not any(p.is_file() for p in files.rglob("*"))


def test_a_csv_that_breaks_in_the_middle_fails_before_any_row_and_is_deleted(acme: Acme) -> None:
    content = b"email\nok@example.com\n" + b"x" * 200_000 + b"\nlate@example.com\n"
    job = queue(acme.support, ImportKind.CONTACTS, "broken.csv", content)
    run_worker_job()
    job = refreshed(job)
    assert job.state == ImportState.FAILED
    assert job.last_error.startswith("malformed CSV after line 2")
    assert job.file.name == "" and job.file_deleted_at is not None
    assert not Contact.objects.exists()


def test_a_running_ingest_command_entry_offers_no_cancel(acme: Acme) -> None:
    job = start_command_import(campaign=acme.support, kind=ImportKind.MAIL, filename="a.mbox")
    assert cancel_import(job) is False
    assert refreshed(job).state == ImportState.RUNNING
    page = client_for(manager(acme)).get(reverse("ui:imports", args=["support"])).text
    assert reverse("ui:import_cancel", args=["support", job.pk]) not in page
