"""Several IMAP pollers side by side: claims in the database, due mailboxes, the command."""

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from comptoir.campaigns.models import ImapMailbox
from comptoir.mail.imap import PollReport, claim_mailbox, poll_due_mailboxes, poll_mailbox
from comptoir.tickets.models import Message
from tests.concurrency import run_together
from tests.conftest import Acme
from tests.dovecot import free_port
from tests.mail.conftest import ImapAccount
from tests.mail.imap_helpers import customer_email, make_mailbox


@pytest.mark.django_db(transaction=True)
def test_two_workers_claiming_the_same_mailbox_at_once_only_one_wins(
    acme: Acme, imap_account: ImapAccount
) -> None:
    mailbox = make_mailbox(acme, imap_account)
    for _round in range(10):
        ImapMailbox.objects.filter(pk=mailbox.pk).update(claimed_until=None, claimed_by="")

        won = run_together(lambda worker_id: claim_mailbox(mailbox.pk, worker_id), workers=4)

        assert sorted(won) == [False, False, False, True]


@pytest.mark.django_db(transaction=True)
def test_two_workers_polling_the_same_mailbox_store_each_message_once(
    acme: Acme, imap_account: ImapAccount
) -> None:
    imap_account.append("INBOX", *(customer_email(n) for n in range(1, 7)))
    mailbox_id = make_mailbox(acme, imap_account).pk

    def poll(worker_id: str) -> PollReport:
        return poll_mailbox(ImapMailbox.objects.get(pk=mailbox_id), worker_id=worker_id)

    reports = run_together(poll)

    assert sum(report.fetched for report in reports) == 6
    assert all(report.error == "" for report in reports)
    assert Message.objects.filter(domain=acme.domain).count() == 6


@pytest.mark.django_db
def test_a_mailbox_claimed_by_another_worker_is_skipped_until_the_lease_expires(
    acme: Acme, imap_account: ImapAccount
) -> None:
    imap_account.append("INBOX", customer_email(1))
    mailbox = make_mailbox(acme, imap_account)
    assert claim_mailbox(mailbox.pk, "other-machine:42")

    assert poll_mailbox(mailbox, worker_id="me").skipped

    # The other worker died: once its lease is over, the mailbox is free again.
    expired = timezone.now() - timedelta(seconds=1)
    ImapMailbox.objects.filter(pk=mailbox.pk).update(claimed_until=expired)
    assert poll_mailbox(mailbox, worker_id="me").outcomes == {"created": 1}


@pytest.mark.django_db
def test_only_mailboxes_not_polled_within_the_interval_are_due(
    acme: Acme, imap_account: ImapAccount
) -> None:
    recent = make_mailbox(acme, imap_account, last_polled_at=timezone.now())
    never = make_mailbox(acme, imap_account)
    long_ago = make_mailbox(acme, imap_account, last_polled_at=timezone.now() - timedelta(hours=1))
    make_mailbox(acme, imap_account, enabled=False)

    due = poll_due_mailboxes("me", once=False)
    every_enabled = poll_due_mailboxes("me", once=True)

    assert sorted(report.mailbox_id for report in due) == sorted([never.pk, long_ago.pk])
    assert len(every_enabled) == 3 and recent.pk in {r.mailbox_id for r in every_enabled}


@pytest.mark.django_db
def test_a_failing_mailbox_does_not_stop_the_others(acme: Acme, imap_account: ImapAccount) -> None:
    imap_account.append("INBOX", customer_email(1))
    broken = make_mailbox(acme, imap_account, port=free_port())
    working = make_mailbox(acme, imap_account)

    reports = {report.mailbox_id: report for report in poll_due_mailboxes("me", once=True)}

    assert reports[broken.pk].error != ""
    assert reports[working.pk].outcomes == {"created": 1}


@pytest.mark.django_db(transaction=True)
def test_imap_poll_once_prints_one_json_line_per_mailbox(
    acme: Acme, imap_account: ImapAccount
) -> None:
    imap_account.append("INBOX", customer_email(1), customer_email(2))
    mailbox = make_mailbox(acme, imap_account)
    broken = make_mailbox(acme, imap_account, password="wrong")
    out = StringIO()

    call_command("imap_poll", "--once", stdout=out)

    lines = {line["id"]: line for line in map(json.loads, out.getvalue().splitlines())}
    assert lines[mailbox.pk]["fetched"] == {"created": 2}
    assert lines[mailbox.pk]["error"] == ""
    assert lines[broken.pk]["fetched"] == {}
    assert "LoginError" in lines[broken.pk]["error"]


@pytest.mark.django_db
def test_imap_poll_once_with_mailbox_polls_only_that_mailbox(
    acme: Acme, imap_account: ImapAccount
) -> None:
    mailbox = make_mailbox(acme, imap_account)
    make_mailbox(acme, imap_account)
    out = StringIO()

    call_command("imap_poll", "--once", "--mailbox", str(mailbox.pk), stdout=out)

    assert [json.loads(line)["id"] for line in out.getvalue().splitlines()] == [mailbox.pk]
