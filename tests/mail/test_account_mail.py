"""Invitations and password resets are queued by the request and delivered by the worker,
through a real SMTP server (tests/smtp_sink.py): while it is down the request still succeeds
and the worker retries; once it is up the mail is delivered once; the administrator sees
each email's delivery state on the user's page."""

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comptoir.mail.account_mail import claim, send_due
from comptoir.ops.management.commands.worker import JOBS
from comptoir.tenancy import actions
from comptoir.tenancy.models import AccountEmail, AccountEmailKind, AccountEmailState, Role, User
from tests.conftest import Acme
from tests.smtp_sink import SmtpSink
from tests.ui.conftest import client_for

pytestmark = pytest.mark.django_db

OUR_MAILER = {"default": {"BACKEND": "comptoir.mail.mailer.EmailBackend"}}


@pytest.fixture
def sink(settings) -> Iterator[SmtpSink]:  # type: ignore[no-untyped-def]
    """A capture server, not started yet (the SMTP server is down), that the worker uses."""
    server = SmtpSink()
    settings.MAILERS = OUR_MAILER
    settings.COMPTOIR_SMTP_URL = server.url + "?timeout=5"
    settings.COMPTOIR_OUTBOX_RETRY_BASE = 0  # a failed message is due again at once
    yield server
    server.stop()


@pytest.fixture
def admin(acme: Acme) -> User:
    ada = User.objects.create_user(
        domain=acme.domain, login="ada", password="pw", role=Role.ADMIN, language="en"
    )
    ada.apply_role_rights()
    ada.save()
    acme.agent.email = "alice@acme.test"
    acme.agent.save()
    return ada


def user_page(admin: User, user: User) -> str:
    return client_for(admin).get(reverse("ui:user_edit", args=[user.pk])).text


def test_an_invitation_waits_for_the_smtp_server_then_is_delivered_once(
    acme: Acme, admin: User, sink: SmtpSink
) -> None:
    response = client_for(admin).post(reverse("ui:user_invite", args=[acme.agent.pk]), follow=True)
    assert response.status_code == 200
    assert "The invitation to alice@acme.test is on its way." in response.text
    queued = AccountEmail.objects.get()
    assert (queued.kind, queued.state, queued.user) == ("invitation", "queued", acme.agent)
    assert "/invitation/" in queued.body

    report = send_due("worker-1", once=True)  # the server is down
    assert (report.sent, report.retried, report.failed) == (0, 1, 0)
    queued.refresh_from_db()
    assert (queued.state, queued.attempts, queued.claimed_by) == ("queued", 1, "")
    assert queued.error and "/invitation/" in queued.body  # kept until it is delivered
    page = user_page(admin, acme.agent)
    assert f'data-testid="account-email-{queued.pk}" data-state="queued"' in page
    assert "not delivered yet, tried 1 time; it will be tried again." in page

    sink.start()  # the server is back
    report = send_due("worker-1", once=True)
    assert (report.sent, report.retried) == (1, 0)
    (received,) = sink.received
    message = received.parsed()
    assert received.recipients == ["alice@acme.test"] and message["To"] == "alice@acme.test"
    assert message["Message-ID"] == queued.message_id
    assert "http://acme.localhost:8000/invitation/" in message.get_content()
    queued.refresh_from_db()
    assert (queued.state, queued.attempts, queued.error) == ("sent", 2, "")
    assert queued.sent_at is not None and queued.body == ""  # no usable link left behind

    assert send_due("worker-2", once=True).sent == 0  # nothing twice
    assert len(sink.received) == 1
    page = user_page(admin, acme.agent)
    assert 'data-state="sent"' in page and "Delivered to the mail server on" in page


def test_a_password_reset_is_asked_for_while_the_server_is_down(
    acme: Acme, admin: User, sink: SmtpSink
) -> None:
    browser = Client(HTTP_HOST="acme.localhost:8000")
    for _ in range(4):  # the hourly limit still holds: three are queued
        answer = browser.post(reverse("ui:password_reset"), {"login_or_email": "alice"})
        assert answer.status_code == 200
    resets = AccountEmail.objects.filter(kind=AccountEmailKind.PASSWORD_RESET)
    assert resets.count() == 3
    send_due("worker-1", once=True)
    assert set(resets.values_list("state", "attempts")) == {("queued", 1)}
    sink.start()
    send_due("worker-1", once=True)
    assert len(sink.received) == 3
    assert all("/password-reset/" in r.parsed().get_content() for r in sink.received)
    assert set(resets.values_list("state", flat=True)) == {"sent"}


def test_a_refused_address_is_given_up_and_shown(acme: Acme, admin: User, sink: SmtpSink) -> None:
    sink.start()
    sink.handler.answers.append("550 5.1.1 <alice@acme.test>: mailbox unavailable")
    actions.invite_user(acme.agent)
    report = send_due("worker-1", once=True)
    assert (report.sent, report.failed) == (0, 1)
    failed = AccountEmail.objects.get()
    assert failed.state == AccountEmailState.FAILED and "mailbox unavailable" in failed.error
    assert failed.body == ""
    page = user_page(admin, acme.agent)
    assert 'data-state="failed"' in page and "Not delivered" in page
    assert "mailbox unavailable" in page
    assert send_due("worker-1", once=True).sent == 0 and sink.received == []


def test_a_link_that_expired_in_the_queue_is_not_sent(
    acme: Acme,
    admin: User,
    sink: SmtpSink,
    settings,  # type: ignore[no-untyped-def]
) -> None:
    sink.start()
    actions.queue_password_email(acme.agent, invitation=False)
    AccountEmail.objects.update(
        created_at=timezone.now() - timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 1)
    )
    assert send_due("worker-1", once=True).failed == 1
    assert sink.received == [] and "expired" in AccountEmail.objects.get().error


def test_too_many_attempts_give_up(acme: Acme, admin: User, sink: SmtpSink, settings) -> None:  # type: ignore[no-untyped-def]
    settings.COMPTOIR_OUTBOX_MAX_ATTEMPTS = 2
    actions.invite_user(acme.agent)
    send_due("worker-1", once=True)
    send_due("worker-1", once=True)
    given_up = AccountEmail.objects.get()
    assert (given_up.state, given_up.attempts) == ("failed", 2)
    assert given_up.error.startswith("gave up after 2 attempts")


def test_two_workers_never_hold_the_same_email(acme: Acme, admin: User, sink: SmtpSink) -> None:
    actions.invite_user(acme.agent)
    (mine,) = claim("worker-1")
    assert claim("worker-2") == []
    # The first worker died: once its lease is over, another takes the email over.
    AccountEmail.objects.update(claimed_until=timezone.now() - timedelta(seconds=1))
    (taken_over,) = claim("worker-2")
    assert taken_over.pk == mine.pk and taken_over.attempts == 2
    sink.start()
    send_due("worker-2", once=True)  # not due: held by worker-2 until its lease ends
    assert sink.received == []


def test_without_an_smtp_server_the_worker_prints_the_mail(
    acme: Acme,
    admin: User,
    settings,
    capsys: pytest.CaptureFixture[str],  # type: ignore[no-untyped-def]
) -> None:
    settings.MAILERS = OUR_MAILER
    settings.COMPTOIR_SMTP_URL = ""
    actions.invite_user(acme.agent)
    assert send_due("worker-1", once=True).sent == 1
    printed = capsys.readouterr().out
    assert "To: alice@acme.test" in printed and "/invitation/" in printed


def test_comptoir_worker_runs_the_account_mail_job(acme: Acme, admin: User) -> None:
    jobs = dict(JOBS)
    actions.invite_user(acme.agent)
    jobs["account-mail"]("worker-1", True)  # as `comptoir worker --once` runs it
    (invitation,) = mail.outbox
    assert invitation.to == ["alice@acme.test"]
    assert AccountEmail.objects.get().state == AccountEmailState.SENT
