"""Invitations and password resets are queued by the request and sent by the worker: the
tests run the worker's job, as `comptoir worker` would, then read what the mailer got."""

from django.core import mail

from comptoir.mail.account_mail import send_due


def sent_mail() -> list[mail.EmailMessage]:
    """Run the worker's `account-mail` job; what Django's test mailer received so far."""
    send_due("test-worker", once=True)
    return list(mail.outbox)
