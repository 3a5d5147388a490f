"""A real Dovecot for the IMAP tests: one server per session, one fresh account per test."""

import itertools
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from imapclient import IMAPClient
from pytest_django.fixtures import Settings

from tests.dovecot import Dovecot, dovecot_binary, start_dovecot
from tests.system_packages import require


@pytest.fixture(scope="session")
def dovecot() -> Iterator[Dovecot]:
    require("dovecot-imapd", dovecot_binary() is not None, "the dovecot binary is not installed")
    # Not pytest's tmp_path: its 0700 parents are unreachable for Dovecot's mail user.
    root = Path(tempfile.mkdtemp(prefix="comptoir-dovecot-"))
    server = start_dovecot(root)
    yield server
    server.stop()
    shutil.rmtree(root, ignore_errors=True)


@dataclass
class ImapAccount:
    server: Dovecot
    username: str
    password: str

    def client(self) -> IMAPClient:
        client = IMAPClient(self.server.host, port=self.server.port, ssl=False, timeout=10)
        client.login(self.username, self.password)
        return client

    def append(self, folder: str, *messages: bytes) -> None:
        """Deliver messages the way any mail client would: APPEND over IMAP."""
        with self.client() as client:
            if not client.folder_exists(folder):
                client.create_folder(folder)
            for raw in messages:
                client.append(folder, raw)


_accounts = itertools.count(1)


@pytest.fixture
def imap_account(dovecot: Dovecot, settings: Settings) -> ImapAccount:
    """An empty mailbox of its own, so tests never see each other's messages. The test Dovecot
    listens on loopback, which polling refuses unless the operator allows it: allowed here
    (tests/security/test_secrets_hostguard.py runs with it off)."""
    settings.COMPTOIR_IMAP_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    # Dovecot accepts any user name with its one password; a new name is an empty mailbox.
    return ImapAccount(dovecot, f"user{next(_accounts)}", dovecot.password)
