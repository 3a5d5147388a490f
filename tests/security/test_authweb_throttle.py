"""Failed logins slow the guesser down, never lock the real user out: delays grow per (login,
address), per login across unknown addresses and per address across logins (spraying), expire
by themselves, and a new password forgets them. The Django admin's login counts the same."""

import importlib
import logging
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from django.test import Client
from django.urls import clear_url_caches, reverse
from django.utils import timezone

from comptoir.tenancy.actions import reset_user_password, set_user_password
from comptoir.tenancy.models import LoginFailure, Role, User
from comptoir.tenancy.throttle import attempt_login
from tests.conftest import Acme
from tests.ui.test_people import STRONG, make_admin

ATTACKER, HOME, ELSEWHERE = "203.0.113.9", "198.51.100.4", "192.0.2.77"


def login_from(address: str, password: str, login: str = "alice") -> object:
    client = Client(HTTP_HOST="acme.localhost", REMOTE_ADDR=address)
    return client.post(reverse("ui:login"), {"login": login, "password": password})


def guess(acme: Acme, address: str, now: datetime, password: str = "wrong", login: str = "alice"):  # type: ignore[no-untyped-def]
    return attempt_login(acme.domain, login=login, password=password, address=address, now=now)


def test_failures_from_an_outsider_do_not_lock_the_user_out_of_their_own_address(
    acme: Acme,
) -> None:
    assert login_from(HOME, "pw").status_code == 302  # type: ignore[attr-defined]
    for _attempt in range(8):
        login_from(ATTACKER, "wrong")
    assert login_from(ATTACKER, "pw").status_code == 429  # type: ignore[attr-defined]
    assert login_from(HOME, "pw").status_code == 302  # type: ignore[attr-defined]


def test_delays_double_after_five_failures_and_expire_by_themselves(acme: Acme) -> None:
    now = timezone.now()
    for _attempt in range(5):
        assert guess(acme, ATTACKER, now).wait == 0
    waits = []
    for _attempt in range(12):
        refused = guess(acme, ATTACKER, now, password="pw")  # even the right password waits
        assert refused.user is None and refused.wait > 0
        waits.append(refused.wait)
        now += timedelta(seconds=refused.wait)
        assert guess(acme, ATTACKER, now).wait == 0  # the delay is over: one more guess
    assert waits == [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900]
    # The delay is over: the right password opens the account and forgets this address's count.
    now += timedelta(seconds=900)
    assert guess(acme, ATTACKER, now, password="pw").user == acme.agent
    assert guess(acme, ATTACKER, now).wait == 0


def test_a_botnet_on_every_address_only_briefly_delays_a_user_on_a_new_address(
    acme: Acme,
) -> None:
    now = timezone.now()
    assert guess(acme, HOME, now, password="pw").user == acme.agent
    # 100 addresses guessing for half an hour, each as fast as it is let.
    for minute in range(30):
        for bot in range(100):
            address = f"10.0.{bot // 250}.{bot % 250}"
            guess(acme, address, now + timedelta(minutes=minute, seconds=bot % 60))
    later = now + timedelta(minutes=30)
    # Where the user logged in before: no delay at all.
    assert guess(acme, HOME, later, password="pw").user == acme.agent
    # From a new address: at most a minute, and then the right password opens.
    waited = guess(acme, ELSEWHERE, later, password="pw").wait
    assert 0 < waited <= 60
    assert guess(acme, ELSEWHERE, later + timedelta(seconds=waited), password="pw").user


def test_the_ui_says_how_long_to_wait_and_the_delay_passes(acme: Acme) -> None:
    for _attempt in range(5):
        assert login_from(ATTACKER, "wrong").status_code == 200  # type: ignore[attr-defined]
    for _attempt in range(3):  # three more failures, as if each had waited its delay
        LoginFailure.objects.create(domain=acme.domain, login="alice", address=ATTACKER)
    refused = login_from(ATTACKER, "pw")
    assert refused.status_code == 429  # type: ignore[attr-defined]
    wait = int(refused.headers["Retry-After"])  # type: ignore[attr-defined]
    assert wait in (7, 8)  # 2**3 seconds after the last failure
    assert f"{wait} secondes" in refused.text  # type: ignore[attr-defined]
    LoginFailure.objects.update(at=timezone.now() - timedelta(seconds=9))
    assert login_from(ATTACKER, "pw").status_code == 302  # type: ignore[attr-defined]
    assert not LoginFailure.objects.filter(address=ATTACKER).exists()


@pytest.mark.parametrize("change", [set_user_password, reset_user_password])
def test_a_new_password_forgets_the_logins_failures(acme: Acme, change) -> None:  # type: ignore[no-untyped-def]
    for address in (ATTACKER, HOME):
        for _attempt in range(7):
            login_from(address, "wrong")
    assert login_from(HOME, "pw").status_code == 429  # type: ignore[attr-defined]
    change(User.objects.get(pk=acme.agent.pk), STRONG)
    assert login_from(HOME, STRONG).status_code == 302  # type: ignore[attr-defined]
    assert login_from(ATTACKER, STRONG).status_code == 302  # type: ignore[attr-defined]


def test_spraying_from_one_address_is_slowed_logged_and_shown_to_administrators(
    acme: Acme, caplog: pytest.LogCaptureFixture
) -> None:
    admin = make_admin(acme)
    now = timezone.now()
    with caplog.at_level(logging.WARNING, logger="comptoir.tenancy.throttle"):
        for number in range(30):
            assert guess(acme, ATTACKER, now, login=f"user{number}").wait == 0
    assert any(ATTACKER in record.getMessage() for record in caplog.records)
    # One more login tried from there waits, even one never tried before.
    assert guess(acme, ATTACKER, now, login="sam", password="pw").wait > 0
    # Not the others: sam logs in from home.
    assert guess(acme, HOME, now, login="sam", password="pw").user == acme.supervisor
    client = Client(HTTP_HOST="acme.localhost")
    client.force_login(admin)
    page = client.get(reverse("ui:users")).text
    assert ATTACKER in page
    assert "<td>30</td>" in page  # failures and logins tried
    assert HOME not in page


def test_another_domains_administrators_do_not_see_these_failures(acme: Acme) -> None:
    from tests.conftest import make_acme

    globex = make_acme("globex")
    boss = make_admin(globex, login="boss")
    for _attempt in range(3):
        guess(acme, ATTACKER, timezone.now())
    client = Client(HTTP_HOST="globex.localhost")
    client.force_login(boss)
    assert ATTACKER not in client.get(reverse("ui:users")).text


def test_the_client_address_comes_from_x_forwarded_for_only_behind_a_trusted_proxy(
    acme: Acme, settings
) -> None:  # type: ignore[no-untyped-def]
    def post(forwarded: str) -> None:
        client = Client(HTTP_HOST="acme.localhost", REMOTE_ADDR="127.0.0.1")
        data = {"login": "alice", "password": "wrong"}
        client.post(reverse("ui:login"), data, HTTP_X_FORWARDED_FOR=forwarded)

    post("6.6.6.6")  # a client's own X-Forwarded-For is not believed
    settings.COMPTOIR_TRUSTED_PROXY = 1
    post("6.6.6.6, 203.0.113.9")  # nginx appends the address it saw: the last one counts
    addresses = sorted(LoginFailure.objects.values_list("address", flat=True))
    assert addresses == ["127.0.0.1", ATTACKER]


@pytest.fixture
def django_admin(settings) -> Iterator[None]:  # type: ignore[no-untyped-def]
    import comptoir.urls

    settings.COMPTOIR_DJANGO_ADMIN = True
    importlib.reload(comptoir.urls)
    clear_url_caches()
    yield
    settings.COMPTOIR_DJANGO_ADMIN = False
    importlib.reload(comptoir.urls)
    clear_url_caches()


def test_the_django_admin_is_off_unless_an_operator_enables_it(acme: Acme) -> None:
    assert Client().get("/django-admin/").status_code == 404
    assert Client().get("/django-admin/login/").status_code == 404


def test_the_django_admin_login_goes_through_the_same_throttle(
    acme: Acme, django_admin: None
) -> None:
    operator = User.objects.create_superuser(login="root", password="pw")
    host = f"{operator.domain.slug}.localhost"
    url = "/django-admin/login/"

    def admin_login(password: str) -> int:
        client = Client(HTTP_HOST=host, REMOTE_ADDR=ATTACKER)
        client.post(url, {"username": "root", "password": password, "next": "/django-admin/"})
        return client.get("/django-admin/").status_code

    assert admin_login("pw") == 200
    for _attempt in range(6):  # five failures, then one refused without a check
        assert admin_login("wrong") == 302
    assert admin_login("pw") == 302  # refused while the delay runs
    assert LoginFailure.objects.filter(login="root", address=ATTACKER).count() == 5
    assert operator.role == Role.ADMIN
