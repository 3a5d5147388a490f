"""A supervisor downloads the processings detail from Supervision → Exports in Chromium, as a
CSV for French Excel and as an XLSX workbook, and opens both as a spreadsheet would.
Screenshots: exports-fr-1366.png, exports-fr-800.png."""

import csv
import io
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.conftest import screenshot_dir
from tests.supervision.conftest import MONDAY, make_world, processed

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(120)]


def sams_monday() -> None:
    world = make_world()
    acme = world.acme
    acme.support.name = "Réclamations"
    acme.support.save(update_fields=["name"])
    world.sam.language = "fr"
    world.sam.save(update_fields=["language"])
    answers = {"motif": "Œuvre « perdue »", "montant": "12,5"}
    processed(acme, acme.support, MONDAY, 95, outcome="resolu", answers=answers)
    processed(acme, acme.orders, MONDAY + timedelta(hours=1), 30, outcome="done")


def logged_in(browser: Browser, contexts: list[BrowserContext], base: str, width: int) -> Page:
    context = browser.new_context(viewport={"width": width, "height": 768}, accept_downloads=True)
    contexts.append(context)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(base + "/login/")
    page.locator("#id_login").fill("sam")
    page.locator("#id_password").fill("pw")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(base + "/supervision/")  # a supervisor lands on the board
    return page


def download(page: Page, fmt: str) -> tuple[str, bytes]:
    page.locator("#id_period").select_option("custom")
    page.locator("#id_first_day").fill("2026-11-02")
    page.locator("#id_last_day").fill("2026-11-02")
    page.locator("#id_format").select_option(fmt)
    with page.expect_download() as waiting:
        page.get_by_test_id("export-download").click()
    done = waiting.value
    return done.suggested_filename, Path(done.path()).read_bytes()


def test_a_supervisor_downloads_the_processings_for_french_excel_and_as_xlsx(
    browser: Browser, contexts: list[BrowserContext], live_server: Any
) -> None:
    sams_monday()
    base = f"http://acme.localhost:{live_server.thread.port}"
    for width in (1366, 800):
        page = logged_in(browser, contexts, base, width)
        page.get_by_test_id("nav-supervision").click()
        page.get_by_test_id("nav-exports").click()
        expect(page).to_have_url(base + "/supervision/exports/")
        expect(page.locator("h1")).to_have_text("Exports")
        page.screenshot(path=str(screenshot_dir() / f"exports-fr-{width}.png"), full_page=True)

    name, data = download(page, "csv-semicolon")
    assert name == "traitements-2026-11-02.csv"
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    header = rows[0]
    assert header[:2] == ["Traitement", "Ticket"] and len(rows) == 3
    first = dict(zip(header, rows[1], strict=True))
    assert first["Campagne"] == "Réclamations" and first["Motif"] == "Œuvre « perdue »"
    assert first["Montant (€)"] == "12,5" and first["Fin"] == "2026-11-02 09:01:35"

    name, data = download(page, "xlsx")
    assert name == "traitements-2026-11-02.xlsx"
    sheet = load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    assert len(values) == 3 and values[1][3] == "Réclamations"
    assert values[1][7].isoformat() == "2026-11-02T09:01:35"
