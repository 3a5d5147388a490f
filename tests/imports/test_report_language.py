"""The error report speaks the language of who started the import, whoever downloads it."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from comptoir.imports.models import ImportJob, ImportKind
from comptoir.tenancy.models import Role, User
from tests.conftest import Acme
from tests.imports.conftest import queue, refreshed, run_worker_job, zipped
from tests.imports.test_ui import manager
from tests.ui.conftest import client_for

BAD_ROWS = b"email,name,language\nnot-an-address,Bad,fr\nlang@example.com,Half,de\n,No one,\n"


def french_manager(acme: Acme) -> User:
    return User.objects.create_user(
        domain=acme.domain,
        login="fanny",
        password="pw",
        display_name="Fanny",
        language="fr",
        role=Role.ADMIN,
        can_manage_campaigns=True,
    )


def report(client, job: ImportJob) -> list[str]:  # type: ignore[no-untyped-def]
    response = client.get(reverse("ui:import_errors", args=["support", job.pk]))
    assert response.status_code == 200
    return response.content.decode("utf-8-sig").splitlines()


def test_a_french_users_contacts_import_reports_in_french_to_everyone(acme: Acme) -> None:
    fanny = french_manager(acme)
    upload = SimpleUploadedFile("clients.csv", BAD_ROWS)
    client_for(fanny).post(
        reverse("ui:imports", args=["support"]), {"kind": "contacts", "file": upload}
    )
    job = ImportJob.objects.get()
    assert job.language == "fr"
    run_worker_job()
    assert refreshed(job).failed_count == 3
    # Downloaded by an English-speaking admin: still the words of who started the import.
    lines = report(client_for(manager(acme)), job)
    assert lines == [
        "élément,motif",
        "ligne 2,adresse e-mail invalide « not-an-address »",
        'ligne 3,"langue inconnue « de » (attendu : fr, en)"',  # quoted: it holds a comma
        "ligne 4,pas d'adresse e-mail",
    ]


def test_an_english_users_import_reports_in_english(acme: Acme) -> None:
    ada = manager(acme)
    upload = SimpleUploadedFile("clients.csv", BAD_ROWS)
    client_for(ada).post(
        reverse("ui:imports", args=["support"]), {"kind": "contacts", "file": upload}
    )
    job = ImportJob.objects.get()
    run_worker_job()
    lines = report(client_for(french_manager(acme)), job)
    assert lines[0] == "item,reason"
    assert lines[1] == "line 2,invalid email address 'not-an-address'"


def test_mail_archive_problems_and_refusals_are_in_the_users_language(acme: Acme, settings) -> None:  # type: ignore[no-untyped-def]
    archive = zipped({"../evil.eml": b"x", "nested.zip": zipped({"a.eml": b"x"})})
    job = queue(acme.support, ImportKind.MAIL, "x.zip", archive, language="fr")
    run_worker_job()
    reasons = {e["item"]: e["reason"] for e in refreshed(job).errors}
    assert reasons == {
        "x.zip:../evil.eml": "chemin dangereux dans le zip, ignoré",
        "x.zip:nested.zip": "archive imbriquée, ignorée",
    }
    settings.COMPTOIR_IMPORT_MAX_MEMBERS = 1
    refused = queue(acme.support, ImportKind.MAIL, "x.zip", archive, language="fr")
    run_worker_job()
    assert refreshed(refused).last_error.startswith("zip refusé : 2 fichiers, plus de 1")
    lines = report(client_for(manager(acme)), refused)
    assert lines == [
        "élément,motif",
        ',"zip refusé : 2 fichiers, plus de 1 (COMPTOIR_IMPORT_MAX_MEMBERS)"',
    ]


def test_the_refusal_in_the_form_follows_the_page_language(acme: Acme) -> None:
    upload = SimpleUploadedFile("c.csv", b"nom\nCamille\n")
    page = client_for(french_manager(acme)).post(
        reverse("ui:imports", args=["support"]), {"kind": "contacts", "file": upload}
    )
    assert "Ce fichier CSV est refusé : la première ligne doit être un en-tête" in page.text
