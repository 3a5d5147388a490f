"""Logging in is per domain: the host names the domain, or the form asks for it."""

from django.test import Client
from django.urls import reverse

from comptoir.tenancy.models import Domain, Role, User
from tests.conftest import Acme, make_acme
from tests.ui.conftest import client_for, make_ticket

BAD_CREDENTIALS_FR = "Ces identifiants ne sont pas valides."


def post_login(client: Client, **data: str) -> object:
    return client.post(reverse("ui:login"), data)


def test_login_page_on_a_domain_host_names_the_domain_and_asks_no_slug(acme: Acme) -> None:
    response = Client(HTTP_HOST="acme.localhost:8000").get(reverse("ui:login"))
    assert response.status_code == 200
    assert "Acme SA" in response.text
    assert 'name="domain"' not in response.text
    assert 'name="login"' in response.text


def test_login_page_without_a_domain_host_asks_for_the_domain_slug(acme: Acme) -> None:
    response = Client(HTTP_HOST="127.0.0.1").get(reverse("ui:login"))
    assert 'name="domain"' in response.text


def test_agent_logs_in_on_their_domain_host_and_lands_on_their_campaigns(acme: Acme) -> None:
    client = Client(HTTP_HOST="acme.localhost")
    response = post_login(client, login="alice", password="pw")
    assert response.status_code == 302
    assert response["Location"] == reverse("ui:campaigns")
    assert client.get(reverse("ui:campaigns")).status_code == 200


def test_a_user_who_neither_processes_nor_supervises_lands_on_the_ticket_list(
    acme: Acme,
) -> None:
    acme.supervisor.can_process = False
    acme.supervisor.can_supervise = False
    acme.supervisor.save()
    acme.supervisor.teams.clear()  # nor a seat in a supervision team (issue 13)
    response = post_login(Client(HTTP_HOST="acme.localhost"), login="sam", password="pw")
    assert response["Location"] == reverse("ui:tickets")


def test_agent_logs_in_from_localhost_by_typing_the_domain_slug(acme: Acme) -> None:
    client = Client(HTTP_HOST="localhost")
    response = post_login(client, domain="acme", login="alice", password="pw")
    assert response.status_code == 302
    assert client.get(reverse("ui:tickets")).status_code == 200


def test_same_login_in_two_domains_opens_the_user_of_the_domain_named(acme: Acme) -> None:
    globex = make_acme("globex")
    globex.agent.set_password("other")
    globex.agent.save()
    client = Client(HTTP_HOST="globex.localhost")
    assert post_login(client, login="alice", password="other").status_code == 302
    assert int(client.session["_auth_user_id"]) == globex.agent.pk
    # Acme's password does not open Globex's alice.
    refused = post_login(Client(HTTP_HOST="globex.localhost"), login="alice", password="pw")
    assert refused.status_code == 200
    assert BAD_CREDENTIALS_FR in refused.text


def test_wrong_password_and_unknown_login_get_the_same_message(acme: Acme) -> None:
    wrong_password = post_login(Client(HTTP_HOST="acme.localhost"), login="alice", password="no")
    unknown_login = post_login(Client(HTTP_HOST="acme.localhost"), login="zoe", password="pw")
    unknown_domain = post_login(
        Client(HTTP_HOST="localhost"), domain="nowhere", login="alice", password="pw"
    )
    for response in (wrong_password, unknown_login, unknown_domain):
        assert response.status_code == 200
        assert BAD_CREDENTIALS_FR in response.text
        assert "_auth_user_id" not in response.wsgi_request.session


def test_user_cannot_log_in_on_another_domains_host(acme: Acme) -> None:
    make_acme("globex")
    User.objects.create_user(domain=acme.domain, login="bob", password="pw", role=Role.AGENT)
    response = post_login(Client(HTTP_HOST="globex.localhost"), login="bob", password="pw")
    assert BAD_CREDENTIALS_FR in response.text


def test_session_opened_on_one_domain_is_not_honoured_on_another_domains_host(
    acme: Acme,
) -> None:
    Domain.objects.create(slug="globex", name="Globex")
    client = client_for(acme.agent, host="globex.localhost")
    response = client.get(reverse("ui:tickets"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("ui:login"))


def test_ticket_list_sends_anonymous_visitors_to_the_login_page(acme: Acme) -> None:
    response = Client(HTTP_HOST="acme.localhost").get(reverse("ui:tickets"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('ui:login')}?next=/"


def test_login_from_the_site_root_goes_home_the_campaigns_for_an_agent(acme: Acme) -> None:
    """Whoever types the bare address is sent to the login page with next=/: that is "home",
    the campaign list for an agent, not the ticket list."""
    client = Client(HTTP_HOST="acme.localhost")
    login_url = client.get("/")["Location"]
    response = client.post(login_url, {"login": "alice", "password": "pw", "next": "/"})
    assert response["Location"] == reverse("ui:campaigns")


def test_login_follows_a_local_next_but_never_an_outside_one(acme: Acme) -> None:
    local = post_login(
        Client(HTTP_HOST="acme.localhost"), login="alice", password="pw", next="/quarantine/"
    )
    outside = post_login(
        Client(HTTP_HOST="acme.localhost"), login="alice", password="pw", next="https://evil.test/"
    )
    assert local["Location"] == "/quarantine/"
    assert outside["Location"] == reverse("ui:campaigns")


def test_logout_is_a_post_that_ends_the_session(acme: Acme) -> None:
    client = client_for(acme.agent)
    assert client.get(reverse("ui:logout")).status_code == 405
    response = client.post(reverse("ui:logout"))
    assert response["Location"] == reverse("ui:login")
    assert client.get(reverse("ui:tickets")).status_code == 302


def test_pages_are_in_french_by_default(acme: Acme) -> None:
    response = Client(HTTP_HOST="acme.localhost").get(reverse("ui:login"))
    assert '<html lang="fr">' in response.text
    assert "Mot de passe" in response.text


def test_pages_are_in_english_for_a_user_whose_language_is_english(acme: Acme) -> None:
    acme.agent.language = "en"
    acme.agent.save()
    make_ticket(acme.support)
    response = client_for(acme.agent).get(reverse("ui:tickets"))
    assert '<html lang="en">' in response.text
    assert "Last activity" in response.text
    assert "Dernière activité" not in response.text


def test_the_domains_language_applies_when_the_user_has_none(acme: Acme) -> None:
    acme.domain.language = "en"
    acme.domain.save()
    make_ticket(acme.support)
    response = client_for(acme.agent).get(reverse("ui:tickets"))
    assert "Last activity" in response.text


def test_the_language_switch_wins_over_the_users_language(acme: Acme) -> None:
    acme.agent.language = "fr"
    acme.agent.save()
    make_ticket(acme.support)
    client = client_for(acme.agent)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    response = client.get(reverse("ui:tickets"))
    assert "Last activity" in response.text
    assert "Dernière activité" not in response.text
