"""IMAP polling against a real Dovecot: fetch, store, then flag or move; resume by UID."""

import pytest

from comptoir.campaigns.models import ImapMailbox, ImapSecurity
from comptoir.mail.imap import poll_mailbox
from comptoir.mail.imap_batch import move_without_move_command
from comptoir.mail.ingest import ingest_email
from comptoir.tickets.models import Message, Ticket
from tests.conftest import Acme
from tests.dovecot import free_port
from tests.mail.conftest import ImapAccount
from tests.mail.imap_helpers import (
    customer_email,
    database_refuses_raw_message,
    flags_by_uid,
    make_mailbox,
    stored_subjects,
)
from tests.system_packages import require

SEEN = b"\\Seen"


@pytest.mark.django_db
def test_messages_are_ingested_in_uid_order_and_flagged_seen(
    acme: Acme, imap_account: ImapAccount
) -> None:
    imap_account.append("INBOX", customer_email(1), customer_email(2), customer_email(3))
    mailbox = make_mailbox(acme, imap_account)

    report = poll_mailbox(mailbox)

    assert report.error == ""
    assert report.outcomes == {"created": 3}
    assert stored_subjects(acme) == ["Question number 1", "Question number 2", "Question number 3"]
    with imap_account.client() as client:
        assert all(SEEN in flags for flags in flags_by_uid(client, "INBOX").values())
    mailbox.refresh_from_db()
    assert (mailbox.last_uid, mailbox.last_error, mailbox.claimed_by) == (3, "", "")
    assert mailbox.claimed_until is None and mailbox.last_polled_at is not None


@pytest.mark.django_db(transaction=True)
def test_a_message_the_database_cannot_store_stays_unseen_and_is_retried_next_run(
    acme: Acme, imap_account: ImapAccount
) -> None:
    imap_account.append("INBOX", *(customer_email(n) for n in range(1, 5)))
    mailbox = make_mailbox(acme, imap_account)

    with database_refuses_raw_message(f"imap:{mailbox.pk}:3"):
        report = poll_mailbox(mailbox)

    assert report.outcomes == {"created": 2}
    assert "temporarily" in report.error
    with imap_account.client() as client:
        flags = flags_by_uid(client, "INBOX")
    assert [SEEN in flags[uid] for uid in (1, 2, 3, 4)] == [True, True, False, False]
    mailbox.refresh_from_db()
    assert mailbox.last_uid == 2
    assert "simulated outage" in mailbox.last_error

    assert poll_mailbox(mailbox).outcomes == {"created": 2}
    assert Ticket.objects.filter(domain=acme.domain).count() == 4


@pytest.mark.django_db
def test_move_to_moves_stored_messages_out_of_the_folder(
    acme: Acme, imap_account: ImapAccount
) -> None:
    imap_account.append("INBOX", customer_email(1), customer_email(2))
    mailbox = make_mailbox(acme, imap_account, move_to="Comptoir/Done")

    assert poll_mailbox(mailbox).outcomes == {"created": 2}

    with imap_account.client() as client:
        assert flags_by_uid(client, "INBOX") == {}
        assert len(flags_by_uid(client, "Comptoir/Done")) == 2


def test_without_the_move_command_a_message_is_copied_then_expunged(
    imap_account: ImapAccount,
) -> None:
    imap_account.append("INBOX", customer_email(1), customer_email(2))
    with imap_account.client() as client:
        client.create_folder("Done")
        client.select_folder("INBOX")

        move_without_move_command(client, 1, "Done")

        assert list(flags_by_uid(client, "INBOX")) == [2]
        assert len(flags_by_uid(client, "Done")) == 1


@pytest.mark.django_db
def test_a_second_poll_fetches_nothing_new(acme: Acme, imap_account: ImapAccount) -> None:
    imap_account.append("INBOX", customer_email(1))
    mailbox = make_mailbox(acme, imap_account)
    poll_mailbox(mailbox)

    report = poll_mailbox(mailbox)

    assert (report.outcomes, report.error) == ({}, "")
    imap_account.append("INBOX", customer_email(2))
    assert poll_mailbox(mailbox).outcomes == {"created": 1}


@pytest.mark.django_db
def test_a_batch_limit_resumes_where_the_previous_run_stopped(
    acme: Acme, imap_account: ImapAccount
) -> None:
    imap_account.append("INBOX", *(customer_email(n) for n in range(1, 6)))
    mailbox = make_mailbox(acme, imap_account)

    fetched = [poll_mailbox(mailbox, batch_size=2).fetched for _ in range(4)]

    assert fetched == [2, 2, 1, 0]
    assert stored_subjects(acme) == [f"Question number {n}" for n in range(1, 6)]


@pytest.mark.django_db
def test_a_crash_between_storing_and_flagging_gives_a_duplicate_not_a_second_ticket(
    acme: Acme, imap_account: ImapAccount
) -> None:
    imap_account.append("INBOX", customer_email(1), customer_email(2))
    mailbox = make_mailbox(acme, imap_account)
    # What a crash right after ingest leaves: message 1 stored, still unseen, last_uid 0.
    ingest_email(customer_email(1), campaign=acme.support, source=f"imap:{mailbox.pk}:1")

    report = poll_mailbox(mailbox)

    assert report.outcomes == {"duplicate": 1, "created": 1}
    assert Ticket.objects.filter(domain=acme.domain).count() == 2
    with imap_account.client() as client:
        assert all(SEEN in flags for flags in flags_by_uid(client, "INBOX").values())


@pytest.mark.django_db
def test_a_uidvalidity_change_rescans_the_folder_without_duplicating_tickets(
    acme: Acme, imap_account: ImapAccount
) -> None:
    imap_account.append("Support", customer_email(1), customer_email(2))
    mailbox = make_mailbox(acme, imap_account, folder="Support")
    poll_mailbox(mailbox)
    first_validity = ImapMailbox.objects.get(pk=mailbox.pk).uid_validity
    with imap_account.client() as client:
        client.delete_folder("Support")
    imap_account.append("Support", customer_email(1), customer_email(2), customer_email(3))

    report = poll_mailbox(mailbox)

    assert report.outcomes == {"duplicate": 2, "created": 1}
    assert Message.objects.filter(domain=acme.domain).count() == 3
    mailbox.refresh_from_db()
    assert mailbox.uid_validity != first_validity
    assert mailbox.last_uid == 3
    assert "UIDVALIDITY changed" in mailbox.last_error


@pytest.mark.django_db
def test_a_wrong_password_is_recorded_in_last_error_and_does_not_raise(
    acme: Acme, imap_account: ImapAccount
) -> None:
    imap_account.append("INBOX", customer_email(1))
    mailbox = make_mailbox(acme, imap_account, password="wrong")

    report = poll_mailbox(mailbox)

    assert "LoginError" in report.error
    mailbox.refresh_from_db()
    assert "LoginError" in mailbox.last_error
    assert (mailbox.last_uid, mailbox.claimed_by, mailbox.claimed_until) == (0, "", None)
    assert Message.objects.count() == 0


@pytest.mark.django_db
def test_a_refused_connection_is_recorded_in_last_error(
    acme: Acme, imap_account: ImapAccount
) -> None:
    mailbox = make_mailbox(acme, imap_account, port=free_port())

    report = poll_mailbox(mailbox)

    assert "ConnectionRefusedError" in report.error
    assert ImapMailbox.objects.get(pk=mailbox.pk).last_error == report.error


@pytest.mark.django_db
def test_plaintext_imap_to_a_remote_host_is_refused_before_connecting(
    acme: Acme, imap_account: ImapAccount
) -> None:
    mailbox = make_mailbox(acme, imap_account, host="8.8.8.8")

    report = poll_mailbox(mailbox)

    assert "plaintext IMAP to 8.8.8.8 is not allowed" in report.error


@pytest.mark.django_db
def test_the_password_can_come_from_an_environment_variable(
    acme: Acme, imap_account: ImapAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    imap_account.append("INBOX", customer_email(1))
    # Set by an operator (`comptoir mailbox-secret`), under the one allowed prefix.
    name = "COMPTOIR_IMAP_SECRET_ACME"
    mailbox = make_mailbox(acme, imap_account, password="", password_env=name)
    assert f"{name} is not set" in poll_mailbox(mailbox).error

    monkeypatch.setenv(name, imap_account.password)

    assert poll_mailbox(mailbox).outcomes == {"created": 1}


@pytest.mark.django_db
@pytest.mark.parametrize("security", [ImapSecurity.TLS, ImapSecurity.STARTTLS])
def test_tls_connections_verify_the_server_certificate(
    acme: Acme, imap_account: ImapAccount, monkeypatch: pytest.MonkeyPatch, security: str
) -> None:
    server = imap_account.server
    present = server.tls_port is not None and server.cert_file is not None
    require("openssl", present, "the openssl command is not installed: no test certificate")
    port = server.tls_port if security == ImapSecurity.TLS else server.port
    imap_account.append("INBOX", customer_email(1))
    mailbox = make_mailbox(acme, imap_account, security=security, port=port)
    # The self-signed test certificate is not trusted yet: the connection must fail.
    monkeypatch.setenv("SSL_CERT_FILE", "/nonexistent")
    assert "CERTIFICATE_VERIFY_FAILED" in poll_mailbox(mailbox).error

    monkeypatch.setenv("SSL_CERT_FILE", str(server.cert_file))

    assert poll_mailbox(mailbox).outcomes == {"created": 1}
