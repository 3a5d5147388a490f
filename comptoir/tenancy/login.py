"""Logging in to a domain, as one action: the domain, then the password through the
throttle's delays (tenancy.throttle). The web edge opens the session with the user it
returns; Django's admin login goes through the same throttle (tenancy.backends)."""

from datetime import datetime

from comptoir.tenancy.models import Domain, User
from comptoir.tenancy.throttle import LoginAttempt, attempt_login


def log_in(
    domain: Domain | None,
    *,
    domain_slug: str = "",
    login: str,
    password: str,
    address: str | None,
    now: datetime | None = None,
) -> LoginAttempt:
    """Try `login` and `password` in `domain` (the one the web address names), else in the
    domain whose slug was typed: the user they open, or how many seconds to wait.

    A domain that does not exist costs and answers as a wrong password (a password hash is
    computed all the same): the login page must not tell which domains exist."""
    if domain is None:
        domain = Domain.objects.filter(slug=domain_slug).first() if domain_slug else None
    if domain is None:
        User().set_password(password)
        return LoginAttempt(user=None, wait=0)
    return attempt_login(domain, login=login, password=password, address=address, now=now)
