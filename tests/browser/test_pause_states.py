"""Issue 13 in Chromium, the agent's side: `p` opens the pause reasons, the pause page and
"Reprendre", and a supervisor's forced pause reaching the open console at its next beat."""

from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, expect

from comptoir.supervision import states
from comptoir.supervision.models import AgentPresence, AgentState, PauseReason
from tests.browser.test_board_browser import logged_in
from tests.browser.test_play_scenario import login, play_support, shot
from tests.conftest import make_acme
from tests.ui.conftest import make_ticket

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(120)]


@override_settings(COMPTOIR_LOCK_SECONDS=30)  # the console beats every 10 s
def test_pause_with_a_reason_resume_and_a_forced_pause_reaching_the_console(
    browser: Browser, contexts: list[BrowserContext], live_server: Any
) -> None:
    acme = make_acme()
    make_ticket(acme.support, subject="Première demande")
    make_ticket(acme.support, subject="Deuxième demande")
    base = f"http://acme.localhost:{live_server.thread.port}"
    _, alice = login(browser, contexts, base, "alice")
    play_support(alice, base)

    # `p` opens the reasons, the first one focused; Tab, Enter chooses the next.
    alice.locator("#console-title").click()
    alice.keyboard.press("p")
    expect(alice.get_by_test_id("pause-reason-1")).to_be_focused()
    shot(alice, "pause-reasons.png")
    alice.keyboard.press("Tab")
    alice.keyboard.press("Enter")
    expect(alice.get_by_test_id("paused")).to_contain_text("Vous êtes en pause : Pause.")
    shot(alice, "paused.png")
    presence = AgentPresence.objects.get(agent=acme.agent)
    assert (presence.state, presence.pause_reason_label) == (AgentState.PAUSED, "Pause")

    alice.get_by_test_id("resume").click()  # "Reprendre : Support"
    expect(alice.locator("#console-title")).to_be_visible()

    # The supervisor pauses her: the console's next beat says so, and why.
    meeting = PauseReason.objects.get(domain=acme.domain, label="Réunion")
    states.force_pause(acme.agent, reason=meeting, by=acme.supervisor, now=timezone.now())
    forced = alice.get_by_test_id("forced-pause")
    said = "Votre superviseur vous a mis en pause : Réunion"
    expect(forced).to_contain_text(said, timeout=25_000)
    shot(alice, "forced-pause.png")
    alice.reload()
    expect(alice).to_have_url(base + "/play/paused/")
    expect(alice.get_by_test_id("forced-pause")).to_be_visible()

    # The supervisor's page: asked, with the reason to give; then back where asked.
    sam = logged_in(browser, contexts, base)  # supervisors land on the board
    sam.goto(f"{base}/supervision/agents/{acme.agent.pk}/out/?next=/campaigns/")
    expect(sam.get_by_test_id("agent-state")).to_contain_text("En pause (Réunion)")
    sam.get_by_label("Motif (l'agent le lit)").fill("Fin de service")
    shot(sam, "force-out-of-play.png")
    sam.get_by_test_id("force-yes").click()
    expect(sam).to_have_url(base + "/campaigns/")
    alice.reload()
    expect(alice.get_by_test_id("forced-out")).to_contain_text(
        "Votre superviseur vous a mis hors jeu : Fin de service"
    )
