"""The supervision board's pages: who sees which campaigns, the live fragment and its
conditional requests (ETag, If-None-Match, 304), the landing after login, French and English."""

import re

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comptoir.campaigns.models import Campaign
from comptoir.distribution.actions import claim_next_ticket
from comptoir.supervision.board import forget_board
from comptoir.tenancy.models import Role, Team, User
from comptoir.tickets.models import RawMessage, RawState, Ticket
from tests.conftest import Acme, make_acme
from tests.test_isolation import RIGHTS
from tests.ui.conftest import client_for, make_ticket

BOARD = "/supervision/"
LIVE = {"HX-Request": "true"}


def team_supervisor(acme: Acme, campaign: Campaign) -> User:
    """Seated in the campaign's supervision team, without the right to supervise everything."""
    user = User.objects.create_user(
        domain=acme.domain, login="serge", password="pw", role=Role.AGENT, can_process=False
    )
    team = Team.objects.create(domain=acme.domain, name=f"Supervision {campaign.slug}")
    team.members.add(user)
    campaign.supervision_teams.add(team)
    return user


def administrator(acme: Acme) -> User:
    return User.objects.create_user(
        domain=acme.domain, login="ada", password="pw", role=Role.ADMIN, **RIGHTS
    )


def number_of(page: str, testid: str) -> int:
    found = re.search(rf'data-testid="{testid}">(\d+)<', page)
    assert found, testid
    return int(found.group(1))


def test_an_agent_gets_the_refusal_page_of_the_rest_of_the_ui(acme: Acme) -> None:
    client = client_for(acme.agent)
    answer = client.get(BOARD)
    assert answer.status_code == 403
    assert "<main" in answer.text  # the UI's error page, in the layout
    # A campaign's board does not exist for them.
    assert client.get("/supervision/campaigns/support/").status_code == 404


def test_a_team_supervisor_sees_only_the_campaigns_their_teams_supervise(acme: Acme) -> None:
    client = client_for(team_supervisor(acme, acme.support))
    page = client.get(BOARD).text
    assert 'data-testid="board-support"' in page
    assert 'data-testid="board-orders"' not in page
    assert 'data-testid="board-quarantine"' not in page  # the quarantine is refused to them
    assert client.get("/supervision/campaigns/support/").status_code == 200
    assert client.get("/supervision/campaigns/orders/").status_code == 404
    assert client.get("/supervision/campaigns/orders/", headers=LIVE).status_code == 404
    assert client.get("/supervision/campaigns/nothing/").status_code == 404


def test_an_administrator_sees_every_campaign_and_the_quarantine(acme: Acme) -> None:
    RawMessage.objects.create(domain=acme.domain, content=b"x", size=1, state=RawState.QUARANTINED)
    make_ticket(acme.orders)
    page = client_for(administrator(acme)).get(BOARD).text
    assert 'data-testid="board-support"' in page and 'data-testid="board-orders"' in page
    assert number_of(page, "orders-waiting") == 1
    assert number_of(page, "support-waiting") == 0
    assert "1 message en quarantaine" in page


def test_another_domains_campaign_does_not_exist(acme: Acme) -> None:
    make_acme("globex")
    assert client_for(acme.supervisor).get("/supervision/campaigns/support/").status_code == 200
    globex = User.objects.get(domain__slug="globex", login="sam")
    other = Campaign.objects.create(domain=globex.domain, slug="ventes", name="Ventes")
    answer = client_for(acme.supervisor).get(f"/supervision/campaigns/{other.slug}/")
    assert answer.status_code == 404


def test_the_live_fragment_answers_304_while_nothing_changed(acme: Acme) -> None:
    client = client_for(acme.supervisor)
    first = client.get(BOARD, headers=LIVE)
    assert first.status_code == 200
    assert "<html" not in first.text and 'id="board-live"' in first.text
    etag = first["ETag"]
    assert etag in first.text.replace("\\", "")  # sent back by htmx as If-None-Match
    assert first["Cache-Control"] == "no-cache, private"
    again = client.get(BOARD, headers={**LIVE, "If-None-Match": etag})
    assert (again.status_code, again.content, again["ETag"]) == (304, b"", etag)
    make_ticket(acme.support)
    forget_board()  # the figures are shared for two seconds
    changed = client.get(BOARD, headers={**LIVE, "If-None-Match": etag})
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert number_of(changed.text, "support-waiting") == 1
    # A plain request always gets the whole page.
    whole = client.get(BOARD, headers={"If-None-Match": changed["ETag"]})
    assert whole.status_code == 200 and "<html" in whole.text


def test_the_etag_follows_the_readers_language(acme: Acme) -> None:
    client = client_for(acme.supervisor)
    french = client.get(BOARD, headers=LIVE)
    acme.supervisor.language = "en"
    acme.supervisor.save(update_fields=["language"])
    english = client.get(BOARD, headers={**LIVE, "If-None-Match": french["ETag"]})
    assert english.status_code == 200 and "Waiting now" in english.text
    assert "En attente maintenant" in french.text


def test_the_board_in_processing_row_links_to_the_ticket_and_unlocks_it(acme: Acme) -> None:
    ticket = make_ticket(acme.support)
    claim_next_ticket(acme.agent, acme.support)
    client = client_for(acme.supervisor)
    page = client.get(BOARD).text
    assert number_of(page, "support-processing") == 1
    assert f'href="{reverse("ui:ticket", args=[ticket.number])}"' in page
    answer = client.post(reverse("ui:unlock", args=[ticket.number]), {"next": BOARD}, headers={})
    assert answer.status_code == 302 and answer["Location"] == BOARD
    assert Ticket.objects.get(pk=ticket.pk).locked_by is None


def test_english_and_french_pages_name_every_figure(acme: Acme) -> None:
    client = client_for(acme.supervisor)
    french = client.get(BOARD).text
    for words in (
        "En attente maintenant",
        "En traitement",
        "Bloqués",
        "Reçus aujourd",
        "Clos aujourd",
    ):
        assert words in french, words
    acme.supervisor.language = "en"
    acme.supervisor.save(update_fields=["language"])
    english = client.get(BOARD).text
    for words in ("Waiting now", "In processing", "Blocked", "Received today", "Closed today"):
        assert words in english, words


def test_a_supervisor_lands_on_the_board_after_login(acme: Acme) -> None:
    client = Client(HTTP_HOST="acme.localhost")
    answer = client.post(reverse("ui:login"), {"login": "sam", "password": "pw"})
    assert answer["Location"] == reverse("ui:board")
    team_supervisor(acme, acme.orders)
    client = Client(HTTP_HOST="acme.localhost")
    answer = client.post(reverse("ui:login"), {"login": "serge", "password": "pw"})
    assert answer["Location"] == reverse("ui:board")
    client = Client(HTTP_HOST="acme.localhost")
    answer = client.post(reverse("ui:login"), {"login": "alice", "password": "pw"})
    assert answer["Location"] == reverse("ui:campaigns")


def test_the_home_page_and_the_supervision_menu_lead_to_the_board(acme: Acme) -> None:
    page = client_for(acme.supervisor).get(reverse("ui:home")).text
    assert 'data-testid="home-board"' in page and 'data-testid="nav-board"' in page
    page = client_for(acme.agent).get(reverse("ui:home")).text
    assert 'data-testid="home-board"' not in page


def test_the_agents_table_shows_states_and_links_to_the_forcing_pages(acme: Acme) -> None:
    from comptoir.supervision import states
    from comptoir.supervision.models import PauseReason

    forget_board()
    make_ticket(acme.support)
    ticket = claim_next_ticket(acme.agent, acme.support).ticket
    assert ticket is not None
    client = client_for(acme.supervisor)
    first = client.get(BOARD, headers=LIVE)
    row = f"agent-{acme.agent.pk}"
    assert 'data-testid="board-agents"' in first.text
    assert "En traitement" in first.text and f"#{ticket.number}" in first.text
    pause = reverse("ui:force_pause", args=[acme.agent.pk]) + "?next=/supervision/"
    out = reverse("ui:force_out_of_play", args=[acme.agent.pk]) + "?next=/supervision/"
    assert pause in first.text and out in first.text
    assert "Mettre en pause" in first.text and "Sortir du jeu" in first.text
    assert f'data-testid="{row}-count">0<' in first.text
    lunch = PauseReason.objects.get(domain=acme.domain, label="Déjeuner")
    states.force_pause(acme.agent, reason=lunch, by=acme.supervisor, now=timezone.now())
    forget_board()
    changed = client.get(BOARD, headers={**LIVE, "If-None-Match": first["ETag"]})
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]  # the ETag covers it
    assert "En pause (Déjeuner)" in changed.text
    assert f'data-testid="{row}-count">1<' in changed.text  # her ticket went back
    assert pause not in changed.text and out in changed.text  # already paused
    acme.supervisor.language = "en"
    acme.supervisor.save(update_fields=["language"])
    english = client.get(BOARD).text
    for words in ("Paused (Déjeuner)", "Processings today", "Average handling time", "Take out"):
        assert words in english, words
