"""The supervision board in Chromium: a supervisor logs in and lands on it; an agent plays a
ticket and a customer writes while the board stays open, and both changes show within 5 s
without a reload (htmx polling; the unchanged answers are 304 with no body). Screenshots in
French: board-<1366|800>.png."""

import re
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Response, expect

from comptoir.distribution.actions import claim_next_ticket
from comptoir.tenancy.models import Role, User
from tests.browser.conftest import screenshot_dir
from tests.conftest import make_acme
from tests.ui.conftest import make_ticket

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(120)]

WIDE = {"width": 1366, "height": 768}
NARROW = {"width": 800, "height": 768}
LIVE_MS = 5_000  # the promise: a change shows within 5 s


def logged_in(browser: Browser, contexts: list[BrowserContext], base: str) -> Page:
    context = browser.new_context(viewport=WIDE, locale="fr-FR")  # type: ignore[arg-type]
    contexts.append(context)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(base + "/login/")
    page.get_by_label("Identifiant").fill("sam")
    page.get_by_label("Mot de passe").fill("pw")
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(base + "/supervision/")
    return page


def shots(page: Page, name: str) -> None:
    for size, suffix in ((WIDE, "1366"), (NARROW, "800")):
        page.set_viewport_size(size)  # type: ignore[arg-type]
        path = screenshot_dir() / f"{name}-{suffix}.png"
        page.screenshot(path=str(path), full_page=True)
        assert path.exists() and path.stat().st_size > 0
        # Readable at this width: nothing wider than the window.
        assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]
    page.set_viewport_size(WIDE)  # type: ignore[arg-type]


def test_the_board_shows_a_changed_count_within_five_seconds_without_reloading(
    browser: Browser, contexts: list[BrowserContext], live_server: Any
) -> None:
    acme = make_acme()
    User.objects.filter(pk=acme.supervisor.pk).update(display_name="Sam Superviseur")
    bruno = User.objects.create_user(
        domain=acme.domain, login="bruno", password="pw", role=Role.AGENT
    )
    bruno.display_name = "Bruno Agent"
    bruno.save()
    acme.support.agent_teams.first().members.add(bruno)  # type: ignore[union-attr]
    make_ticket(acme.support, subject="Colis abîmé")
    page = logged_in(browser, contexts, f"http://acme.localhost:{live_server.thread.port}")
    statuses: list[int] = []

    def seen(response: Response) -> None:
        if response.url.endswith("/supervision/") and response.request.method == "GET":
            statuses.append(response.status)

    page.on("response", seen)
    waiting = page.get_by_test_id("support-waiting")
    expect(waiting).to_have_text("1")
    expect(page.get_by_test_id("support-processing")).to_have_text("0")
    page.evaluate("window.boardNotReloaded = true")
    page.wait_for_timeout(3_500)  # one poll at least: nothing changed, 304
    assert 304 in statuses

    claim_next_ticket(bruno, acme.support)  # bruno is served the ticket
    expect(page.get_by_test_id("support-processing")).to_have_text("1", timeout=LIVE_MS)
    expect(waiting).to_have_text("0")
    expect(page.get_by_test_id(re.compile(r"support-processing-\d+"))).to_contain_text(
        "Bruno Agent"
    )
    make_ticket(acme.support, subject="Facture en double")
    make_ticket(acme.support, subject="Adresse de livraison")
    expect(waiting).to_have_text("2", timeout=LIVE_MS)
    expect(page.get_by_test_id("support-received")).to_have_text("3")
    assert page.evaluate("window.boardNotReloaded") is True
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tableau de supervision")
    shots(page, "board")
