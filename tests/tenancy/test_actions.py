"""Users and teams change through tenancy.actions; nothing is half-saved."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from comptoir.tenancy import actions
from comptoir.tenancy.actions import PeopleError, UserFields
from comptoir.tenancy.models import AccountEmail, LoginFailure, Role, Team, User
from comptoir.tenancy.throttle import attempt_login, clear_account_failures
from tests.conftest import Acme, make_acme
from tests.tenancy.account_mail_helpers import sent_mail


def test_new_user_gets_the_rights_of_their_role(acme: Acme) -> None:
    user = actions.create_user(
        acme.domain, login="sue", fields=UserFields(role=Role.SUPERVISOR), password=None
    )
    assert (user.can_supervise, user.can_export, user.can_manage_users) == (True, True, False)
    assert not user.has_usable_password()


def test_duplicate_login_in_the_domain_is_refused_but_another_domain_may_use_it(
    acme: Acme,
) -> None:
    with pytest.raises(PeopleError):
        actions.create_user(acme.domain, login="alice", fields=UserFields())
    globex = make_acme("globex")
    assert User.objects.filter(login="alice", domain=globex.domain).exists()


def test_weak_password_is_refused_and_no_user_is_saved(acme: Acme) -> None:
    with pytest.raises(ValidationError):
        actions.create_user(acme.domain, login="weak", fields=UserFields(), password="1234")
    assert not User.objects.filter(login="weak").exists()


def test_explicit_rights_replace_the_role_rights(acme: Acme) -> None:
    fields = UserFields(role=Role.AGENT, rights=frozenset({"can_process", "can_export"}))
    actions.update_user(acme.agent, fields, by=acme.supervisor)
    acme.agent.refresh_from_db()
    assert acme.agent.can_export and not acme.agent.can_supervise


def test_nobody_removes_their_own_user_management_nor_deactivates_themselves(acme: Acme) -> None:
    admin = actions.create_user(acme.domain, login="ada", fields=UserFields(role=Role.ADMIN))
    with pytest.raises(PeopleError):
        actions.update_user(admin, UserFields(rights=frozenset()), by=admin)
    with pytest.raises(PeopleError):
        actions.deactivate_user(admin, by=admin)
    admin.refresh_from_db()
    assert admin.can_manage_users and admin.is_active


def test_deactivated_user_stays_and_can_be_reactivated(acme: Acme) -> None:
    actions.deactivate_user(acme.agent, by=acme.supervisor)
    assert not User.objects.get(pk=acme.agent.pk).is_active
    actions.reactivate_user(acme.agent)
    assert User.objects.get(pk=acme.agent.pk).is_active


def test_invitation_mail_links_to_the_domains_own_address(acme: Acme) -> None:
    acme.agent.email = "alice@acme.test"
    acme.agent.save()
    actions.invite_user(acme.agent)
    (sent,) = sent_mail()
    assert sent.to == ["alice@acme.test"]
    assert "http://acme.localhost:8000/invitation/" in sent.body
    acme.domain.hostnames.create(hostname="support.acme.example")
    actions.invite_user(acme.agent)
    assert "https://support.acme.example/invitation/" in sent_mail()[1].body


def test_invitation_needs_an_email_address(acme: Acme) -> None:
    with pytest.raises(PeopleError):
        actions.invite_user(acme.agent)
    assert sent_mail() == [] and not AccountEmail.objects.exists()


def test_team_names_are_unique_per_domain_and_members_stay_in_the_domain(acme: Acme) -> None:
    with pytest.raises(PeopleError):
        actions.create_team(acme.domain, name="Agents")
    team = actions.create_team(acme.domain, name="Night")
    globex = make_acme("globex")
    with pytest.raises(PeopleError):
        actions.set_team_members(team, [acme.agent, globex.agent])
    assert list(team.members.all()) == []
    actions.set_team_members(team, [acme.agent, acme.supervisor])
    assert team.members.count() == 2


def test_a_team_given_to_a_campaign_is_not_deleted(acme: Acme) -> None:
    agents = Team.objects.get(domain=acme.domain, name="Agents")
    with pytest.raises(PeopleError):
        actions.delete_team(agents)
    acme.support.agent_teams.clear()
    acme.orders.agent_teams.clear()
    acme.orders.supervision_teams.add(agents)
    with pytest.raises(PeopleError):
        actions.delete_team(agents)
    acme.orders.supervision_teams.clear()
    actions.delete_team(agents)
    assert not Team.objects.filter(pk=agents.pk).exists()


def guess(domain, login: str = "alice", *, at, address: str = "203.0.113.9") -> int:  # type: ignore[no-untyped-def]
    """Seconds to wait, or 0 when the (wrong) password was checked."""
    return attempt_login(domain, login=login, password="no", address=address, now=at).wait


def test_five_failures_of_a_login_from_an_address_delay_only_that_pair(acme: Acme) -> None:
    start = timezone.now()
    for minute in range(5):
        assert guess(acme.domain, at=start + timedelta(minutes=minute)) == 0
    last = start + timedelta(minutes=4)
    assert guess(acme.domain, at=last) == 1
    # Another login, the same login from elsewhere or in another domain: no delay.
    assert guess(acme.domain, "sam", at=last) == 0
    assert guess(acme.domain, at=last, address="198.51.100.4") == 0
    assert guess(make_acme("globex").domain, at=last) == 0
    clear_account_failures(acme.domain, "alice")
    assert not LoginFailure.objects.filter(domain=acme.domain, login="alice").exists()


def test_failures_spread_over_more_than_the_window_do_not_delay(acme: Acme) -> None:
    start = timezone.now()
    for step in range(5):
        assert guess(acme.domain, at=start + timedelta(minutes=13 * step)) == 0
    assert guess(acme.domain, at=start + timedelta(minutes=65)) == 0
