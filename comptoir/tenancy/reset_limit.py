"""A limit on the password reset emails asked for before logging in: at most
COMPTOIR_RESET_EMAILS_PER_HOUR to one (domain, login) within an hour, so that the form cannot
be used to flood someone's mailbox. Counted in the database like failed logins (throttle.py),
so that it holds across processes and machines. Past the limit nothing is sent, and the page
still answers as if it had been: it never tells which logins exist."""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from comptoir.tenancy.models import PasswordResetEmail, User

logger = logging.getLogger(__name__)

RESET_WINDOW = timedelta(hours=1)


def may_send_reset_email(user: User, *, now: datetime | None = None) -> bool:
    """Count one reset email to this user and say so, or False when the limit is reached."""
    now = now or timezone.now()
    since = now - RESET_WINDOW
    with transaction.atomic():
        # Two requests at once must not both see the last free place: lock the user's row.
        User.objects.select_for_update().filter(pk=user.pk).first()
        sent = PasswordResetEmail.objects.filter(domain_id=user.domain_id, login=user.login)
        # Older rows say nothing any more: keep the table small.
        sent.filter(at__lte=since).delete()
        if sent.filter(at__gt=since).count() >= settings.COMPTOIR_RESET_EMAILS_PER_HOUR:
            logger.warning(
                "Password reset email to %r in domain %s not sent: %d already sent this hour",
                user.login,
                user.domain_id,
                settings.COMPTOIR_RESET_EMAILS_PER_HOUR,
            )
            return False
        PasswordResetEmail.objects.create(domain_id=user.domain_id, login=user.login, at=now)
    return True
