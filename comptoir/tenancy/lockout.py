"""Lock-out after repeated failed logins: COMPTOIR_LOCKOUT_FAILURES failures of one (domain,
login) within COMPTOIR_LOCKOUT_WINDOW refuse that login for COMPTOIR_LOCKOUT_DURATION after the
last of them. Counted in the database, so that it holds across processes and machines."""

from datetime import datetime

from django.conf import settings
from django.utils import timezone

from comptoir.tenancy.models import Domain, LoginFailure


def locked_until(domain: Domain, login: str, *, now: datetime | None = None) -> datetime | None:
    """When the lock-out of this login ends, or None when it may log in now."""
    now = now or timezone.now()
    needed = settings.COMPTOIR_LOCKOUT_FAILURES
    times = list(
        LoginFailure.objects.filter(domain=domain, login=login)
        .order_by("-at")
        .values_list("at", flat=True)[:needed]
    )
    if len(times) < needed or times[0] - times[-1] > settings.COMPTOIR_LOCKOUT_WINDOW:
        return None
    until = times[0] + settings.COMPTOIR_LOCKOUT_DURATION
    return until if until > now else None


def record_login_failure(domain: Domain, login: str, *, now: datetime | None = None) -> None:
    now = now or timezone.now()
    LoginFailure.objects.create(domain=domain, login=login, at=now)
    # Rows older than a window and a lock-out say nothing any more: keep the table small.
    stale = now - settings.COMPTOIR_LOCKOUT_WINDOW - settings.COMPTOIR_LOCKOUT_DURATION
    LoginFailure.objects.filter(domain=domain, login=login, at__lt=stale).delete()


def clear_login_failures(domain: Domain, login: str) -> None:
    LoginFailure.objects.filter(domain=domain, login=login).delete()


def clear_account_failures(domain: Domain, login: str) -> None:
    """A new password: the failures counted against the login say nothing any more."""
    clear_login_failures(domain, login)
