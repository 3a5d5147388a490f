"""Contacts files: validated row by row, created or updated per domain, malformed files refused."""

import subprocess
from pathlib import Path

import pytest

from comptoir.imports.contacts import CsvError
from comptoir.imports.models import ImportKind, ImportState
from comptoir.tickets.models import Contact
from tests.conftest import Acme, comptoir_bin, make_acme, subprocess_env
from tests.imports.conftest import queue, refreshed, run_worker_job

GOOD = (
    "email;name;language;customer_id\n"
    "Camille@Exemple.fr;Camille Martin;fr;C-1\n"
    "jo@example.com;Jo;en;C-2\n"
    "known@example.com;;;C-3\n"
)


def test_good_rows_are_created_and_known_contacts_updated(acme: Acme) -> None:
    Contact.objects.create(
        domain=acme.domain, email="known@example.com", name="Known", language="fr"
    )
    other = make_acme("globex")
    Contact.objects.create(domain=other.domain, email="jo@example.com", name="Globex's Jo")
    job = queue(acme.support, ImportKind.CONTACTS, "clients.csv", GOOD.encode())
    run_worker_job()
    job = refreshed(job)
    assert (job.state, job.position, job.total) == (ImportState.DONE, 3, 3)
    assert (job.created_count, job.updated_count, job.failed_count) == (2, 1, 0)
    camille = Contact.objects.get(domain=acme.domain, email="camille@exemple.fr")
    assert (camille.name, camille.language, camille.extra) == (
        "Camille Martin",
        "fr",
        {"customer_id": "C-1"},
    )
    known = Contact.objects.get(domain=acme.domain, email="known@example.com")
    assert (known.name, known.language, known.extra) == ("Known", "fr", {"customer_id": "C-3"})
    assert Contact.objects.get(domain=other.domain).name == "Globex's Jo"  # other tenant untouched


def test_bad_rows_are_reported_with_their_line_and_never_half_saved(acme: Acme) -> None:
    content = (
        "email,name,language\n"
        "ok@example.com,Ok,fr\n"
        "not-an-address,Bad,fr\n"
        "lang@example.com,Half,de\n"
        ",No address,en\n"
        "\n"
        "too@example.com,Too,fr,many\n"
        "fine@example.com,Fine,\n"
    )
    job = queue(acme.support, ImportKind.CONTACTS, "mixed.csv", content.encode())
    run_worker_job()
    job = refreshed(job)
    assert job.state == ImportState.DONE
    assert (job.created_count, job.updated_count, job.failed_count) == (2, 0, 4)
    assert [e["item"] for e in job.errors] == ["line 3", "line 4", "line 5", "line 7"]
    reasons = " | ".join(e["reason"] for e in job.errors)
    assert "invalid email address 'not-an-address'" in reasons
    assert "unknown language 'de'" in reasons
    assert "no email address" in reasons and "4 cells" in reasons
    assert sorted(Contact.objects.values_list("email", flat=True)) == [
        "fine@example.com",
        "ok@example.com",
    ]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("email,name\ncamille@exemple.fr,Hélène\n".encode("latin-1"), "not UTF-8"),
        (b"camille@exemple.fr,Camille\njo@example.com,Jo\n", "'email' column"),
        (b"", "empty"),
        (b"name,language\nCamille,fr\n", "'email' column"),
        (b"email,email\na@b.fr,c@d.fr\n", "repeated"),
    ],
)
def test_malformed_csv_is_refused_with_a_clear_message(
    acme: Acme, content: bytes, reason: str
) -> None:
    with pytest.raises(CsvError, match=reason):
        queue(acme.support, ImportKind.CONTACTS, "bad.csv", content)
    assert not Contact.objects.exists()


def test_semicolons_tabs_and_french_headers_are_understood(acme: Acme) -> None:
    content = "Courriel\tNom\tLangue\ncamille@exemple.fr\tCamille\tFR\n"
    job = queue(acme.support, ImportKind.CONTACTS, "fr.tsv", content.encode("utf-8-sig"))
    run_worker_job()
    assert refreshed(job).created_count == 1
    assert Contact.objects.get().language == "fr"


@pytest.mark.django_db(transaction=True)
def test_import_contacts_command_prints_a_summary_and_records_history(tmp_path: Path) -> None:
    make_acme()
    path = tmp_path / "clients.csv"
    path.write_text("email,name\nok@example.com,Ok\nbad,Bad\n")
    done = subprocess.run(
        [comptoir_bin(), "import-contacts", "--campaign", "support", str(path)],
        env=subprocess_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 65, done.stderr
    assert "clients.csv: done, 2 rows: 1 created, 0 updated, 1 failed" in done.stdout
    assert "line 3: invalid email address 'bad'" in done.stdout
    assert Contact.objects.get().email == "ok@example.com"
    from comptoir.imports.models import ImportJob

    job = ImportJob.objects.get()
    assert (job.kind, job.created_by, job.state) == (ImportKind.CONTACTS, None, ImportState.DONE)


@pytest.mark.django_db(transaction=True)
def test_import_contacts_command_refuses_a_malformed_file(tmp_path: Path) -> None:
    make_acme()
    path = tmp_path / "clients.csv"
    path.write_bytes("nom;langue\nHélène;fr\n".encode("latin-1"))
    done = subprocess.run(
        [comptoir_bin(), "import-contacts", "--campaign", "support", "--domain", "acme", str(path)],
        env=subprocess_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1
    assert "refused, nothing imported" in done.stderr and "not UTF-8" in done.stderr
