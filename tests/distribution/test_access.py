"""Who may see, open and play what (tickets.access): always within the user's domain."""

from datetime import datetime

from comptoir.campaigns.models import Campaign
from comptoir.tenancy.models import Role, Team, User
from comptoir.tickets.access import (
    may_open,
    playable_campaigns,
    supervises,
    visible_campaigns,
    visible_tickets,
)
from comptoir.tickets.models import Contact, Ticket
from tests.conftest import Acme, make_acme
from tests.distribution.conftest import customer_writes, served


def sales_campaign(acme: Acme) -> Campaign:
    """A campaign given to no team of Alice's."""
    return Campaign.objects.create(domain=acme.domain, slug="sales", name="Ventes")


def sales_ticket(acme: Acme, sales: Campaign) -> Ticket:
    contact = Contact.objects.create(domain=acme.domain, email="lea@exemple.fr")
    return Ticket.objects.create(domain=acme.domain, number=99, campaign=sales, contact=contact)


def test_an_agent_sees_only_the_campaigns_given_to_their_teams(acme: Acme) -> None:
    sales = sales_campaign(acme)
    assert set(visible_campaigns(acme.agent)) == {acme.support, acme.orders}
    assert set(playable_campaigns(acme.agent)) == {acme.support, acme.orders}
    ticket = sales_ticket(acme, sales)
    assert not may_open(acme.agent, ticket)
    # Issue 13 (was: the supervise right opened every campaign's tickets): sam's team does
    # not supervise sales, so its assigned ticket is not his; an administrator's it is.
    assert not may_open(acme.supervisor, ticket)
    admin = User.objects.create_user(
        domain=acme.domain, login="ada", password="pw", role=Role.ADMIN, can_supervise=True
    )
    assert may_open(admin, ticket)


def test_a_user_in_two_teams_of_a_campaign_sees_it_once(acme: Acme) -> None:
    second = Team.objects.create(domain=acme.domain, name="Renforts")
    second.members.add(acme.agent)
    acme.support.agent_teams.add(second)
    assert list(playable_campaigns(acme.agent)).count(acme.support) == 1
    assert list(visible_campaigns(acme.agent)).count(acme.support) == 1


def test_a_ticket_assigned_to_someone_else_exists_only_for_its_assignee_and_supervisors(
    acme: Acme, bob: User
) -> None:
    ticket = customer_writes(acme)
    Ticket.objects.filter(pk=ticket.pk).update(assignee=bob)
    assert not may_open(acme.agent, ticket)
    assert ticket not in visible_tickets(acme.agent)
    assert may_open(bob, ticket)
    assert may_open(acme.supervisor, ticket)


def test_a_seat_in_a_supervision_team_opens_the_campaign_s_assigned_tickets(
    acme: Acme, bob: User
) -> None:
    leads = Team.objects.create(domain=acme.domain, name="Chefs d'équipe")
    leads.members.add(acme.agent)
    acme.support.supervision_teams.add(leads)
    ticket = customer_writes(acme)
    Ticket.objects.filter(pk=ticket.pk).update(assignee=bob)
    assert may_open(acme.agent, ticket)
    assert supervises(acme.agent, acme.support)
    assert not supervises(acme.agent, acme.orders)
    order = customer_writes(acme, "Commande", to="orders@acme.test")
    Ticket.objects.filter(pk=order.pk).update(assignee=bob)
    assert not may_open(acme.agent, order)


def test_nothing_of_another_domain_is_visible_even_to_a_supervisor(acme: Acme) -> None:
    globex = make_acme("globex")
    theirs = customer_writes(globex, "Chez Globex", to="support@globex.test")
    assert not may_open(acme.supervisor, theirs)
    assert not may_open(acme.agent, theirs)
    assert not supervises(acme.supervisor, globex.support)
    assert globex.support not in visible_campaigns(acme.supervisor)
    assert globex.support not in playable_campaigns(acme.agent)


def test_a_supervisor_outside_the_agent_teams_may_see_but_not_play(acme: Acme) -> None:
    assert set(visible_campaigns(acme.supervisor)) == {acme.support, acme.orders}
    assert not playable_campaigns(acme.supervisor).exists()


def test_a_user_without_the_process_right_plays_nothing(acme: Acme) -> None:
    viewer = User.objects.create_user(
        domain=acme.domain, login="vera", password="pw", role=Role.AGENT, can_process=False
    )
    Team.objects.get(domain=acme.domain, name="Agents").members.add(viewer)
    assert not playable_campaigns(viewer).exists()
    assert set(visible_campaigns(viewer)) == {acme.support, acme.orders}


def test_a_deactivated_supervisor_supervises_nothing(acme: Acme) -> None:
    acme.supervisor.is_active = False
    acme.supervisor.save()
    assert not supervises(acme.supervisor, acme.support)


def test_a_ticket_still_being_created_is_invisible(acme: Acme, clock: datetime) -> None:
    contact = Contact.objects.create(domain=acme.domain, email="lea@exemple.fr")
    unnumbered = Ticket.objects.create(domain=acme.domain, campaign=acme.support, contact=contact)
    assert not may_open(acme.supervisor, unnumbered)
    assert not may_open(acme.agent, unnumbered)
    assert served(acme.agent, acme.support, clock) is None
