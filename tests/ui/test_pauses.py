"""Issue 13, the agent's side of the states: "Pause" is a choice of the domain's reasons, the
pause page says why and offers "Reprendre", its poll and the waiting page's are signs of life,
logging out is offline; a supervisor's forced pause or out of play reaches the agent's
console, waiting page and pause page."""

import re

from django.urls import reverse
from django.utils import timezone

from comptoir.supervision import states
from comptoir.supervision.models import AgentPresence, AgentState, PauseReason
from comptoir.tickets.models import Ticket
from tests.conftest import Acme
from tests.ui.conftest import client_for
from tests.ui.test_console import HTMX, play, process_url, waiting_ticket


def reason(acme: Acme, label: str) -> PauseReason:
    return PauseReason.objects.get(domain=acme.domain, label=label)


def presence(acme: Acme) -> AgentPresence:
    return AgentPresence.objects.get(agent=acme.agent)


def beat(client, processing):  # type: ignore[no-untyped-def]
    return client.post(reverse("ui:heartbeat", args=[processing.pk]), {"seen": "0"}, **HTMX)


def force_pause(acme: Acme, label: str = "Réunion"):  # type: ignore[no-untyped-def]
    url = reverse("ui:force_pause", args=[acme.agent.pk])
    return client_for(acme.supervisor).post(url, {"reason": reason(acme, label).pk})


def test_pause_is_a_choice_of_the_domains_reasons_and_resume_plays_again(acme: Acme) -> None:
    ticket = waiting_ticket(acme)
    client = client_for(acme.agent)
    processing = play(client)
    page = client.get(process_url(processing)).text
    buttons = re.findall(r'name="reason" value="\d+"[^>]*>([^<]+)</button>', page)
    assert buttons == ["Déjeuner", "Pause", "Formation", "Réunion", "Tâche annexe"]
    lunch = reason(acme, "Déjeuner")
    response = client.post(reverse("ui:pause", args=[processing.pk]), {"reason": lunch.pk})
    assert response["Location"] == reverse("ui:paused")
    assert Ticket.objects.get(pk=ticket.pk).locked_by_id is None
    paused = client.get(reverse("ui:paused")).text
    assert "Vous êtes en pause : Déjeuner." in paused
    assert 'data-testid="resume"' in paused and "Reprendre : Support" in paused
    assert f'action="{reverse("ui:play", args=["support"])}"' in paused
    assert (presence(acme).state, presence(acme).pause_reason_label) == (
        AgentState.PAUSED,
        "Déjeuner",
    )
    play(client)  # "Reprendre"
    assert presence(acme).state == AgentState.PROCESSING


def test_without_any_active_reason_pause_is_a_plain_button(acme: Acme) -> None:
    PauseReason.objects.filter(domain=acme.domain).update(is_active=False)
    waiting_ticket(acme)
    client = client_for(acme.agent)
    processing = play(client)
    page = client.get(process_url(processing)).text
    assert 'data-testid="pause-menu"' not in page and 'data-testid="pause"' in page
    client.post(reverse("ui:pause", args=[processing.pk]))
    assert (presence(acme).state, presence(acme).pause_reason_label) == (AgentState.PAUSED, "")


def test_the_waiting_page_pauses_too_and_its_poll_keeps_the_pause(acme: Acme) -> None:
    client = client_for(acme.agent)
    waiting = client.post(reverse("ui:play", args=["support"])).text
    assert 'data-testid="pause-menu"' in waiting
    assert presence(acme).state == AgentState.AVAILABLE
    training = reason(acme, "Formation")
    done = client.post(reverse("ui:take_pause"), {"reason": training.pk})
    assert done["Location"] == reverse("ui:paused")
    waiting_ticket(acme)  # a ticket comes while the agent is paused
    polled = client.post(reverse("ui:wait", args=["support"]), **HTMX)
    assert polled.status_code == 204 and polled["HX-Redirect"] == reverse("ui:paused")
    assert presence(acme).state == AgentState.PAUSED
    assert not Ticket.objects.filter(locked_by=acme.agent).exists()


def test_the_pause_pages_poll_is_a_sign_of_life(acme: Acme) -> None:
    client = client_for(acme.agent)
    states.pause(acme.agent, reason=reason(acme, "Pause"), now=timezone.now())
    before = presence(acme).last_seen
    answer = client.post(reverse("ui:paused_beat"), **HTMX)
    assert 'id="pause-status"' in answer.text and 'hx-trigger="every 30s"' in answer.text
    assert presence(acme).last_seen > before
    assert client.post(reverse("ui:paused_beat"))["Location"] == reverse("ui:paused")


def test_the_pause_page_sends_an_agent_in_play_to_their_campaigns(acme: Acme) -> None:
    client = client_for(acme.agent)
    assert client.get(reverse("ui:paused"))["Location"] == reverse("ui:campaigns")


def test_logging_out_is_offline(acme: Acme) -> None:
    client = client_for(acme.agent)
    client.post(reverse("ui:play", args=["support"]))
    client.post(reverse("ui:logout"))
    assert presence(acme).state == AgentState.OFFLINE


# --- A supervisor's forcing reaches the agent -----------------------------------------------


def test_a_forced_pause_reaches_the_agents_console(acme: Acme) -> None:
    waiting_ticket(acme)
    client = client_for(acme.agent)
    processing = play(client)
    assert force_pause(acme).status_code == 302
    answer = beat(client, processing).text
    assert 'data-testid="forced-pause"' in answer
    assert "Votre superviseur vous a mis en pause : Réunion" in answer
    assert "idle-released" not in answer and "lock-lost" not in answer
    # From now on the console asks as the pause page does (the agent stays paused, not offline).
    assert f'hx-post="{reverse("ui:paused_beat")}"' in answer
    assert 'data-testid="resume"' in answer
    assert client.get(process_url(processing))["Location"] == reverse("ui:paused")
    page = client.get(reverse("ui:paused")).text
    assert "Votre superviseur vous a mis en pause : Réunion" in page and "Par sam." in page


def test_out_of_play_reaches_the_waiting_page_and_the_pause_page(acme: Acme) -> None:
    client = client_for(acme.agent)
    client.post(reverse("ui:play", args=["support"]))
    url = reverse("ui:force_out_of_play", args=[acme.agent.pk])
    client_for(acme.supervisor).post(url, {"reason": "Fin de service"})
    polled = client.post(reverse("ui:wait", args=["support"]), **HTMX)
    assert polled["HX-Redirect"] == reverse("ui:paused")
    page = client.get(reverse("ui:paused")).text
    assert "Votre superviseur vous a mis hors jeu : Fin de service" in page
    assert presence(acme).state == AgentState.OFFLINE


def test_a_forced_pause_reaches_the_pause_page_of_a_paused_agent(acme: Acme) -> None:
    client = client_for(acme.agent)
    client.post(reverse("ui:play", args=["support"]))
    client.post(reverse("ui:take_pause"), {"reason": reason(acme, "Pause").pk})
    force_pause(acme, "Formation")
    answer = client.post(reverse("ui:paused_beat"), **HTMX).text
    assert "Votre superviseur vous a mis en pause : Formation" in answer


# --- The supervisors' pages ------------------------------------------------------------------


def test_the_supervisor_is_asked_then_forces_and_goes_back(acme: Acme) -> None:
    client = client_for(acme.supervisor)
    client.post(reverse("ui:play", args=["support"]))  # sam does not play: no matter
    states.enter_play(acme.agent, acme.support, now=timezone.now())
    url = reverse("ui:force_pause", args=[acme.agent.pk])
    asked = client.get(url, {"next": "/supervision/"}).text
    assert "Mettre alice en pause ?" in asked and "État actuel : Disponible" in asked
    select = re.search(r'<select name="reason".*?</select>', asked, re.S)
    assert select is not None
    assert re.findall(r"<option [^>]*>([^<]+)</option>", select.group(0))[0] == "Déjeuner"
    assert 'name="next" value="/supervision/"' in asked
    assert presence(acme).state == AgentState.AVAILABLE  # asking changed nothing
    done = client.post(url, {"reason": reason(acme, "Réunion").pk, "next": "/supervision/"})
    assert done["Location"] == "/supervision/"
    assert presence(acme).forced_by_id == acme.supervisor.pk


def test_a_forcing_without_its_reason_is_refused_and_a_foreign_next_ignored(acme: Acme) -> None:
    client = client_for(acme.supervisor)
    states.enter_play(acme.agent, acme.support, now=timezone.now())
    url = reverse("ui:force_out_of_play", args=[acme.agent.pk])
    refused = client.post(url, {"reason": "  "})
    assert refused.status_code == 400 and "Ce champ est obligatoire." in refused.text
    assert "Mettre alice hors jeu ?" in refused.text
    done = client.post(url, {"reason": "Fin", "next": "https://evil.test/"})
    assert done["Location"] == reverse("ui:campaigns")
    offline = client_for(acme.supervisor).post(
        reverse("ui:force_pause", args=[acme.agent.pk]), {"reason": reason(acme, "Pause").pk}
    )
    assert offline.status_code == 400 and "alice est hors ligne" in offline.text


def test_agents_may_not_force_and_another_domains_agent_is_not_found(acme: Acme) -> None:
    from tests.conftest import make_acme

    globex = make_acme("globex")
    for name in ("ui:force_pause", "ui:force_out_of_play"):
        url = reverse(name, args=[acme.supervisor.pk])
        assert client_for(acme.agent).get(url).status_code == 403
        assert client_for(acme.agent).post(url, {"reason": "x"}).status_code == 403
        foreign = reverse(name, args=[globex.agent.pk])
        assert client_for(acme.supervisor).get(foreign).status_code == 404
    assert not AgentPresence.objects.filter(forced_by__isnull=False).exists()
