"""The quarantine: mail that could not be filed, shown to supervisors of the domain only."""

import hashlib

from django.urls import reverse
from pytest_django.fixtures import Settings

from comptoir.mail.ingest import ingest_email
from comptoir.tickets.models import RawMessage, RawState
from tests.conftest import Acme, make_acme
from tests.ui.conftest import client_for

RAW = b"From: inconnu@ailleurs.test\r\nSubject: =?utf-8?q?Illisible?=\r\n\r\ncorps\r\n"


def quarantined(
    domain_id: int | None, subject: str, state: str = RawState.QUARANTINED
) -> RawMessage:
    return RawMessage.objects.create(
        domain_id=domain_id,
        content=RAW,
        size=len(RAW),
        sha256=hashlib.sha256(RAW).hexdigest(),
        source="smtp",
        from_address="inconnu@ailleurs.test",
        subject=subject,
        reason="no campaign for this recipient",
        state=state,
    )


def test_supervisor_sees_the_domains_quarantined_messages(acme: Acme) -> None:
    quarantined(acme.domain.pk, "Message en quarantaine")
    quarantined(acme.domain.pk, "Déjà classé", state=RawState.STORED)
    response = client_for(acme.supervisor).get(reverse("ui:quarantine"))
    assert response.status_code == 200
    assert "Message en quarantaine" in response.text
    assert "inconnu@ailleurs.test" in response.text
    assert "no campaign for this recipient" in response.text
    assert "smtp" in response.text
    assert "Déjà classé" not in response.text


def test_another_domains_quarantine_is_never_shown(acme: Acme) -> None:
    globex = make_acme("globex")
    theirs = quarantined(globex.domain.pk, "Quarantaine de Globex")
    quarantined(None, "Sans domaine")
    client = client_for(acme.supervisor)
    page = client.get(reverse("ui:quarantine")).text
    assert "Quarantaine de Globex" not in page and "Sans domaine" not in page
    assert client.get(reverse("ui:quarantine_raw", args=[theirs.pk])).status_code == 404


def test_quarantine_is_not_found_for_users_who_do_not_supervise(acme: Acme) -> None:
    raw = quarantined(acme.domain.pk, "Message en quarantaine")
    client = client_for(acme.agent)
    assert client.get(reverse("ui:quarantine")).status_code == 404
    assert client.get(reverse("ui:quarantine_raw", args=[raw.pk])).status_code == 404


def test_supervisor_downloads_the_raw_message_exactly_as_received(acme: Acme) -> None:
    raw = quarantined(acme.domain.pk, "Message en quarantaine")
    client = client_for(acme.supervisor)
    url = reverse("ui:quarantine_raw", args=[raw.pk])
    assert url in client.get(reverse("ui:quarantine")).text
    response = client.get(url)
    assert response.content == RAW
    assert response["Content-Type"] == "message/rfc822"
    assert response["Content-Disposition"] == f'attachment; filename="quarantine-{raw.pk}.eml"'
    assert response["X-Content-Type-Options"] == "nosniff"


def test_ticket_list_counts_the_quarantine_for_supervisors(acme: Acme) -> None:
    quarantined(acme.domain.pk, "Un")
    quarantined(acme.domain.pk, "Deux")
    page = client_for(acme.supervisor).get(reverse("ui:tickets")).text
    assert "2 messages en quarantaine" in page


def test_the_quarantine_says_why_in_french(acme: Acme, settings: Settings) -> None:
    """A message over the size limit, through the real ingest: its stored reason is English,
    the supervisor's page says it in French."""
    settings.COMPTOIR_MAX_MESSAGE_SIZE = 1000
    raw = b"From: claire@client.test\r\nTo: support@acme.test\r\nSubject: Gros\r\n\r\n"
    raw += b"x" * 2000 + b"\r\n"
    result = ingest_email(raw, recipients=["support@acme.test"])
    assert result.outcome == "quarantined"
    assert result.reason.startswith(f"message is {len(raw)} bytes, more than 1000")
    client = client_for(acme.supervisor)
    page = client.get(reverse("ui:quarantine")).text
    assert f"le message fait {len(raw)} octets, plus de 1000" in page
    assert "bytes, more than" not in page
    client.cookies["django_language"] = "en"
    assert result.reason in client.get(reverse("ui:quarantine")).text
