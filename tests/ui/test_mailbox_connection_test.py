""" "Test the connection" on the IMAP mailbox form, with the values typed (saved or not),
against the real Dovecot of the IMAP tests: what worked or what failed is said next to the
form, and nothing is saved."""

import pytest
from django.test import Client
from pytest_django.fixtures import Settings

from comptoir.campaigns.models import Campaign, ImapMailbox, ImapSecurity
from comptoir.lib import sealed
from tests.conftest import Acme, make_acme
from tests.dovecot import free_port
from tests.mail import conftest as mail_fixtures
from tests.ui.campaign_editor_helpers import manager, url
from tests.ui.conftest import client_for

# The real Dovecot of the IMAP tests (skipped where Dovecot is not installed).
dovecot = mail_fixtures.dovecot
imap_account = mail_fixtures.imap_account

MESSAGE = b"From: a@client.test\r\nTo: support@acme.test\r\nSubject: %d\r\n\r\nBonjour\r\n"


@pytest.fixture
def maud(acme: Acme) -> Client:
    return client_for(manager(acme))


def form(account: mail_fixtures.ImapAccount, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "host": account.server.host,
        "port": account.server.port,
        "security": ImapSecurity.NONE,
        "username": account.username,
        "password": account.password,
        "folder": "INBOX",
        "move_to": "",
        "enabled": "on",
    }
    data.update(changes)
    return data


def tried(client: Client, address: str, data: dict[str, object]) -> str:
    response = client.post(address, data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'data-testid="mailbox-test-result"' in response.text
    return response.text


def test_the_values_of_a_new_mailbox_are_tried_without_saving_anything(
    acme: Acme, maud: Client, imap_account: mail_fixtures.ImapAccount
) -> None:
    imap_account.append("INBOX", MESSAGE % 1, MESSAGE % 2, MESSAGE % 3)
    answer = tried(maud, url("manage_mailbox_test_new", acme), form(imap_account))
    assert "Connection OK: logged in and opened INBOX, which holds 3 messages." in answer
    assert not ImapMailbox.objects.exists()


def test_a_wrong_password_is_said_and_never_shown(
    acme: Acme, maud: Client, imap_account: mail_fixtures.ImapAccount
) -> None:
    data = form(imap_account, password="Wr0ng-Passw0rd")
    answer = tried(maud, url("manage_mailbox_test_new", acme), data)
    assert 'data-problem="login"' in answer
    assert "the server refuses this user name and password" in answer
    assert "Wr0ng-Passw0rd" not in answer


def test_a_missing_folder_is_said_with_the_accounts_folders(
    acme: Acme, maud: Client, imap_account: mail_fixtures.ImapAccount
) -> None:
    imap_account.append("Support", MESSAGE % 1)
    data = form(imap_account, folder="Suport")
    answer = tried(maud, url("manage_mailbox_test_new", acme), data)
    assert 'data-problem="folder"' in answer
    assert "Logged in, but the folder Suport does not exist." in answer
    assert "Folders of this account: INBOX, Support" in answer


def test_a_closed_port_a_tls_failure_and_an_unknown_name_get_one_generic_answer(
    acme: Acme, maud: Client, imap_account: mail_fixtures.ImapAccount
) -> None:
    """Told apart, they made the test a port scanner (issue 10): the same words for all,
    never what the server or the socket said (tests/security/test_secrets_hostguard.py)."""
    probes = [form(imap_account, port=free_port()), form(imap_account, security="tls")]
    probes.append(form(imap_account, host="imap.nowhere.invalid", security="tls"))
    if imap_account.server.tls_port:  # self-signed: refused by the system's trust store
        probes.append(form(imap_account, security="tls", port=imap_account.server.tls_port))
    answers = {tried(maud, url("manage_mailbox_test_new", acme), data) for data in probes}
    assert len(answers) == 1
    answer = answers.pop()
    assert 'data-problem="unreachable"' in answer
    assert "Could not connect to this server: check its name, the port" in answer


def test_plaintext_is_refused_before_connecting_unless_internal_hosts_are_allowed(
    acme: Acme, maud: Client, settings: Settings
) -> None:
    settings.COMPTOIR_IMAP_ALLOWED_NETWORKS = []
    data = {"host": "imap.acme.test", "port": 143, "security": "none", "username": "u"}
    answer = tried(
        maud, url("manage_mailbox_test_new", acme), {**data, "password": "p", "folder": "INBOX"}
    )
    assert "Connection not tried" in answer and "Unencrypted IMAP is not allowed" in answer


def test_an_invalid_form_is_not_tried(acme: Acme, maud: Client) -> None:
    answer = tried(maud, url("manage_mailbox_test_new", acme), {"host": "", "port": "x"})
    assert "Connection not tried: correct the form first." in answer
    assert "Port:" in answer


def test_a_saved_mailbox_is_tried_with_the_values_typed_and_its_stored_password(
    acme: Acme, maud: Client, imap_account: mail_fixtures.ImapAccount
) -> None:
    imap_account.append("Support", MESSAGE % 1)
    mailbox = ImapMailbox.objects.create(
        domain=acme.domain,
        campaign=acme.support,
        host=imap_account.server.host,
        port=imap_account.server.port,
        security=ImapSecurity.NONE,
        username=imap_account.username,
        password_encrypted=sealed.seal(imap_account.password),
    )
    address = url("manage_mailbox_test", acme, mailbox.pk)
    # A blank password: the stored one; the folder typed, not the saved one.
    answer = tried(maud, address, form(imap_account, password="", folder="Support"))
    assert "opened Support, which holds 1 message." in answer
    # A password typed is the one tried.
    answer = tried(maud, address, form(imap_account, password="not-it", folder="Support"))
    assert 'data-problem="login"' in answer
    mailbox.refresh_from_db()
    assert mailbox.folder == "INBOX"
    assert sealed.unseal(mailbox.password_encrypted) == imap_account.password
    # Another server with the stored password: refused, the password goes nowhere else.
    answer = tried(maud, address, form(imap_account, password="", username="someone-else"))
    assert "Connection not tried" in answer and "Type the password again" in answer
    # Without the form's values (the list's button): the saved mailbox.
    assert "opened INBOX, which holds 0 messages." in tried(maud, address, {})


def test_the_mailbox_form_has_the_test_button(acme: Acme, maud: Client) -> None:
    page = maud.get(url("manage_mailbox_add", acme)).text
    assert f'hx-post="{url("manage_mailbox_test_new", acme)}"' in page
    assert 'id="mailbox-test"' in page


def test_only_campaign_managers_test_and_only_their_domains_mailboxes(acme: Acme) -> None:
    mailbox = ImapMailbox.objects.create(
        domain=acme.domain,
        campaign=acme.support,
        host="127.0.0.1",
        username="u",
        password_encrypted=sealed.seal("p"),
    )
    addresses = [url("manage_mailbox_test_new", acme), url("manage_mailbox_test", acme, mailbox.pk)]
    data = {"host": "127.0.0.1", "port": free_port(), "security": "none", "username": "u"}
    for user in (acme.agent, acme.supervisor):
        for address in addresses:
            assert client_for(user).post(address, data).status_code == 403
    globex = make_acme("globex")
    Campaign.objects.filter(pk=globex.support.pk).update(slug="globex-support")
    intruder = client_for(manager(globex))
    for address in addresses:
        assert intruder.post(address, data).status_code == 404
    # Globex's own campaign does not reach Acme's mailbox either.
    foreign = f"/manage/campaigns/globex-support/info/mailboxes/{mailbox.pk}/test/"
    assert intruder.post(foreign, data).status_code == 404
