"""Issue 12 §3: the seed's path. Accueil with "Créer une nouvelle campagne" and "Exploiter les
campagnes" (each entry for those with the right), the campaign card's menu with "Modifier la
campagne", the supervisor's campaigns, and counts that agree with play after a lapsed lock."""

import re
from datetime import timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comptoir.distribution.models import Processing
from comptoir.tenancy.models import Role, Team, User
from comptoir.tickets.models import Ticket
from tests.conftest import Acme
from tests.ui.conftest import add_message, client_for, make_ticket


def admin(acme: Acme) -> User:
    user = User(domain=acme.domain, login="ada", role=Role.ADMIN)
    user.apply_role_rights()
    user.set_password("pw")
    user.save()
    return user


def test_home_entries_follow_the_guide_s_words_for_each_role(acme: Acme) -> None:
    agent = client_for(acme.agent).get(reverse("ui:home")).text
    assert "Accueil" in agent and "Exploiter les campagnes" in agent and "Mes tickets" in agent
    assert "Créer une nouvelle campagne" not in agent and "Gérer les équipes" not in agent
    assert "Tickets signalés" not in agent
    boss = client_for(admin(acme)).get(reverse("ui:home")).text
    assert 'data-testid="home-manage_campaign_create"' in boss
    assert f'href="{reverse("ui:manage_campaign_create")}"' in boss
    assert "Créer une nouvelle campagne" in boss and "Exploiter les campagnes" in boss
    assert "Gérer les équipes" in boss and "Paramètres du domaine" in boss
    sam = client_for(acme.supervisor).get(reverse("ui:home")).text
    assert "Tickets signalés" in sam and "Exploiter les campagnes" in sam
    assert "Créer une nouvelle campagne" not in sam


def test_home_is_for_signed_in_users_and_linked_from_every_page(acme: Acme) -> None:
    response = Client(HTTP_HOST="acme.localhost").get(reverse("ui:home"))
    assert response.status_code == 302 and "/login/" in response["Location"]
    page = client_for(acme.agent).get(reverse("ui:tickets")).text
    assert f'<a class="brand" href="{reverse("ui:home")}" title="Accueil"' in page


def test_campaign_cards_have_a_menu_to_edit_for_those_who_may(acme: Acme) -> None:
    boss = admin(acme)
    Team.objects.get(domain=acme.domain, name="Agents").members.add(boss)
    page = client_for(boss).get(reverse("ui:campaigns")).text
    assert "Exploiter les campagnes" in page
    assert 'data-testid="menu-support"' in page and "Modifier la campagne" in page
    assert f'href="{reverse("ui:manage_info", args=["support"])}"' in page
    assert 'data-testid="play-support"' in page
    agent = client_for(acme.agent).get(reverse("ui:campaigns")).text
    assert "menu-support" not in agent and "Modifier la campagne" not in agent


def test_a_campaign_manager_outside_the_agent_teams_sees_every_card_without_play(
    acme: Acme,
) -> None:
    page = client_for(admin(acme)).get(reverse("ui:campaigns")).text
    assert 'data-testid="campaign-support"' in page and 'data-testid="campaign-orders"' in page
    assert "play-support" not in page and "Aucune campagne" not in page


def test_the_supervisor_lands_on_the_board_of_the_campaigns_their_teams_supervise(
    acme: Acme,
) -> None:
    watchers = Team.objects.create(domain=acme.domain, name="Superviseurs")
    watchers.members.add(acme.supervisor)
    acme.support.supervision_teams.add(watchers)
    make_ticket(acme.support, subject="En attente")
    client = Client(HTTP_HOST="acme.localhost")
    landed = client.post(reverse("ui:login"), {"login": "sam", "password": "pw"})
    assert landed["Location"] == reverse("ui:board")  # issue 13: the board, not the cards
    page = client.get(landed["Location"]).text
    assert "Aucune campagne n'est encore confiée à vos équipes" not in page
    assert 'data-testid="board-support"' in page
    assert re.search(r'data-testid="support-waiting">1\D', page)
    page = client.get(reverse("ui:campaigns")).text
    assert 'data-testid="campaign-support"' in page
    assert re.search(r'data-testid="waiting-support">1\D', page)
    # Not in an agent team: no play button, no "due" count of their own.
    assert "play-support" not in page and "due-support" not in page


def test_a_supervisor_only_member_sees_the_supervised_campaign_only(acme: Acme) -> None:
    lead = User.objects.create_user(domain=acme.domain, login="lea", password="pw", role=Role.AGENT)
    watchers = Team.objects.create(domain=acme.domain, name="Superviseurs")
    watchers.members.add(lead)
    acme.orders.supervision_teams.add(watchers)
    page = client_for(lead).get(reverse("ui:campaigns")).text
    assert 'data-testid="campaign-orders"' in page and "campaign-support" not in page


def lapsed_due_ticket(acme: Acme) -> Ticket:
    """Alice's own ticket, the customer wrote, she was served it, then closed her browser:
    the lock lapsed and nobody pressed play since."""
    ticket = make_ticket(acme.support, subject="Suivi", assignee=acme.agent)
    add_message(ticket)
    Ticket.objects.filter(pk=ticket.pk).update(has_unread=True)
    client = client_for(acme.agent)
    client.post(reverse("ui:play", args=["support"]))
    processing = Processing.objects.get(ticket=ticket, ended_at__isnull=True)
    assert processing.was_unread
    Ticket.objects.filter(pk=ticket.pk).update(locked_until=timezone.now() - timedelta(seconds=5))
    return ticket


def test_after_a_lapsed_lock_the_card_and_my_tickets_say_what_play_serves(acme: Acme) -> None:
    ticket = lapsed_due_ticket(acme)
    client = client_for(acme.agent)
    card = client.get(reverse("ui:campaigns")).text
    # The words are another helper's (issue 12, wording); the figure is what matters here.
    assert re.search(r'data-testid="due-support">1\D', card)
    mine = client.get(reverse("ui:my_tickets")).text
    assert f'data-testid="my-ticket-{ticket.number}" data-state="due"' in mine
    served = client.post(reverse("ui:play", args=["support"]))
    processing = Processing.objects.get(pk=int(served["Location"].strip("/").split("/")[-1]))
    assert processing.ticket_id == ticket.pk
