"""What new users met (issue 12 §3): the new user's role, the team members' checkboxes, and
the French wording (plural forms, doubled words, a domain the login page does not ask for)."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comptoir.imports.models import ImportJob
from comptoir.tenancy.models import Role, Team, User
from tests.conftest import Acme
from tests.ui.conftest import client_for, make_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def ada(acme: Acme) -> User:
    admin = User.objects.create_user(
        domain=acme.domain, login="ada", password="pw", role=Role.ADMIN
    )
    admin.apply_role_rights()
    admin.save()
    return admin


def test_a_new_user_is_an_agent_unless_said_otherwise(ada: User) -> None:
    page = client_for(ada).get(reverse("ui:user_create")).text
    assert '<option value="agent" selected>' in page
    assert '<option value="admin" selected>' not in page


def test_team_members_are_checkboxes_and_each_click_keeps_the_others(acme: Acme, ada: User) -> None:
    team = Team.objects.create(domain=acme.domain, name="Équipe SAV")
    team.members.add(acme.agent)
    page = client_for(ada).get(reverse("ui:team_edit", args=[team.pk])).text
    assert "<select" not in page.split('data-testid="team-members"')[1].split("</fieldset>")[0]
    assert f'type="checkbox" name="members" value="{acme.agent.pk}"' in page
    assert "checked" in page.split(f'value="{acme.agent.pk}"')[1].split(">")[0]
    assert f'type="checkbox" name="members" value="{acme.supervisor.pk}"' in page


def test_a_team_named_equipe_is_not_called_equipe_equipe(acme: Acme, ada: User) -> None:
    client = client_for(ada)
    response = client.post(reverse("ui:team_create"), {"name": "Équipe SAV"}, follow=True)
    assert "Équipe Équipe" not in response.text
    assert "L’équipe « Équipe SAV » est créée" in response.text
    assert "<h1>Équipe SAV</h1>" in response.text


def test_the_console_counts_the_attempt_in_progress(acme: Acme) -> None:
    make_ticket(acme.support)
    client = client_for(acme.agent)
    page = client.post(reverse("ui:play", args=["support"]), follow=True).text
    assert "Tentative 1 sur" in page and "Tentative 0 sur" not in page


def test_no_ticket_due_reads_well_in_french(acme: Acme) -> None:
    page = client_for(acme.agent).get(reverse("ui:campaigns")).text
    assert "0 ticket à traiter pour vous" in page
    assert "de vos tickets est à traiter" not in page


def test_import_counts_agree_with_their_number(acme: Acme, ada: User) -> None:
    ImportJob.objects.create(
        domain=acme.domain,
        campaign=acme.support,
        kind="mail",
        filename="mails.zip",
        state="done",
        created_count=2,
        appended_count=1,
        duplicate_count=0,
        failed_count=3,
        created_at=timezone.now(),
    )
    page = client_for(ada).get(reverse("ui:imports", args=["support"])).text
    assert "2 créés, 1 rattaché, 0 en double, 3 en échec" in page
    assert "1 rattachés" not in page


def test_assigning_oneself_says_it_once(acme: Acme) -> None:
    ticket = make_ticket(acme.support)
    client = client_for(acme.agent)
    page = client.post(reverse("ui:assign", args=[ticket.number]), follow=True).text
    assert page.count("vous est affecté") == 1
    assert "C’est fait : vous seul recevrez ce ticket" in page


def test_assigning_oneself_says_it_once_in_english_too(acme: Acme) -> None:
    ticket = make_ticket(acme.support)
    client = client_for(acme.agent)
    client.cookies["django_language"] = "en"
    page = client.post(reverse("ui:assign", args=[ticket.number]), follow=True).text
    assert page.lower().count("assigned to you") == 1
    assert "only you will be served this ticket" in page
    client.post(reverse("ui:remove_assignment", args=[ticket.number]))
    # The console's panel, swapped by htmx, says it once as well.
    panel = client.post(reverse("ui:assign", args=[ticket.number]), HTTP_HX_REQUEST="true").text
    assert panel.lower().count("assigned to you") == 1


def test_the_login_page_on_a_domains_address_does_not_mention_a_domain(acme: Acme) -> None:
    client = Client(HTTP_HOST="acme.localhost")
    page = client.post(reverse("ui:login"), {"login": "alice", "password": "wrong"}).text
    assert "Vérifiez votre identifiant et votre mot de passe" in page
    assert "domaine" not in page.split('role="alert"')[1].split("</p>")[0]
    # Where the form asks for the domain, the message names it.
    elsewhere = Client(HTTP_HOST="localhost").post(
        reverse("ui:login"), {"domain": "acme", "login": "alice", "password": "wrong"}
    )
    assert "Vérifiez votre domaine" in elsewhere.text


def test_a_closed_campaign_has_no_play_button(acme: Acme) -> None:
    acme.support.planning_start = timezone.now() + timezone.timedelta(days=2)
    acme.support.save()
    page = client_for(acme.agent).get(reverse("ui:campaigns")).text
    assert 'data-testid="play-support"' not in page
    assert 'data-testid="play-orders"' in page
