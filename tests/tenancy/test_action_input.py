"""Users and teams: the actions check their own input (issue 12 §2) and refuse with a
ValidationError by field; a team's rename and members are one action; logging in is one
action (tenancy.login.log_in) with the throttle's delays."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from pytest_django.fixtures import Settings

from comptoir.settings import login_window_and_delay
from comptoir.tenancy import actions
from comptoir.tenancy.actions import PeopleError, UserFields
from comptoir.tenancy.login import log_in
from comptoir.tenancy.models import LoginFailure, Team, User
from tests.conftest import Acme, make_acme

LONG = "x" * 201


@pytest.mark.parametrize(
    ("login", "fields", "field"),
    [
        ("", UserFields(), "login"),
        ("l" * 151, UserFields(), "login"),
        ("bob", UserFields(email="not an address"), "email"),
        ("bob", UserFields(display_name=LONG), "display_name"),
        ("bob", UserFields(language="klingon"), "language"),
        ("bob", UserFields(role="emperor"), "role"),
    ],
)
def test_new_users_are_checked(acme: Acme, login: str, fields: UserFields, field: str) -> None:
    with transaction.atomic(), pytest.raises(ValidationError) as caught:
        actions.create_user(acme.domain, login=login, fields=fields)
    assert field in caught.value.message_dict
    assert not User.objects.filter(domain=acme.domain, login=login).exists()


def test_user_changes_are_checked(acme: Acme) -> None:
    bad = [
        UserFields(email="x" * 250 + "@acme.test"),
        UserFields(role="root"),
        UserFields(rights=frozenset({"can_launch_rockets"})),
    ]
    for fields in bad:
        with pytest.raises(PeopleError) as caught:
            actions.update_user(acme.agent, fields, by=acme.supervisor)
        assert isinstance(caught.value, ValidationError)
    acme.agent.refresh_from_db()
    assert (acme.agent.email, acme.agent.role) == ("", "agent")


@pytest.mark.parametrize("name", ["", "   ", LONG])
def test_team_names_are_checked(acme: Acme, name: str) -> None:
    with pytest.raises(ValidationError) as caught:
        actions.create_team(acme.domain, name=name)
    assert "name" in caught.value.message_dict
    team = Team.objects.get(domain=acme.domain, name="Agents")
    with pytest.raises(ValidationError):
        actions.rename_team(team, name=name)
    team.refresh_from_db()
    assert team.name == "Agents"


def test_a_refusal_reads_as_its_message(acme: Acme) -> None:
    """The views and `create-domain` show str(error): the sentence, not a list's repr."""
    with translation.override("en"), pytest.raises(PeopleError) as caught:
        actions.create_team(acme.domain, name="Agents")
    assert str(caught.value) == "A team named Agents already exists."


def test_a_teams_rename_and_members_are_one_action_both_or_neither(acme: Acme) -> None:
    team = Team.objects.get(domain=acme.domain, name="Agents")
    globex = make_acme("globex")
    with pytest.raises(PeopleError):
        actions.update_team(team, name="Jour", members=[acme.agent, globex.agent])
    assert team.name == "Agents"  # the object too: the page shows the saved name
    team.refresh_from_db()
    assert (team.name, list(team.members.all())) == ("Agents", [acme.agent])
    actions.update_team(team, name="Jour", members=[acme.supervisor])
    team.refresh_from_db()
    assert (team.name, list(team.members.all())) == ("Jour", [acme.supervisor])


def test_logging_in_is_one_action_with_the_throttles_delays(acme: Acme) -> None:
    now = timezone.now()
    opened = log_in(acme.domain, login="alice", password="pw", address="192.0.2.1", now=now)
    assert opened.user == acme.agent
    # No domain named by the address: the slug typed; an unknown one is a wrong password.
    assert log_in(None, domain_slug="acme", login="alice", password="pw", address=None).user
    unknown = log_in(None, domain_slug="nope", login="alice", password="pw", address=None)
    assert (unknown.user, unknown.wait) == (None, 0)
    for _ in range(5):
        log_in(acme.domain, login="alice", password="no", address="192.0.2.9", now=now)
    # Five failures from that address: the right password waits too (it is not checked).
    held = log_in(acme.domain, login="alice", password="pw", address="192.0.2.9", now=now)
    assert (held.user, held.wait > 0) == (None, True)
    assert LoginFailure.objects.filter(domain=acme.domain, login="alice").count() == 5


def test_the_login_window_and_the_longest_delay_are_two_settings() -> None:
    """The old COMPTOIR_LOCKOUT_MINUTES set both; still honoured, as the default of each."""
    assert login_window_and_delay({}) == (timedelta(minutes=60), 900)
    both = {"COMPTOIR_LOGIN_WINDOW_MINUTES": "30", "COMPTOIR_LOGIN_MAX_DELAY": "120"}
    assert login_window_and_delay(both) == (timedelta(minutes=30), 120)
    assert login_window_and_delay({"COMPTOIR_LOCKOUT_MINUTES": "15"}) == (
        timedelta(minutes=15),
        900,
    )
    old_and_new = {"COMPTOIR_LOCKOUT_MINUTES": "15", "COMPTOIR_LOGIN_MAX_DELAY": "60"}
    assert login_window_and_delay(old_and_new) == (timedelta(minutes=15), 60)


def test_the_window_and_the_delay_act_apart(acme: Acme, settings: Settings) -> None:
    """Fifteen failures two minutes ago: the window decides whether they count, the cap how
    long they hold the login (2**10 s, capped)."""
    then = timezone.now() - timedelta(minutes=2)
    for _ in range(15):
        LoginFailure.objects.create(domain=acme.domain, login="alice", address="192.0.2.7", at=then)

    def wait(window_minutes: int, cap: int) -> int:
        settings.COMPTOIR_LOGIN_WINDOW = timedelta(minutes=window_minutes)
        settings.COMPTOIR_LOGIN_MAX_DELAY = cap
        return log_in(acme.domain, login="alice", password="x", address="192.0.2.7").wait

    assert 770 < wait(60, 900) <= 780
    assert 170 < wait(60, 300) <= 180
    assert wait(60, 60) == 0  # held a minute at most: over
    assert wait(1, 900) == 0  # outside the window: they no longer count
