"""Issue 12 §3 in a real Chromium, in French: the home page (Accueil) and its entries per role,
the campaign card's menu, and the console at 1366×768 — "M'affecter ce ticket" in sight
without scrolling, the quoted message shown under the reply box, the idle warning then the
give-back, the empty queue that serves a ticket as soon as one comes.
Screenshots (1366×768 and 800 px): home-*, campaigns-menu-*, console-*, idle-*, waiting-*."""

import re
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from comptoir.distribution.models import EndReason, Processing
from comptoir.tenancy.models import Role, Team, User
from comptoir.tickets.models import Ticket
from tests.browser.conftest import screenshot_dir
from tests.conftest import Acme, make_acme
from tests.ui.conftest import add_message, make_ticket

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(120)]

WIDE = {"width": 1366, "height": 768}
NARROW = {"width": 800, "height": 768}


def login(browser: Browser, contexts: list[BrowserContext], base: str, user: str) -> Page:
    context = browser.new_context(viewport=WIDE, locale="fr-FR")  # type: ignore[arg-type]
    contexts.append(context)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(base + "/login/")
    page.get_by_label("Identifiant").fill(user)
    page.get_by_label("Mot de passe").fill("pw")
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(re.compile(r"/(campaigns|tickets|supervision)?/?$"))
    return page


def shots(page: Page, name: str, **options: Any) -> None:
    """The page at 1366×768, then at 800 px wide (the viewport comes back to 1366×768)."""
    for size, suffix in ((WIDE, "1366"), (NARROW, "800")):
        page.set_viewport_size(size)  # type: ignore[arg-type]
        path = screenshot_dir() / f"{name}-{suffix}.png"
        page.screenshot(path=str(path), **options)
        assert path.exists() and path.stat().st_size > 0
    page.set_viewport_size(WIDE)  # type: ignore[arg-type]


def admin(acme: Acme) -> User:
    user = User(domain=acme.domain, login="ada", role=Role.ADMIN, display_name="Ada")
    user.apply_role_rights()
    user.set_password("pw")
    user.save()
    Team.objects.get(domain=acme.domain, name="Agents").members.add(user)
    return user


def base_url(live_server: Any) -> str:
    return f"http://acme.localhost:{live_server.thread.port}"


def in_viewport(page: Page, test_id: str) -> bool:
    box = page.get_by_test_id(test_id).bounding_box()
    size = page.viewport_size
    assert box is not None and size is not None
    return bool(box["y"] >= 0 and box["y"] + box["height"] <= size["height"])


def test_home_entries_per_role_and_the_campaign_card_menu(
    browser: Browser, contexts: list[BrowserContext], live_server: Any
) -> None:
    acme = make_acme()
    admin(acme)
    base = base_url(live_server)

    agent = login(browser, contexts, base, "alice")
    agent.get_by_test_id("nav-home").click()
    expect(agent.get_by_role("heading", name="Accueil")).to_be_visible()
    expect(agent.get_by_test_id("home-campaigns")).to_have_text("Exploiter les campagnes")
    expect(agent.get_by_test_id("home-my_tickets")).to_be_visible()
    expect(agent.get_by_test_id("home-manage_campaign_create")).to_have_count(0)
    expect(agent.get_by_test_id("home-teams")).to_have_count(0)
    shots(agent, "home-agent")

    boss = login(browser, contexts, base, "ada")
    boss.get_by_test_id("nav-home").click()
    expect(boss.get_by_test_id("home-manage_campaign_create")).to_have_text(
        "Créer une nouvelle campagne"
    )
    expect(boss.get_by_test_id("home-teams")).to_have_text("Gérer les équipes")
    shots(boss, "home-admin")
    boss.get_by_test_id("home-campaigns").click()
    expect(boss).to_have_url(base + "/campaigns/")
    boss.get_by_test_id("menu-support").locator("summary").click()
    expect(boss.get_by_test_id("edit-support")).to_have_text("Modifier la campagne")
    shots(boss, "campaigns-menu")
    boss.get_by_test_id("edit-support").click()
    expect(boss).to_have_url(base + "/manage/campaigns/support/info/")


def test_console_assign_in_sight_and_the_quoted_message_shown(
    browser: Browser, contexts: list[BrowserContext], live_server: Any
) -> None:
    acme = make_acme()
    ticket = make_ticket(acme.support, subject="Colis jamais arrivé")
    add_message(ticket, text="Bonjour,\nmon colis n'est jamais arrivé.\n\nClaire Client")
    base = base_url(live_server)
    page = login(browser, contexts, base, "alice")
    page.get_by_test_id("play-support").click()
    expect(page).to_have_url(re.compile(r"/process/\d+/"))
    expect(page.get_by_test_id("assign")).to_be_visible()
    assert page.evaluate("window.scrollY") == 0
    assert in_viewport(page, "assign"), "M'affecter ce ticket is below the fold at 1366×768"
    quoted = page.get_by_test_id("quoted-message")
    expect(quoted).to_be_visible()
    expect(quoted).to_contain_text("a écrit :")
    expect(quoted).to_contain_text("> mon colis n'est jamais arrivé.")
    shots(page, "console")
    quoted.scroll_into_view_if_needed()
    shots(page, "console-quoted")


def test_an_idle_console_warns_then_gives_the_ticket_back(
    browser: Browser, contexts: list[BrowserContext], live_server: Any, settings: Any
) -> None:
    settings.COMPTOIR_IDLE_SECONDS = 8  # warning in the last 2 s, a beat every second
    acme = make_acme()
    ticket = make_ticket(acme.support, subject="Remboursement")
    add_message(ticket)
    page = login(browser, contexts, base_url(live_server), "alice")
    page.get_by_test_id("play-support").click()
    expect(page).to_have_url(re.compile(r"/process/\d+/"))
    warning = page.get_by_test_id("idle-warning")
    expect(warning).to_be_visible(timeout=15_000)
    expect(warning).to_contain_text("Êtes-vous toujours là")
    page.screenshot(path=str(screenshot_dir() / "idle-warning-1366.png"))
    expect(page.get_by_test_id("idle-released")).to_be_visible(timeout=15_000)
    expect(page.get_by_test_id("idle-released")).to_contain_text("le ticket est retourné")
    shots(page, "idle-released")
    processing = Processing.objects.get(ticket=ticket)
    assert processing.end_reason == EndReason.RELEASED
    assert Ticket.objects.get(pk=ticket.pk).locked_by_id is None


def test_activity_keeps_the_ticket(
    browser: Browser, contexts: list[BrowserContext], live_server: Any, settings: Any
) -> None:
    settings.COMPTOIR_IDLE_SECONDS = 8
    acme = make_acme()
    ticket = make_ticket(acme.support, subject="Adresse")
    add_message(ticket)
    page = login(browser, contexts, base_url(live_server), "alice")
    page.get_by_test_id("play-support").click()
    expect(page.get_by_test_id("idle-warning")).to_be_visible(timeout=15_000)
    page.get_by_test_id("still-here").click()
    expect(page.get_by_test_id("idle-warning")).to_have_count(0)
    for _ in range(5):  # typing in the reply for longer than the idle limit
        page.locator("#reply-text").type("a")
        page.wait_for_timeout(2_000)
    expect(page.get_by_test_id("idle-released")).to_have_count(0)
    assert Processing.objects.get(ticket=ticket).ended_at is None


def test_the_empty_queue_serves_a_ticket_as_soon_as_it_comes(
    browser: Browser, contexts: list[BrowserContext], live_server: Any, settings: Any
) -> None:
    settings.COMPTOIR_QUEUE_POLL_SECONDS = 1
    acme = make_acme()
    page = login(browser, contexts, base_url(live_server), "alice")
    page.get_by_test_id("play-support").click()
    expect(page.get_by_test_id("nothing-to-play")).to_be_visible()
    expect(page.get_by_test_id("waiting-note")).to_contain_text("dès qu'il arrive")
    shots(page, "waiting")
    ticket = make_ticket(acme.support, subject="Arrivé pendant l'attente")
    add_message(ticket)
    expect(page).to_have_url(re.compile(r"/process/\d+/"), timeout=15_000)
    expect(page.locator("#console-title")).to_contain_text(f"#{ticket.number}")
