"""The import history page: upload, list, progress polling, error report, rights."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from comptoir.imports.models import ImportJob, ImportKind, ImportState
from comptoir.tenancy.models import Role, User
from tests.conftest import Acme, make_acme
from tests.imports.conftest import mail, mbox, queue, run_worker_job
from tests.ui.conftest import client_for


def manager(acme: Acme) -> User:
    return User.objects.create_user(
        domain=acme.domain,
        login="ada",
        password="pw",
        display_name="Ada Admin",
        language="en",  # the pages' words are checked in English
        role=Role.ADMIN,
        can_manage_campaigns=True,
    )


def test_upload_queues_an_import_that_the_history_lists(acme: Acme) -> None:
    client = client_for(manager(acme))
    url = reverse("ui:imports", args=["support"])
    upload = SimpleUploadedFile("old.mbox", mbox([mail(1), mail(2)]))
    response = client.post(url, {"kind": "mail", "file": upload})
    assert response.status_code == 302 and response["Location"] == url
    job = ImportJob.objects.get()
    assert (job.state, job.kind, job.filename, job.created_by) == (
        ImportState.QUEUED,
        ImportKind.MAIL,
        "old.mbox",
        User.objects.get(login="ada"),
    )
    assert job.file.name.startswith("imports/")
    page = client.get(url)
    assert page.status_code == 200
    assert "old.mbox" in page.text and "Ada Admin" in page.text
    assert 'hx-trigger="every 2s"' in page.text  # queued: the row polls
    assert "automatic reply" in page.text


def test_malformed_contacts_file_is_refused_in_the_form(acme: Acme) -> None:
    client = client_for(manager(acme))
    upload = SimpleUploadedFile("c.csv", b"name\nCamille\n")
    response = client.post(
        reverse("ui:imports", args=["support"]), {"kind": "contacts", "file": upload}
    )
    assert response.status_code == 200
    assert "email" in response.text and "field-invalid" in response.text
    assert not ImportJob.objects.exists()


def test_progress_fragment_polls_while_running_and_stops_when_done(acme: Acme) -> None:
    client = client_for(manager(acme))
    job = queue(acme.support, ImportKind.MAIL, "a.mbox", mbox([mail(1), mail(2)]))
    url = reverse("ui:import_progress", args=["support", job.pk])
    fragment = client.get(url, headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert fragment.text.lstrip().startswith("<tr") and 'hx-trigger="every 2s"' in fragment.text
    run_worker_job()
    done = client.get(url, headers={"HX-Request": "true"}).text
    assert "hx-trigger" not in done and 'value="100"' in done
    assert "2 created" in done


def test_error_report_downloads_as_csv(acme: Acme) -> None:
    client = client_for(manager(acme))
    content = b"email,name\n=cmd|' /C calc'!A0,x\nok@example.com,Ok\n"
    job = queue(acme.support, ImportKind.CONTACTS, "c.csv", content)
    run_worker_job()
    page = client.get(reverse("ui:imports", args=["support"])).text
    url = reverse("ui:import_errors", args=["support", job.pk])
    assert url in page
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv"
    assert "attachment" in response["Content-Disposition"]
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "item,reason"
    assert lines[1].startswith("line 2,") and "invalid email address" in lines[1]


def test_agents_get_403_and_other_domains_404(acme: Acme) -> None:
    url = reverse("ui:imports", args=["support"])
    assert client_for(acme.agent).get(url).status_code == 403
    assert client_for(acme.supervisor).get(url).status_code == 403
    job = queue(acme.support, ImportKind.MAIL, "a.eml", mail(1))
    globex = make_acme("globex")
    outsider = User.objects.create_user(
        domain=globex.domain, login="gus", password="pw", can_manage_campaigns=True
    )
    client = client_for(outsider)
    # Globex also has a `support` campaign: its history exists, but holds none of Acme's imports.
    assert "a.eml" not in client.get(url).text
    progress = reverse("ui:import_progress", args=["support", job.pk])
    errors = reverse("ui:import_errors", args=["support", job.pk])
    assert client.get(progress, headers={"HX-Request": "true"}).status_code == 404
    assert client.get(errors).status_code == 404
    assert client.get(reverse("ui:imports", args=["nowhere"])).status_code == 404


def test_anonymous_visitors_are_sent_to_the_login_page(acme: Acme) -> None:
    from django.test import Client

    response = Client(HTTP_HOST="acme.localhost").get(reverse("ui:imports", args=["support"]))
    assert response.status_code == 302 and "login" in response["Location"]
