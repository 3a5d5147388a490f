"""The top navigation of an administrator holding every right stays on one line, in French
and in English, at 1280 px and at 800 px wide: the domain's management and supervision are
menus (<details>) that open with the mouse or the keyboard, and without JavaScript.
Screenshots: nav-<language>-<width>.png and nav-<language>-<width>-open.png."""

import re
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from comptoir.tenancy.models import Role, User
from tests.browser.conftest import screenshot_dir
from tests.conftest import make_acme
from tests.test_isolation import RIGHTS

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(120)]


# The tops of the navigation's own items (links and menu titles), and how tall one line is.
NAV_GEOMETRY = """() => {
  const nav = document.querySelector('[data-testid=mainnav]');
  const items = [...nav.children].map(
    el => el.tagName === 'DETAILS' ? el.querySelector('summary') : el);
  const tops = items.map(el => Math.round(el.getBoundingClientRect().top));
  const lineHeight = Math.max(...items.map(el => el.getBoundingClientRect().height));
  return {tops, lineHeight, navHeight: nav.getBoundingClientRect().height,
          navRight: nav.getBoundingClientRect().right, count: items.length,
          leftBottom: document.querySelector('.topbar-left').getBoundingClientRect().bottom,
          rightTop: document.querySelector('.topbar-right').getBoundingClientRect().top,
          scrollWidth: document.documentElement.scrollWidth};
}"""


def admin_with_every_right(language: str) -> User:
    acme = make_acme()
    return User.objects.create_user(
        domain=acme.domain,
        login="ada",
        password="pw",
        role=Role.ADMIN,
        display_name="Ada Lovelace-Byron",
        language=language,
        **RIGHTS,
    )


def logged_in(
    browser: Browser,
    contexts: list[BrowserContext],
    base: str,
    width: int,
    *,
    javascript: bool = True,
) -> Page:
    context = browser.new_context(
        viewport={"width": width, "height": 800}, java_script_enabled=javascript
    )
    contexts.append(context)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(base + "/login/")
    page.locator("#id_login").fill("ada")
    page.locator("#id_password").fill("pw")
    page.locator("main form button[type=submit]").click()
    # Supervisors (an administrator too) land on the board, agents on their campaigns.
    expect(page).to_have_url(re.compile(re.escape(base) + r"/(supervision|campaigns)/$"))
    return page


@pytest.mark.parametrize("language", ["fr", "en"])
def test_an_administrators_navigation_fits_on_one_line(
    browser: Browser, contexts: list[BrowserContext], live_server: Any, language: str
) -> None:
    admin_with_every_right(language)
    base = f"http://acme.localhost:{live_server.thread.port}"
    for width in (1280, 800):
        page = logged_in(browser, contexts, base, width)
        expect(page.locator("html")).to_have_attribute("lang", language)
        geometry = page.evaluate(NAV_GEOMETRY)
        # Campaigns, my tickets, tickets, the supervision menu, the domain management menu.
        assert geometry["count"] == 5
        assert len(set(geometry["tops"])) == 1, (width, geometry)
        assert geometry["navHeight"] < 1.5 * geometry["lineHeight"], (width, geometry)
        assert geometry["navRight"] <= width and geometry["scrollWidth"] <= width, geometry
        if width >= 1280:  # wide enough for the whole bar: the account is on the same row
            assert geometry["rightTop"] < geometry["leftBottom"], geometry
        # The menus are closed on every page.
        expect(page.get_by_test_id("nav-users")).to_be_hidden()
        expect(page.get_by_test_id("nav-flagged")).to_be_hidden()
        page.screenshot(path=str(screenshot_dir() / f"nav-{language}-{width}.png"))

        page.get_by_test_id("nav-domain").click()
        for item in (
            "domain-settings",
            "manage-campaigns",
            "library",
            "holidays",
            "users",
            "teams",
        ):
            expect(page.get_by_test_id(f"nav-{item}")).to_be_visible()
        menu = page.get_by_test_id("nav-domain-menu").locator("ul").bounding_box()
        assert menu is not None and menu["x"] >= 0 and menu["x"] + menu["width"] <= width
        # The open menu floats over the page: the navigation is still one line.
        assert len(set(page.evaluate(NAV_GEOMETRY)["tops"])) == 1
        page.screenshot(path=str(screenshot_dir() / f"nav-{language}-{width}-open.png"))
        page.get_by_test_id("nav-teams").click()
        expect(page).to_have_url(base + "/teams/")
        expect(page.get_by_test_id("nav-teams")).to_be_hidden()


def test_the_menus_open_from_the_keyboard(
    browser: Browser, contexts: list[BrowserContext], live_server: Any
) -> None:
    admin_with_every_right("en")
    base = f"http://acme.localhost:{live_server.thread.port}"
    page = logged_in(browser, contexts, base, 1280)
    page.get_by_test_id("nav-supervision").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("nav-flagged")).to_be_visible()
    page.keyboard.press("Tab")  # into the open menu: its first link, the board
    expect(page.get_by_test_id("nav-board")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_test_id("nav-flagged")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(base + "/supervision/flagged/")

    page.get_by_test_id("nav-domain").focus()
    page.keyboard.press("Space")
    expect(page.get_by_test_id("nav-holidays")).to_be_visible()
    page.get_by_test_id("nav-holidays").click()
    expect(page).to_have_url(base + "/manage/holidays/")
    page.get_by_test_id("domain-holidays-france-form").locator("button").click()
    expect(page.get_by_test_id("domain-holidays").locator("li")).to_have_count(11)
    page.screenshot(path=str(screenshot_dir() / "domain-holidays.png"), full_page=True)


def test_the_domain_settings_list_its_mail_domains(
    browser: Browser, contexts: list[BrowserContext], live_server: Any
) -> None:
    """Issue 10, finding 5: administrators see their mail domains; operators set them."""
    admin_with_every_right("fr")
    base = f"http://acme.localhost:{live_server.thread.port}"
    page = logged_in(browser, contexts, base, 1280)
    page.get_by_test_id("nav-domain").click()
    page.get_by_test_id("nav-domain-settings").click()
    expect(page).to_have_url(base + "/manage/domain/")
    expect(page.get_by_test_id("mail-domain")).to_have_text(["acme.test"])
    expect(page.locator("h1")).to_have_text("Paramètres du domaine")
    page.screenshot(path=str(screenshot_dir() / "domain-settings.png"), full_page=True)


def test_the_menus_work_without_javascript(
    browser: Browser, contexts: list[BrowserContext], live_server: Any
) -> None:
    admin_with_every_right("fr")
    base = f"http://acme.localhost:{live_server.thread.port}"
    page = logged_in(browser, contexts, base, 800, javascript=False)
    expect(page.get_by_test_id("nav-domain")).to_have_text(re.compile("Gestion du domaine"))
    page.get_by_test_id("nav-domain").click()
    page.get_by_test_id("nav-users").click()
    expect(page).to_have_url(base + "/users/")
    page.get_by_test_id("nav-account").click()
    page.get_by_test_id("nav-logout").click()
    expect(page).to_have_url(re.compile(r"/login/"))


def test_an_agent_sees_no_menu(
    browser: Browser, contexts: list[BrowserContext], live_server: Any
) -> None:
    acme = make_acme()
    acme.agent.set_password("pw")
    acme.agent.login = "ada"
    acme.agent.save()
    base = f"http://acme.localhost:{live_server.thread.port}"
    page = logged_in(browser, contexts, base, 1280)
    expect(page.get_by_test_id("nav-my-tickets")).to_be_visible()
    expect(page.locator("[data-testid=mainnav] details")).to_have_count(0)
    page.get_by_test_id("nav-account").click()
    page.get_by_test_id("nav-my-account").click()
    expect(page).to_have_url(base + "/account/")
