"""Users and teams: the actions check their own input (issue 12 §2) and refuse with a
ValidationError by field; a team's rename and members are one action; logging in is one
action (tenancy.login.log_in) with the throttle's delays."""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation

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
    team = Team.objects.get(domain=acme.domain)
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
    team = Team.objects.get(domain=acme.domain)
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
