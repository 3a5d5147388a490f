"""A refused or missing page is a page of the app: its layout, the reader's language, the
reason when it is known, a link back; a 403 leaves one line in the log, no traceback; a
favicon is served."""

import logging
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation

from comptoir.tenancy.models import Role, Team, User
from comptoir.ui.common.errors import server_error
from tests.conftest import Acme
from tests.ui.conftest import add_message, client_for, make_ticket

pytestmark = pytest.mark.django_db


def test_a_missing_page_is_inside_the_app_in_french_with_a_way_back(acme: Acme) -> None:
    client = client_for(acme.agent)
    response = client.get("/nulle-part/", HTTP_REFERER="http://acme.localhost/campaigns/")
    assert response.status_code == 404
    page = response.text
    assert "Not Found" not in page
    assert "Page introuvable" in page and 'data-testid="mainnav"' in page
    assert 'href="http://acme.localhost/campaigns/" data-testid="error-back"' in page
    assert 'rel="icon"' in page


def test_a_missing_ticket_links_to_the_home_page_when_the_referer_is_elsewhere(
    acme: Acme,
) -> None:
    client = client_for(acme.agent)
    response = client.get(reverse("ui:ticket", args=[999999]), HTTP_REFERER="https://evil.example/")
    assert response.status_code == 404
    assert "evil.example" not in response.text
    assert f'href="{reverse("ui:campaigns")}" data-testid="error-back"' in response.text


def test_a_refusal_says_why_in_french_and_logs_no_traceback(
    acme: Acme, caplog: pytest.LogCaptureFixture
) -> None:
    bob = User.objects.create_user(domain=acme.domain, login="bob", password="pw", role=Role.AGENT)
    watchers = Team.objects.create(domain=acme.domain, name="Veille")
    watchers.members.add(acme.agent)
    acme.support.supervision_teams.add(watchers)
    ticket = make_ticket(acme.support, assignee=bob)
    add_message(ticket)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client_for(acme.agent).post(
            reverse("ui:ticket_reply", args=[ticket.number]), {"text": "Je prends"}
        )
    assert response.status_code == 403
    assert "403 Forbidden" not in response.text
    assert "Accès refusé" in response.text
    assert "Ce ticket est affecté à un autre agent." in response.text
    [record] = [r for r in caplog.records if r.name == "django.request"]
    assert record.getMessage().startswith("Forbidden (Permission denied)")
    assert record.exc_info is None and record.exc_text is None
    assert "Traceback" not in caplog.text


def test_a_page_without_the_right_is_refused_in_the_app_in_english_too(acme: Acme) -> None:
    acme.agent.language = "en"
    acme.agent.save()
    response = client_for(acme.agent).get(reverse("ui:users"))
    assert response.status_code == 403
    assert "Access refused" in response.text and "You may not open this page." in response.text
    assert 'data-testid="error-back"' in response.text


def test_a_form_without_its_csrf_token_gets_the_apps_page(acme: Acme) -> None:
    client = Client(enforce_csrf_checks=True, HTTP_HOST="acme.localhost")
    client.force_login(acme.agent)
    response = client.post(reverse("ui:account"))
    assert response.status_code == 403
    assert "Le formulaire a expiré" in response.text
    assert "CSRF verification failed" not in response.text


def test_the_api_keeps_its_json_errors(acme: Acme) -> None:
    response = Client(HTTP_HOST="acme.localhost").get("/api/v1/nothing-here/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")


def test_a_server_error_is_a_page_of_the_app_without_the_database(acme: Acme) -> None:
    request = RequestFactory().get("/tickets/")
    with translation.override("fr"):
        response = server_error(request)
    assert response.status_code == 500
    page = response.content.decode()
    assert "Une erreur s’est produite" in page and 'href="/"' in page


def test_every_page_names_the_favicon_and_its_licence_is_noted(acme: Acme) -> None:
    """Pages name it (<link rel="icon">), so browsers do not ask for /favicon.ico."""
    icon = static("ui/favicon.svg")
    for client, url in (
        (Client(HTTP_HOST="acme.localhost"), reverse("ui:login")),
        (client_for(acme.agent), reverse("ui:campaigns")),
        (client_for(acme.agent), "/nulle-part/"),
    ):
        assert f'<link rel="icon" href="{icon}" type="image/svg+xml">' in client.get(url).text
    found = finders.find("ui/favicon.svg")
    assert found and "<svg" in Path(str(found)).read_text(encoding="utf-8")
    assert finders.find("ui/favicon-LICENSE.txt")
