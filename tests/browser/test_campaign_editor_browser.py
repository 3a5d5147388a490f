"""The campaign editor in a real Chromium, under the pages' CSP: the template preview follows
what the manager types (htmx), and "test the connection" answers (generically: issue 10)."""

import re
from typing import Any

import pytest
from playwright.sync_api import Browser, expect
from pytest_django.fixtures import Settings

from comptoir.campaigns.models import EmailTemplate, ImapMailbox, ImapSecurity
from comptoir.lib import sealed
from tests.browser.conftest import screenshot_dir
from tests.conftest import make_acme
from tests.dovecot import free_port
from tests.ui.campaign_editor_helpers import manager

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(120)]


def test_template_preview_and_connection_test_work_in_a_browser(
    browser: Browser, live_server: Any, settings: Settings
) -> None:
    settings.COMPTOIR_IMAP_ALLOWED_NETWORKS = ["127.0.0.1/32"]  # a closed port on loopback
    acme = make_acme()
    manager(acme)
    EmailTemplate.objects.create(
        domain=acme.domain, campaign=acme.support, tag="Accueil", name="Merci", body="Merci"
    )
    ImapMailbox.objects.create(
        domain=acme.domain,
        campaign=acme.support,
        host="127.0.0.1",
        port=free_port(),
        security=ImapSecurity.NONE,
        username="support",
        password_encrypted=sealed.seal("s3cret"),
    )
    base = f"http://acme.localhost:{live_server.thread.port}"
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.set_default_timeout(15_000)
    errors: list[str] = []
    page = context.new_page()
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.goto(base + "/login/")
    page.locator("#id_login").fill("maud")
    page.locator("#id_password").fill("pw")
    page.locator("form button[type=submit]").last.click()
    page.goto(base + "/manage/campaigns/support/info/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Support")
    page.get_by_role("button", name="Test the connection").click()
    expect(page.get_by_test_id("mailbox-test-result")).to_contain_text(
        "Could not connect to this server"
    )
    page.screenshot(path=str(screenshot_dir() / "campaign-editor-info.png"), full_page=True)

    page.goto(base + "/manage/campaigns/support/advanced/templates/new/")
    page.locator("#id_body").fill("Bonjour {{ customer_name }}, ticket {{ ticket_number }}")
    expect(page.get_by_test_id("template-preview")).to_have_text(
        re.compile("Bonjour Claire Martin, ticket 12345")
    )
    page.screenshot(path=str(screenshot_dir() / "campaign-editor-template.png"), full_page=True)
    for tab in ("advanced", "icon", "qualification", "history"):
        page.goto(base + f"/manage/campaigns/support/{tab}/")
        page.screenshot(path=str(screenshot_dir() / f"campaign-editor-{tab}.png"), full_page=True)
    assert not [e for e in errors if "Content Security Policy" in e], errors
    context.close()
