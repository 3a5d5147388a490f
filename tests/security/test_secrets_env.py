"""Issue 10, finding 1: a domain administrator could name any environment variable of the
server as a mailbox's password, then have "test the connection" (or polling) send its value
to a server of their choice. Only an operator binds a mailbox to a variable now, and only to
one named COMPTOIR_IMAP_SECRET_…; the core refuses any other name, even one found in the
database. These tests drive the real Dovecot: a successful LOGIN proves the value was sent."""

import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.test import Client

from comptoir.campaigns.models import ImapMailbox, ImapSecurity
from comptoir.mail.imap import poll_mailbox
from comptoir.mail.imap_check import try_connection
from tests.conftest import Acme
from tests.mail import conftest as mail_fixtures
from tests.mail.imap_helpers import customer_email, make_mailbox
from tests.ui.campaign_editor_helpers import manager, url
from tests.ui.conftest import client_for

dovecot = mail_fixtures.dovecot
imap_account = mail_fixtures.imap_account

SERVER_ONLY = "SERVER_ONLY_SECRET"


def form(account: mail_fixtures.ImapAccount, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "host": account.server.host,
        "port": account.server.port,
        "security": ImapSecurity.NONE,
        "username": account.username,
        "password": "",
        "folder": "INBOX",
        "move_to": "",
        "enabled": "on",
    }
    data.update(changes)
    return data


@pytest.fixture
def maud(acme: Acme) -> Client:
    return client_for(manager(acme))


def test_the_form_takes_no_environment_variable_name_and_sends_no_server_value(
    acme: Acme,
    maud: Client,
    imap_account: mail_fixtures.ImapAccount,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The server's variable happens to hold what the attacker's server would accept.
    monkeypatch.setenv(SERVER_ONLY, imap_account.password)
    data = form(imap_account, password_env=SERVER_ONLY)
    answer = maud.post(url("manage_mailbox_test_new", acme), data, HTTP_HX_REQUEST="true").text
    assert "Connection OK" not in answer
    assert imap_account.password not in answer
    maud.post(url("manage_mailbox_add", acme), data)
    assert not ImapMailbox.objects.exclude(password_env="").exists()
    assert "password_env" not in maud.get(url("manage_mailbox_add", acme)).text


def test_the_action_refuses_an_environment_variable_name(
    acme: Acme, imap_account: mail_fixtures.ImapAccount
) -> None:
    from comptoir.campaigns.actions import mailboxes

    values = form(imap_account, password="p", enabled=True, password_env="DATABASE_URL")
    maud = manager(acme)
    with pytest.raises(PermissionDenied):
        mailboxes.save_mailbox(acme.support, None, values, by=maud)
    with pytest.raises(PermissionDenied):
        mailboxes.mailbox_to_test(acme.support, None, values, by=maud)
    assert not ImapMailbox.objects.exists()


@pytest.mark.django_db
def test_a_stored_name_outside_the_prefix_is_refused_when_connecting(
    acme: Acme, imap_account: mail_fixtures.ImapAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Even if a name got into the database (an old row, a bug, a restored backup)."""
    monkeypatch.setenv(SERVER_ONLY, imap_account.password)
    imap_account.append("INBOX", customer_email(1))
    mailbox = make_mailbox(acme, imap_account, password="", password_env=SERVER_ONLY)
    report = poll_mailbox(mailbox)
    assert report.outcomes == {}
    assert "environment variable 'SERVER_ONLY_SECRET' is not allowed" in report.error
    assert try_connection(mailbox).problem == "config"


@pytest.mark.django_db
def test_an_operator_binds_a_prefixed_variable_with_the_command(
    acme: Acme, imap_account: mail_fixtures.ImapAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    imap_account.append("INBOX", customer_email(1))
    mailbox = make_mailbox(acme, imap_account, password="")
    monkeypatch.setenv("COMPTOIR_IMAP_SECRET_ACME", imap_account.password)
    monkeypatch.setenv(SERVER_ONLY, imap_account.password)
    for name in (SERVER_ONLY, "DATABASE_URL", "COMPTOIR_SECRET_KEY", "COMPTOIR_IMAP_SECRET_"):
        with pytest.raises(CommandError):
            call_command("mailbox_secret", mailbox=mailbox.pk, env=name, stdout=io.StringIO())
    mailbox.refresh_from_db()
    assert mailbox.password_env == ""

    out = io.StringIO()
    call_command("mailbox_secret", mailbox=mailbox.pk, env="COMPTOIR_IMAP_SECRET_ACME", stdout=out)
    assert imap_account.password not in out.getvalue()
    mailbox.refresh_from_db()
    assert mailbox.password_env == "COMPTOIR_IMAP_SECRET_ACME"
    assert poll_mailbox(mailbox).outcomes == {"created": 1}
    out = io.StringIO()
    call_command("mailbox_secret", mailbox=mailbox.pk, show=True, stdout=out)
    assert "password from $COMPTOIR_IMAP_SECRET_ACME" in out.getvalue()
    # The operator can take the binding back.
    call_command("mailbox_secret", mailbox=mailbox.pk, clear_env=True, stdout=io.StringIO())
    mailbox.refresh_from_db()
    assert mailbox.password_env == ""


@pytest.mark.django_db
def test_a_prefixed_variable_that_is_not_set_is_said_without_a_value(
    acme: Acme, imap_account: mail_fixtures.ImapAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("COMPTOIR_IMAP_SECRET_NOPE", raising=False)
    mailbox = make_mailbox(
        acme, imap_account, password="", password_env="COMPTOIR_IMAP_SECRET_NOPE"
    )
    assert "is not set" in poll_mailbox(mailbox).error
