"""Password reset emails asked for on the login page: at most three to one login an hour,
counted in the database, and the page answers the same way past the limit."""

import logging
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comptoir.tenancy.models import PasswordResetEmail
from tests.conftest import Acme, make_acme
from tests.tenancy.account_mail_helpers import sent_mail


@pytest.fixture
def browser(acme: Acme) -> Client:
    acme.agent.email = "alice@acme.test"
    acme.agent.save()
    acme.supervisor.email = "sam@acme.test"
    acme.supervisor.save()
    return Client(HTTP_HOST="acme.localhost:8000")


def ask(browser: Client, login_or_email: str) -> str:
    response = browser.post(reverse("ui:password_reset"), {"login_or_email": login_or_email})
    assert response.status_code == 200
    return response.text.split("<main", 1)[1]


def test_a_fourth_reset_email_within_the_hour_is_not_sent(
    acme: Acme, browser: Client, caplog: pytest.LogCaptureFixture
) -> None:
    answers = {ask(browser, "alice"), ask(browser, "ALICE@acme.test"), ask(browser, "alice")}
    assert [m.to for m in sent_mail()] == [["alice@acme.test"]] * 3
    with caplog.at_level(logging.WARNING, logger="comptoir.tenancy.reset_limit"):
        answers.add(ask(browser, "alice"))
    assert len(sent_mail()) == 3
    assert "not sent" in caplog.text
    # The same page every time, and the same as for a login that does not exist.
    answers.add(ask(browser, "nobody"))
    assert len(answers) == 1
    # Another login still gets its email.
    ask(browser, "sam")
    assert sent_mail()[-1].to == ["sam@acme.test"] and len(sent_mail()) == 4


def test_the_limit_is_per_domain(acme: Acme, browser: Client) -> None:
    for _ in range(3):
        ask(browser, "alice")
    globex = make_acme("globex")
    globex.agent.email = "alice@globex.test"
    globex.agent.save()
    response = Client(HTTP_HOST="localhost").post(
        reverse("ui:password_reset"), {"domain": "globex", "login_or_email": "alice"}
    )
    assert response.status_code == 200
    assert sent_mail()[-1].to == ["alice@globex.test"] and len(sent_mail()) == 4


def test_resets_are_sent_again_an_hour_later(acme: Acme, browser: Client) -> None:
    for _ in range(4):
        ask(browser, "alice")
    assert len(sent_mail()) == 3
    sent = PasswordResetEmail.objects.filter(domain=acme.domain, login="alice")
    assert sent.count() == 3  # the refused request left no row
    oldest = sent.order_by("at").first()
    assert oldest is not None
    oldest.at -= timedelta(hours=1, seconds=1)
    oldest.save()
    ask(browser, "alice")
    assert len(sent_mail()) == 4
    ask(browser, "alice")
    assert len(sent_mail()) == 4  # the other two still count
    sent.update(at=timezone.now() - timedelta(hours=2))
    ask(browser, "alice")
    assert len(sent_mail()) == 5
    assert sent.count() == 1  # the stale rows are gone
