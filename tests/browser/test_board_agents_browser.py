"""The board's agents in Chromium: alice and bruno play in their own browsers while sam
watches the board; their states and a changed count show within 5 s without a reload; sam
forces alice into a pause from the board and her open console says so at its next beat.
Screenshots in French: board-agents-<1366|800>.png."""

from typing import Any

import pytest
from django.test import override_settings
from playwright.sync_api import Browser, BrowserContext, expect

from comptoir.tenancy.models import Role, Team, User
from tests.browser.test_board_browser import LIVE_MS, logged_in, shots
from tests.browser.test_play_scenario import login, pause, play_support
from tests.conftest import make_acme
from tests.ui.conftest import make_ticket

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(150)]


@override_settings(COMPTOIR_LOCK_SECONDS=30)  # the console beats every 10 s
def test_two_agents_play_while_the_board_follows_and_a_forced_pause_reaches_the_console(
    browser: Browser, contexts: list[BrowserContext], live_server: Any
) -> None:
    acme = make_acme()
    User.objects.filter(pk=acme.agent.pk).update(display_name="Alice Agent")
    bruno = User.objects.create_user(
        domain=acme.domain, login="bruno", password="pw", role=Role.AGENT
    )
    User.objects.filter(pk=bruno.pk).update(display_name="Bruno Agent")
    Team.objects.get(domain=acme.domain, name="Agents").members.add(bruno)
    for subject in ("Colis abîmé", "Facture en double", "Adresse à changer"):
        make_ticket(acme.support, subject=subject)
    base = f"http://acme.localhost:{live_server.thread.port}"
    sam = logged_in(browser, contexts, base)
    sam.evaluate("window.boardNotReloaded = true")
    alice_row, bruno_row = f"agent-{acme.agent.pk}", f"agent-{bruno.pk}"
    expect(sam.get_by_test_id(f"{alice_row}-state")).to_contain_text("Hors ligne")

    _, alice = login(browser, contexts, base, "alice")
    play_support(alice, base)
    expect(sam.get_by_test_id(f"{alice_row}-state")).to_contain_text(
        "En traitement", timeout=LIVE_MS
    )
    expect(sam.get_by_test_id(f"{alice_row}-ticket")).to_contain_text("Support")

    _, bruno_page = login(browser, contexts, base, "bruno")
    play_support(bruno_page, base)
    pause(bruno_page, base)  # Déjeuner: his ticket goes back
    expect(sam.get_by_test_id(f"{bruno_row}-state")).to_contain_text(
        "En pause (Déjeuner)", timeout=LIVE_MS
    )
    expect(sam.get_by_test_id(f"{bruno_row}-count")).to_have_text("1", timeout=LIVE_MS)
    assert sam.evaluate("window.boardNotReloaded") is True  # swapped, never reloaded
    shots(sam, "board-agents")

    # Forced from the board: the question, the first reason (Déjeuner), back to the board.
    sam.get_by_test_id(f"{alice_row}-pause").click()
    sam.get_by_test_id("force-yes").click()
    expect(sam).to_have_url(base + "/supervision/")
    expect(sam.get_by_test_id(f"{alice_row}-state")).to_contain_text(
        "En pause (Déjeuner)", timeout=LIVE_MS
    )
    expect(sam.get_by_test_id(f"{alice_row}-count")).to_have_text("1")
    expect(alice.get_by_test_id("forced-pause")).to_contain_text(
        "Votre superviseur vous a mis en pause", timeout=25_000
    )
