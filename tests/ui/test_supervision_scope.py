"""Issue 13, "Rights": a supervisor sees and steers only the campaigns their supervision
teams supervise (404 for the others: the board, the reports' and exports' filters, the
tickets); an administrator, every campaign of the domain; an agent, neither board nor
reports. The right to supervise alone gives no campaign."""

import pytest
from django.test import Client
from django.urls import reverse

from comptoir.tenancy.models import Role, Team, User
from comptoir.tickets.access import supervised_campaigns, supervises
from comptoir.tickets.models import Ticket
from tests.conftest import Acme
from tests.ui.conftest import client_for, make_ticket

REPORT = {
    "period": "custom",
    "first_day": "2026-11-02",
    "last_day": "2026-11-02",
    "step": "hour",
}


def person(acme: Acme, login: str, role: str, **rights: bool) -> User:
    user = User(domain=acme.domain, login=login, role=role)
    user.apply_role_rights()
    for right, value in rights.items():
        setattr(user, right, value)
    user.set_password("pw")
    user.save()
    return user


@pytest.fixture
def sue(acme: Acme) -> User:
    """A supervisor (the role's rights) whose one team supervises `support` only."""
    user = person(acme, "sue", Role.SUPERVISOR)
    team = Team.objects.create(domain=acme.domain, name="Superviseurs support")
    team.members.add(user)
    acme.support.supervision_teams.add(team)
    return user


@pytest.fixture
def ada(acme: Acme) -> User:
    return person(acme, "ada", Role.ADMIN)


def flagged(acme: Acme, subject: str, campaign_slug: str) -> Ticket:
    campaign = acme.support if campaign_slug == "support" else acme.orders
    ticket = make_ticket(campaign, subject=subject)
    Ticket.objects.filter(pk=ticket.pk).update(flagged=True, attempts=5)
    ticket.refresh_from_db()
    return ticket


def get(client: Client, name: str, *args: object, **query: object) -> int:
    return client.get(reverse(f"ui:{name}", args=args), query).status_code


def test_the_rule_in_the_core(acme: Acme, sue: User, ada: User) -> None:
    assert list(supervised_campaigns(sue)) == [acme.support]
    assert not supervises(sue, acme.orders) and supervises(sue, acme.support)
    assert set(supervised_campaigns(ada)) == {acme.support, acme.orders}
    manager = person(acme, "max", Role.SUPERVISOR, can_manage_campaigns=True)
    assert set(supervised_campaigns(manager)) == {acme.support, acme.orders}
    # The right alone gives nothing; an agent supervises nothing; nor does an inactive user.
    lonely = person(acme, "lonely", Role.SUPERVISOR)
    assert not supervised_campaigns(lonely).exists() and not supervises(lonely, acme.support)
    assert not supervised_campaigns(acme.agent).exists()
    ada.is_active = False
    assert not supervised_campaigns(ada).exists()


def test_a_supervisor_sees_only_their_campaigns_on_the_board(
    acme: Acme, sue: User, ada: User
) -> None:
    client = client_for(sue)
    page = client.get(reverse("ui:board")).text
    assert 'data-testid="board-support"' in page and 'data-testid="board-orders"' not in page
    assert get(client, "board_campaign", "support") == 200
    assert get(client, "board_campaign", "orders") == 404
    admin = client_for(ada).get(reverse("ui:board")).text
    assert 'data-testid="board-support"' in admin and 'data-testid="board-orders"' in admin
    assert get(client_for(ada), "board_campaign", "orders") == 200


def test_reports_and_exports_refuse_another_campaign(acme: Acme, sue: User, ada: User) -> None:
    client = client_for(sue)
    page = client.get(reverse("ui:reports"), REPORT).text
    assert "Support" in page and "Commandes" not in page
    assert get(client, "reports", **REPORT, campaign=acme.orders.pk) == 404
    assert get(client, "reports", **REPORT, campaign=acme.support.pk) == 200
    period = {key: value for key, value in REPORT.items() if key != "step"}
    download = {**period, "download": "1", "format": "csv-semicolon"}
    assert get(client, "exports", **download, campaign=acme.support.pk) == 200
    # The exports form offers only the supervised campaigns: another is refused as a
    # choice not in the list (400), nothing is streamed.
    refused = client.get(reverse("ui:exports"), {**download, "campaign": acme.orders.pk})
    assert refused.status_code == 400 and "Content-Disposition" not in refused
    assert "Commandes" not in client.get(reverse("ui:exports")).text
    admin = client_for(ada)
    assert "Commandes" in admin.get(reverse("ui:reports"), REPORT).text
    assert get(admin, "reports", **REPORT, campaign=acme.orders.pk) == 200
    assert "Commandes" in admin.get(reverse("ui:exports")).text


def test_a_ticket_of_another_campaign_is_not_found(acme: Acme, sue: User, ada: User) -> None:
    mine = flagged(acme, "Colis abîmé", "support")
    theirs = flagged(acme, "Commande bloquée", "orders")
    client = client_for(sue)
    page = client.get(reverse("ui:flagged")).text
    assert "Colis abîmé" in page and "Commande bloquée" not in page
    assert get(client, "ticket", theirs.number) == 404
    for name in ("requeue", "unlock", "unassign", "reassign"):
        assert client.post(reverse(f"ui:{name}", args=[theirs.number])).status_code == 404
    assert client.post(reverse("ui:requeue", args=[mine.number])).status_code == 302
    admin = client_for(ada)
    assert "Commande bloquée" in admin.get(reverse("ui:flagged")).text
    assert admin.post(reverse("ui:requeue", args=[theirs.number])).status_code == 302


def test_a_supervisor_with_no_team_sees_an_empty_board_and_agents_are_refused(
    acme: Acme,
) -> None:
    lonely = person(acme, "lonely", Role.SUPERVISOR)
    page = client_for(lonely, "").get(reverse("ui:board"), HTTP_ACCEPT_LANGUAGE="fr")
    assert page.status_code == 200
    assert 'data-testid="board-no-campaign"' in page.text
    assert 'data-testid="board-support"' not in page.text
    assert "Commandes" not in client_for(lonely).get(reverse("ui:reports"), REPORT).text
    agent = client_for(acme.agent)
    assert get(agent, "board") == 403
    assert get(agent, "reports") == 403
    assert get(agent, "board_campaign", "support") == 404
