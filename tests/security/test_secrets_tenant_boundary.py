"""Issue 10, findings 1 and 2 from the other side of the tenant boundary: an administrator of
Globex (domain B) tries every mailbox setting that would reach the server's secrets, Acme's
secrets or the operator's network. Every one is refused, and no server value is ever sent."""

import io

import pytest
from django.core.management import call_command
from django.test import Client
from pytest_django.fixtures import Settings

from comptoir.campaigns.models import ImapMailbox
from comptoir.lib import sealed
from comptoir.mail.imap import poll_mailbox
from tests.conftest import Acme, make_acme
from tests.mail import conftest as mail_fixtures
from tests.mail.imap_helpers import customer_email, make_mailbox
from tests.ui.campaign_editor_helpers import manager, url
from tests.ui.conftest import client_for

dovecot = mail_fixtures.dovecot
imap_account = mail_fixtures.imap_account

ENV_NAMES = ["COMPTOIR_SECRET_KEY", "DATABASE_URL", "COMPTOIR_IMAP_SECRET_ACME", "HOME", "PATH"]


@pytest.fixture
def globex(db: None) -> Acme:
    return make_acme("globex")


@pytest.fixture
def gaston(globex: Acme) -> Client:
    """Globex's campaign manager."""
    return client_for(manager(globex))


def acme_bound_mailbox(acme: Acme, account: mail_fixtures.ImapAccount) -> ImapMailbox:
    """Acme's mailbox, its password in COMPTOIR_IMAP_SECRET_ACME by the operator's command."""
    mailbox = make_mailbox(acme, account, password="")
    call_command(
        "mailbox_secret", mailbox=mailbox.pk, env="COMPTOIR_IMAP_SECRET_ACME", stdout=io.StringIO()
    )
    return mailbox


@pytest.mark.parametrize("name", ENV_NAMES)
def test_another_domain_cannot_name_any_environment_variable(
    acme: Acme,
    globex: Acme,
    gaston: Client,
    imap_account: mail_fixtures.ImapAccount,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
) -> None:
    # Every variable would log in: a successful LOGIN would prove its value was sent.
    monkeypatch.setenv(name, imap_account.password)
    acme_bound_mailbox(acme, imap_account)
    data = {
        "host": imap_account.server.host,
        "port": imap_account.server.port,
        "security": "none",
        "username": imap_account.username,
        "password": "",
        "password_env": name,
        "folder": "INBOX",
        "enabled": "on",
    }
    answer = gaston.post(url("manage_mailbox_test_new", globex), data, HTTP_HX_REQUEST="true")
    assert "Connection OK" not in answer.text
    assert gaston.post(url("manage_mailbox_add", globex), data).status_code == 400
    assert not ImapMailbox.objects.filter(domain=globex.domain).exists()


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "10.0.0.1", "169.254.169.254", "::1", "::ffff:127.0.0.1", "localhost"]
)
def test_another_domain_cannot_point_a_mailbox_at_the_operators_network(
    globex: Acme, gaston: Client, settings: Settings, host: str
) -> None:
    settings.COMPTOIR_IMAP_ALLOWED_NETWORKS = []
    data = {"host": host, "port": 993, "security": "tls", "username": "u", "password": "p"}
    response = gaston.post(url("manage_mailbox_add", globex), {**data, "folder": "INBOX"})
    assert response.status_code == 400
    answer = gaston.post(
        url("manage_mailbox_test_new", globex), {**data, "folder": "INBOX"}, HTTP_HX_REQUEST="true"
    ).text
    assert 'data-problem="unreachable"' in answer
    assert not ImapMailbox.objects.filter(domain=globex.domain).exists()


def test_the_operators_secret_goes_only_to_the_server_it_was_bound_for(
    acme: Acme, imap_account: mail_fixtures.ImapAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Acme's own administrator cannot redirect it either: another destination needs the
    password typed, which replaces the binding."""
    monkeypatch.setenv("COMPTOIR_IMAP_SECRET_ACME", imap_account.password)
    imap_account.append("INBOX", customer_email(1))
    mailbox = acme_bound_mailbox(acme, imap_account)
    maud = client_for(manager(acme))
    data = {
        "host": imap_account.server.host,
        "port": imap_account.server.port,
        "security": "none",
        "username": "attacker",
        "password": "",
        "folder": "INBOX",
        "enabled": "on",
    }
    response = maud.post(url("manage_mailbox", acme, mailbox.pk), data)
    assert response.status_code == 400 and "Type the password again" in response.text
    answer = maud.post(url("manage_mailbox_test", acme, mailbox.pk), data).text
    assert "Connection not tried" in answer
    page = maud.get(url("manage_mailbox", acme, mailbox.pk)).text
    assert 'data-testid="mailbox-operator-secret"' in page  # said, never named
    assert "COMPTOIR_IMAP_SECRET_ACME" not in page
    mailbox.refresh_from_db()
    assert mailbox.username == imap_account.username
    assert poll_mailbox(mailbox).outcomes == {"created": 1}


def test_a_typed_password_replaces_the_binding(
    acme: Acme, imap_account: mail_fixtures.ImapAccount
) -> None:
    mailbox = acme_bound_mailbox(acme, imap_account)
    maud = client_for(manager(acme))
    data = {
        "host": imap_account.server.host,
        "port": imap_account.server.port,
        "security": "none",
        "username": imap_account.username,
        "password": imap_account.password,
        "folder": "INBOX",
        "enabled": "on",
    }
    assert maud.post(url("manage_mailbox", acme, mailbox.pk), data).status_code == 302
    mailbox.refresh_from_db()
    assert mailbox.password_env == ""
    assert sealed.unseal(mailbox.password_encrypted) == imap_account.password
