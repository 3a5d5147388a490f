"""Failed logins slow the guesser down without letting an outsider lock the real user out.

Failures within COMPTOIR_LOGIN_WINDOW (an hour) are counted three ways; past its free
failures, a count makes the next attempt wait 2**k seconds after its last failure (k: the
failures past the free ones), at most its cap:

- per (login, client address): 5 free, cap 900 s: one guesser on one address;
- per login, over the addresses it never logged in from: 20 free, cap 60 s: many addresses;
- per client address, over every login of every domain: 30 free, cap 900 s: spraying.

A login attempted from an address it succeeded from within COMPTOIR_LOGIN_KNOWN_ADDRESS_DAYS
(a KnownLoginAddress) is only slowed by the first count, which outsiders cannot touch: they
cannot hold a user out at their usual place, and elsewhere only for a minute at a time. While
a delay runs, even the right password gets "wait N seconds" (the password is not checked).
A success forgets its (login, address) failures; a new password forgets the login's.

Each attempt is recorded before its password is checked and counted against the failures
recorded before it, so parallel requests cannot all slip through under one count. Counted
in the database, so every web process agrees; rows are kept a day for administrators.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Max, QuerySet
from django.utils import timezone

from comptoir.tenancy.models import Domain, KnownLoginAddress, LoginFailure, User

logger = logging.getLogger(__name__)
KEPT = timedelta(hours=24)  # failures shown to the domain's administrators


@dataclass(frozen=True)
class LoginAttempt:
    user: User | None  # the user opened, or None
    wait: int  # seconds before the login may be tried again (0: it was tried)


def attempt_login(
    domain: Domain, *, login: str, password: str, address: str | None, now: datetime | None = None
) -> LoginAttempt:
    """Check the password unless a delay runs; count a failure, forget them on success."""
    now = now or timezone.now()
    attempt = LoginFailure.objects.create(domain=domain, login=login, address=address, at=now)
    wait = seconds_to_wait(domain, login=login, address=address, before=attempt.pk, now=now)
    if wait > 0:
        attempt.delete()  # not tried: it does not count
        return LoginAttempt(user=None, wait=wait)
    user = password_user(domain, login=login, password=password)
    if user is None:
        note_failure(domain, login=login, address=address, now=now)
        return LoginAttempt(user=None, wait=0)
    LoginFailure.objects.filter(domain=domain, login=login, address=address).delete()
    if address is not None:
        KnownLoginAddress.objects.update_or_create(
            domain=domain, login=login, address=address, defaults={"last_success_at": now}
        )
    return LoginAttempt(user=user, wait=0)


def password_user(domain: Domain, *, login: str, password: str) -> User | None:
    """The domain's active user with this login and password, or None."""
    user = User.objects.filter(domain=domain, login=login).first()
    if user is None:
        # Same cost as a real check, so timing does not reveal which logins exist.
        User().set_password(password)
        return None
    if user.check_password(password) and user.is_active:
        return user
    return None


def seconds_to_wait(
    domain: Domain, *, login: str, address: str | None, before: int, now: datetime
) -> int:
    """The longest delay of the counts that apply, from the failures recorded before `before`."""
    recent = LoginFailure.objects.filter(
        at__gte=now - settings.COMPTOIR_LOGIN_WINDOW, pk__lt=before
    )
    pair = recent.filter(domain=domain, login=login, address=address)
    waits = [
        delay(pair, settings.COMPTOIR_LOGIN_FREE_FAILURES, settings.COMPTOIR_LOGIN_MAX_DELAY, now)
    ]
    if address is None or not known_address(domain, login=login, address=address, now=now):
        account = recent.filter(domain=domain, login=login)
        waits.append(
            delay(
                account,
                settings.COMPTOIR_LOGIN_ACCOUNT_FAILURES,
                settings.COMPTOIR_LOGIN_ACCOUNT_MAX_DELAY,
                now,
            )
        )
        if address is not None:
            sprayed = recent.filter(address=address)
            cap = settings.COMPTOIR_LOGIN_MAX_DELAY
            waits.append(delay(sprayed, settings.COMPTOIR_LOGIN_ADDRESS_FAILURES, cap, now))
    return max(waits)


def delay(failures: QuerySet[LoginFailure], free: int, cap: int, now: datetime) -> int:
    """Seconds left of the delay these failures impose (2**k after the last, at most cap)."""
    found = failures.aggregate(count=Count("pk"), last=Max("at"))
    if found["count"] < free or found["last"] is None:
        return 0
    ends = found["last"] + timedelta(seconds=min(2 ** min(found["count"] - free, 30), cap))
    left = (ends - now).total_seconds()
    return max(0, int(-(-left // 1)))  # whole seconds, rounded up


def known_address(domain: Domain, *, login: str, address: str, now: datetime) -> bool:
    since = now - timedelta(days=settings.COMPTOIR_LOGIN_KNOWN_ADDRESS_DAYS)
    known = KnownLoginAddress.objects.filter(domain=domain, login=login, address=address)
    return known.filter(last_success_at__gte=since).exists()


def note_failure(domain: Domain, *, login: str, address: str | None, now: datetime) -> None:
    """Log when a count reaches its free failures (once per window's crossing), and forget
    failures older than a day."""
    recent = LoginFailure.objects.filter(at__gte=now - settings.COMPTOIR_LOGIN_WINDOW)
    account = recent.filter(domain=domain, login=login).count()
    if account == settings.COMPTOIR_LOGIN_ACCOUNT_FAILURES:
        logger.warning(
            "failed logins: %s failures for login %r of domain %s in %s; last from %s",
            account, login, domain.slug, settings.COMPTOIR_LOGIN_WINDOW, address,
        )  # fmt: skip
    if address is not None:
        sprayed = recent.filter(address=address).aggregate(
            failures=Count("pk"), logins=Count("login", distinct=True)
        )
        if sprayed["failures"] == settings.COMPTOIR_LOGIN_ADDRESS_FAILURES:
            logger.warning(
                "failed logins from %s: %s failures over %s logins in %s (password spraying?)",
                address, sprayed["failures"], sprayed["logins"], settings.COMPTOIR_LOGIN_WINDOW,
            )  # fmt: skip
    LoginFailure.objects.filter(at__lt=now - KEPT).delete()


@dataclass(frozen=True)
class FailureSummary:
    address: str
    failures: int
    logins: int
    last_at: datetime


def recent_failures(domain: Domain, *, limit: int = 10) -> list[FailureSummary]:
    """The domain's failed logins of the last day by client address, most first."""
    rows = (
        LoginFailure.objects.filter(domain=domain, at__gte=timezone.now() - KEPT)
        .exclude(address=None)
        .values("address")
        .annotate(failures=Count("pk"), logins=Count("login", distinct=True), last_at=Max("at"))
        .order_by("-failures", "-last_at")[:limit]
    )
    return [
        FailureSummary(
            address=str(row["address"]),
            failures=row["failures"],
            logins=row["logins"],
            last_at=row["last_at"],
        )
        for row in rows
    ]


def clear_account_failures(domain: Domain, login: str) -> None:
    """A new password: the failures counted against the login say nothing any more."""
    LoginFailure.objects.filter(domain=domain, login=login).delete()
