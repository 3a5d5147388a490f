"""A supervisor opens Supervision → Reports in Chromium for a Monday by hour: the charts are
drawn (Chart.js under the page's CSP, no console error) beside their tables. Screenshots:
reports-fr-1366.png, reports-fr-800.png."""

from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, expect

from tests.browser.conftest import screenshot_dir
from tests.browser.test_exports_browser import logged_in, sams_monday

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(120)]

MONDAY_QUERY = "?period=custom&first_day=2026-11-02&last_day=2026-11-02&step=hour"


def test_the_reports_page_draws_its_charts_beside_their_tables(
    browser: Browser, contexts: list[BrowserContext], live_server: Any
) -> None:
    sams_monday()
    base = f"http://acme.localhost:{live_server.thread.port}"
    errors: list[str] = []

    def console(message: ConsoleMessage) -> None:
        if message.type == "error":  # a CSP refusal is one
            errors.append(message.text)

    for width in (1366, 800):
        page = logged_in(browser, contexts, base, width)
        page.on("console", console)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.get_by_test_id("nav-supervision").click()
        page.get_by_test_id("nav-reports").click()
        expect(page).to_have_url(base + "/supervision/reports/")
        expect(page.locator("h1")).to_have_text("Rapports")
        page.goto(base + "/supervision/reports/" + MONDAY_QUERY)
        volumes = page.get_by_test_id("chart-volumes")
        expect(volumes).to_be_visible()
        # Chart.js sized the canvas to its box: it was drawn.
        assert (
            page.evaluate("() => window.Chart && Object.keys(window.Chart.instances).length") >= 4
        )
        assert volumes.bounding_box()["height"] > 200  # type: ignore[index]
        expect(page.get_by_test_id("table-agents")).to_contain_text("Alice Dupré")
        assert errors == []
        page.screenshot(path=str(screenshot_dir() / f"reports-fr-{width}.png"), full_page=True)
