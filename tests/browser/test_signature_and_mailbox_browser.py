"""The signature editor and the IMAP mailbox form in a real Chromium, under the pages' CSP:
the live preview follows what the manager types (htmx, rendered and sanitised by the server;
a hostile signature runs nothing), and "test the connection" tries the unsaved form."""

from typing import Any

import pytest
from playwright.sync_api import Browser, Dialog, expect
from pytest_django.fixtures import Settings

from comptoir.campaigns.models import Campaign, ImapMailbox
from tests.browser.conftest import screenshot_dir
from tests.conftest import make_acme
from tests.dovecot import free_port
from tests.ui.campaign_editor_helpers import manager

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(120)]


def test_signature_preview_and_unsaved_mailbox_test_work_in_a_browser(
    browser: Browser, live_server: Any, settings: Settings
) -> None:
    settings.COMPTOIR_IMAP_ALLOWED_NETWORKS = ["127.0.0.1/32"]  # a closed port on loopback
    acme = make_acme()
    manager(acme)
    base = f"http://acme.localhost:{live_server.thread.port}"
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.set_default_timeout(15_000)
    errors: list[str] = []
    dialogs: list[str] = []
    page = context.new_page()
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )

    def dismissed(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismissed)
    page.goto(base + "/login/")
    page.locator("#id_login").fill("maud")
    page.locator("#id_password").fill("pw")
    page.locator("form button[type=submit]").last.click()

    page.goto(base + "/manage/campaigns/support/info/")
    expect(page.get_by_text("No signature.")).to_be_visible()  # the preview, loaded by htmx
    page.locator("#id_signature").fill(
        '<p><b>{{ agent_name }}</b><img src="x" onerror="alert(1)">'
        '<br><a href="https://acme.test/aide">Aide</a></p>'
    )
    preview = page.get_by_test_id("signature-preview-html")
    expect(preview.locator("b")).to_have_text("maud")
    expect(preview.locator("a")).to_have_attribute("href", "https://acme.test/aide")
    expect(page.get_by_test_id("signature-preview-text")).to_contain_text(
        "Aide <https://acme.test/aide>"
    )
    page.screenshot(path=str(screenshot_dir() / "campaign-editor-signature.png"), full_page=True)
    page.locator("[data-testid=info-form] button[type=submit]").click()
    expect(page.get_by_text("The campaign's information is saved.")).to_be_visible()
    stored = Campaign.objects.get(pk=acme.support.pk).signature
    assert "onerror" not in stored and "<b>{{ agent_name }}</b>" in stored

    page.goto(base + "/manage/campaigns/support/info/mailboxes/new/")
    page.locator("#id_host").fill("127.0.0.1")
    page.locator("#id_port").fill(str(free_port()))
    page.locator("#id_security").select_option("none")
    page.locator("#id_username").fill("support")
    page.locator("#id_password").fill("s3cret")
    page.get_by_test_id("mailbox-test").click()
    expect(page.get_by_test_id("mailbox-test-result")).to_contain_text(
        "Could not connect to this server"
    )
    page.screenshot(path=str(screenshot_dir() / "campaign-editor-mailbox-test.png"), full_page=True)
    assert not ImapMailbox.objects.exists()  # tried, not saved
    assert page.locator("#id_password").input_value() == "s3cret"  # the form is kept as typed
    assert not dialogs, dialogs
    assert not [e for e in errors if "Content Security Policy" in e], errors
    context.close()
