"""Small builders shared by the IMAP polling tests."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection
from imapclient import IMAPClient

from comptoir.campaigns.models import ImapMailbox, ImapSecurity
from comptoir.lib import sealed
from comptoir.tickets.models import Message, RawMessage
from tests.conftest import Acme
from tests.mail.conftest import ImapAccount


def customer_email(n: int, *, to: str = "support@acme.test") -> bytes:
    """A plain customer message; each n is a different customer and Message-ID."""
    return (
        f"From: Carla Client {n} <carla{n}@example.com>\r\n"
        f"To: {to}\r\n"
        f"Subject: Question number {n}\r\n"
        f"Message-ID: <question-{n}@example.com>\r\n"
        "Date: Mon, 02 Jun 2025 10:00:00 +0200\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "\r\n"
        f"Hello, this is question {n}.\r\n"
    ).encode()


def make_mailbox(acme: Acme, account: ImapAccount | None, **fields: object) -> ImapMailbox:
    """A mailbox of Acme's support campaign on the test Dovecot (or, account None, wherever
    `fields` say); `password` is stored encrypted, as the editor stores it."""
    values: dict[str, object] = {"domain": acme.domain, "campaign": acme.support}
    if account is not None:
        values["host"], values["port"] = account.server.host, account.server.port
        values["username"], values["password"] = account.username, account.password
    values["security"] = ImapSecurity.NONE
    values.update(fields)
    password = str(values.pop("password", "") or "")
    values["password_encrypted"] = sealed.seal(password) if password else ""
    return ImapMailbox.objects.create(**values)


def flags_by_uid(client: IMAPClient, folder: str) -> dict[int, set[bytes]]:
    client.select_folder(folder, readonly=True)
    uids = client.search(["ALL"])
    return {uid: set(flags) for uid, flags in client.get_flags(uids).items()}


def stored_subjects(acme: Acme) -> list[str]:
    """Subjects of stored messages in the order they were stored."""
    rows = Message.objects.filter(domain=acme.domain).order_by("pk")
    return list(rows.values_list("subject", flat=True))


@contextmanager
def database_refuses_raw_message(source: str) -> Iterator[None]:
    """Make the real database refuse to store one message, as a full disk or an outage would.

    A trigger, not a mock: ingest gets a genuine DatabaseError from the database and must
    turn it into TransientIngestError; the poller must then stop without flagging.
    """
    table = RawMessage._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION test_refuse_raw() RETURNS trigger AS $$ BEGIN "
                "RAISE EXCEPTION 'simulated outage'; END $$ LANGUAGE plpgsql"
            )
            # DDL takes no bound parameters (server-side binding); source is a test constant.
            cursor.execute(
                f"CREATE TRIGGER test_refuse_raw BEFORE INSERT ON {table} FOR EACH ROW "
                f"WHEN (NEW.source = '{source}') EXECUTE FUNCTION test_refuse_raw()"
            )
        else:
            # SQLite triggers take no parameters; source is a test constant.
            cursor.execute(
                f"CREATE TRIGGER test_refuse_raw BEFORE INSERT ON {table} "
                f"WHEN NEW.source = '{source}' BEGIN SELECT RAISE(ABORT, 'simulated outage'); END"
            )
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER test_refuse_raw ON {table}")
                cursor.execute("DROP FUNCTION test_refuse_raw()")
            else:
                cursor.execute("DROP TRIGGER test_refuse_raw")
