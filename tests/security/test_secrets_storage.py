"""Issue 10, finding 1 (storage): mailbox passwords are stored encrypted (Fernet) with keys
from the environment (COMPTOIR_SECRET_KEYS: the first encrypts, all decrypt), and
`comptoir rotate-secrets` re-encrypts them with the first key after a rotation."""

import io

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from pytest_django.fixtures import Settings

from comptoir.campaigns.models import ImapMailbox
from comptoir.lib import sealed
from tests.conftest import Acme
from tests.ui.campaign_editor_helpers import manager, url
from tests.ui.conftest import client_for

PASSWORD = "s3cret-Imap-Passw0rd"


def raw_row(mailbox_id: int) -> str:
    """Every column of the mailbox's row as the database holds it."""
    table = ImapMailbox._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} WHERE id = %s", [mailbox_id])
        return repr(cursor.fetchone())


def add_mailbox(acme: Acme) -> ImapMailbox:
    data = {
        "host": "imap.example.com",
        "port": 993,
        "security": "tls",
        "username": "support",
        "password": PASSWORD,
        "folder": "INBOX",
        "move_to": "",
        "enabled": "on",
    }
    maud: Client = client_for(manager(acme))
    assert maud.post(url("manage_mailbox_add", acme), data).status_code == 302
    return ImapMailbox.objects.get(campaign=acme.support)


def test_a_password_typed_in_the_form_is_stored_encrypted(acme: Acme) -> None:
    mailbox = add_mailbox(acme)
    row = raw_row(mailbox.pk)
    assert PASSWORD not in row
    assert "imap.example.com" in row  # the right row was read
    assert sealed.unseal(mailbox.password_encrypted) == PASSWORD


def test_secrets_read_with_every_listed_key_and_rotate_to_the_first(
    acme: Acme, settings: Settings
) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.COMPTOIR_SECRET_KEYS = [old]
    mailbox = add_mailbox(acme)
    token = mailbox.password_encrypted

    settings.COMPTOIR_SECRET_KEYS = [new]  # the old key dropped too early
    with pytest.raises(sealed.SecretUnreadable):
        sealed.unseal(token)
    settings.COMPTOIR_SECRET_KEYS = [new, old]
    assert sealed.unseal(token) == PASSWORD

    out = io.StringIO()
    call_command("rotate_secrets", stdout=out)
    assert "1 secret re-encrypted" in out.getvalue()
    mailbox.refresh_from_db()
    assert mailbox.password_encrypted != token
    settings.COMPTOIR_SECRET_KEYS = [new]
    assert sealed.unseal(mailbox.password_encrypted) == PASSWORD


def test_rotation_reports_secrets_no_key_reads_and_leaves_them(
    acme: Acme, settings: Settings
) -> None:
    settings.COMPTOIR_SECRET_KEYS = [Fernet.generate_key().decode()]
    mailbox = add_mailbox(acme)
    settings.COMPTOIR_SECRET_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(CommandError, match=f"mailbox {mailbox.pk}"):
        call_command("rotate_secrets", stdout=io.StringIO())
    token = mailbox.password_encrypted
    mailbox.refresh_from_db()
    assert mailbox.password_encrypted == token


def test_without_listed_keys_one_is_derived_from_the_secret_key(
    acme: Acme, settings: Settings
) -> None:
    settings.COMPTOIR_SECRET_KEYS = []
    mailbox = add_mailbox(acme)
    settings.COMPTOIR_SECRET_KEYS = [sealed.derived_key(settings.SECRET_KEY)]
    assert sealed.unseal(mailbox.password_encrypted) == PASSWORD
    settings.COMPTOIR_SECRET_KEYS = []
    settings.SECRET_KEY = "another-secret-key"
    with pytest.raises(sealed.SecretUnreadable):
        sealed.unseal(mailbox.password_encrypted)


def test_a_malformed_key_list_is_an_operator_error(settings: Settings) -> None:
    settings.COMPTOIR_SECRET_KEYS = ["not-a-fernet-key"]
    with pytest.raises(sealed.KeyConfigError):
        sealed.seal("x")


def test_the_key_command_prints_a_fresh_key_and_the_derived_one(settings: Settings) -> None:
    out = io.StringIO()
    call_command("secret_key", stdout=out)
    Fernet(out.getvalue().strip().encode())  # a valid key
    out = io.StringIO()
    call_command("secret_key", derived=True, stdout=out)
    assert out.getvalue().strip() == sealed.derived_key(settings.SECRET_KEY)
