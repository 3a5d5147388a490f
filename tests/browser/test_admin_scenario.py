"""Administration end to end in a real Chromium: an administrator creates a team, a user, a
campaign with its tabs (information, a template with its preview, a built-in icon, a
qualification script), imports an mbox and sees the history; the new agent logs in and sees
only that campaign. Every tab is saved as a screenshot (admin-*.png).

The selectors are ids, field names, URLs and data-testids, not the words of the pages: the
test does not depend on a translation. The worker's import job runs in this process, as
`comptoir worker` would run it, while the page waits for the history row to say it is done.
"""

import mailbox
import re
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from comptoir.campaigns.icons import BUILTIN_ICONS
from comptoir.campaigns.models import Campaign, EmailTemplate
from comptoir.imports.actions import import_job
from comptoir.imports.models import ImportJob, ImportState
from comptoir.tenancy.models import Role, Team, User
from comptoir.tickets.models import Ticket
from tests.browser.conftest import screenshot_dir
from tests.conftest import make_acme

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(180)]

VIEWPORT = {"width": 1280, "height": 800}
NINA_PASSWORD = "Retours-Solides-2026"
TEAM = "Équipe retours"


def login(
    browser: Browser, contexts: list[BrowserContext], base: str, user: str, password: str
) -> Page:
    """A fresh browser context (its own cookies), logged in from the site's root."""
    context = browser.new_context(viewport=VIEWPORT, locale="en-US")  # type: ignore[arg-type]
    contexts.append(context)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(base + "/")
    expect(page).to_have_url(re.compile(r"/login/"))
    page.locator("#id_login").fill(user)
    page.locator("#id_password").fill(password)
    page.locator("main form button[type=submit]").click()
    # Supervisors (an administrator too) land on the board, agents on their campaigns.
    expect(page).to_have_url(re.compile(re.escape(base) + r"/(supervision|campaigns)/$"))
    return page


def shot(page: Page, name: str) -> Path:
    path = screenshot_dir() / name
    page.screenshot(path=str(path), full_page=True)
    assert path.exists() and path.stat().st_size > 0
    return path


def write_mbox(path: Path) -> Path:
    """Three customers' messages to the new campaign's address, in an mbox file."""
    box = mailbox.mbox(path)
    customers = [("Léa Girard", "lea"), ("Marc Dupuis", "marc"), ("Zoé Bernard", "zoe")]
    for n, (name, local) in enumerate(customers, start=1):
        message = EmailMessage()
        message["From"] = f"{name} <{local}@client.test>"
        message["To"] = "retours@acme.test"
        message["Subject"] = f"Retour de la commande {n}"
        message["Message-ID"] = f"<retour-{n}@client.test>"
        message["Date"] = f"Mon, 0{n} Jun 2026 10:00:00 +0200"
        message.set_content(f"Bonjour, je souhaite retourner la commande {n}.")
        box.add(message)
    box.flush()
    box.close()
    return path


def submit(page: Page, form: str) -> None:
    page.locator(f"{form} button[type=submit]").first.click()


def test_admin_sets_up_a_campaign_and_the_new_agent_sees_only_it(
    browser: Browser, contexts: list[BrowserContext], live_server: Any, tmp_path: Path
) -> None:
    acme = make_acme()
    admin = User.objects.create_user(
        domain=acme.domain, login="ada", password="pw", role=Role.ADMIN, email="ada@acme.test"
    )
    admin.apply_role_rights()
    admin.save()
    base = f"http://acme.localhost:{live_server.thread.port}"
    page = login(browser, contexts, base, "ada", "pw")

    # --- A team ---------------------------------------------------------------------------
    page.get_by_test_id("nav-domain").click()  # the "Domain management" menu
    page.get_by_test_id("nav-teams").click()
    expect(page).to_have_url(base + "/teams/")
    page.locator("main a[href='/teams/new/']").click()
    page.locator("#id_name").fill(TEAM)
    submit(page, "main form.stacked-form")
    expect(page).to_have_url(re.compile(re.escape(base) + r"/teams/\d+/$"))
    team = Team.objects.get(domain=acme.domain, name=TEAM)
    team_url = page.url

    # --- A user, her password, her team ---------------------------------------------------
    page.get_by_test_id("nav-domain").click()  # the "Domain management" menu
    page.get_by_test_id("nav-users").click()
    expect(page).to_have_url(base + "/users/")
    page.locator("main a[href='/users/new/']").click()
    page.locator("#id_login").fill("nina")
    page.locator("#id_display_name").fill("Nina Petit")
    page.locator("#id_email").fill("nina@acme.test")
    page.locator("#id_role").select_option("agent")
    submit(page, "main form.stacked-form")
    expect(page).to_have_url(re.compile(re.escape(base) + r"/users/\d+/$"))
    nina = User.objects.get(domain=acme.domain, login="nina")
    assert nina.role == Role.AGENT and nina.can_process and not nina.can_manage_campaigns

    page.locator(f"main a[href='/users/{nina.pk}/password/']").click()
    page.locator("#id_password1").fill(NINA_PASSWORD)
    page.locator("#id_password2").fill(NINA_PASSWORD)
    submit(page, "main form.stacked-form")
    expect(page).to_have_url(base + f"/users/{nina.pk}/")
    shot(page, "admin-user.png")

    page.goto(team_url)
    # Members are checkboxes (issue 12): ticking one keeps the others as they are.
    page.locator(f"input[name=members][value='{nina.pk}']").check()
    submit(page, "main form.stacked-form")
    expect(page).to_have_url(team_url)
    expect(page.locator("input[name=members]:checked")).to_have_attribute("value", str(nina.pk))
    assert list(team.members.all()) == [nina]
    shot(page, "admin-team.png")

    # --- A campaign: Information tab ------------------------------------------------------
    page.get_by_test_id("nav-domain").click()  # the "Domain management" menu
    page.get_by_test_id("nav-manage-campaigns").click()
    expect(page).to_have_url(base + "/manage/campaigns/")
    page.locator("#id_name").fill("Retours")
    submit(page, "main form[action='/manage/campaigns/new/']")
    expect(page).to_have_url(base + "/manage/campaigns/retours/info/")
    campaign = Campaign.objects.get(domain=acme.domain, slug="retours")

    info = page.get_by_test_id("info-form")
    info.locator("#id_sender_name").fill("Service retours Acme")
    info.locator(f"input[name=agent_teams][value='{team.pk}']").check()
    submit(page, "[data-testid=info-form]")
    expect(page).to_have_url(base + "/manage/campaigns/retours/info/")
    expect(page.locator("#id_sender_name")).to_have_value("Service retours Acme")
    expect(page.locator(f"input[name=agent_teams][value='{team.pk}']")).to_be_checked()

    page.get_by_test_id("address-form").locator("#id_address").fill("retours@acme.test")
    submit(page, "[data-testid=address-form]")
    expect(page).to_have_url(base + "/manage/campaigns/retours/info/")
    expect(page.locator("#addresses-title + ul")).to_contain_text("retours@acme.test")
    campaign.refresh_from_db()
    assert campaign.sender_name == "Service retours Acme"
    assert list(campaign.agent_teams.all()) == [team]
    shot(page, "admin-info.png")

    # --- Advanced tab: a template with a tag, and its preview -----------------------------
    page.locator("nav.editor-tabs a[href$='/advanced/']").click()
    expect(page).to_have_url(base + "/manage/campaigns/retours/advanced/")
    page.locator("main a[href$='/advanced/templates/new/']").click()
    form = page.get_by_test_id("template-form")
    form.locator("#id_tag").fill("Retours")
    form.locator("#id_name").fill("Étiquette de retour")
    form.locator("#id_subject").fill("Votre retour")
    # Typed key by key: htmx asks for the preview on "input" events.
    form.locator("#id_body").press_sequentially(
        "Bonjour {{ customer_name }}, voici votre étiquette de retour."
    )
    expect(page.get_by_test_id("template-preview")).to_have_text(
        "Bonjour Claire Martin, voici votre étiquette de retour."
    )
    shot(page, "admin-template.png")
    submit(page, "[data-testid=template-form]")
    expect(page).to_have_url(base + "/manage/campaigns/retours/advanced/")
    template = EmailTemplate.objects.get(campaign=campaign)
    assert (template.tag, template.name) == ("Retours", "Étiquette de retour")
    expect(page.get_by_test_id(f"template-{template.pk}")).to_be_visible()
    shot(page, "admin-advanced.png")

    # --- Icon tab: a built-in icon --------------------------------------------------------
    page.locator("nav.editor-tabs a[href$='/icon/']").click()
    expect(page).to_have_url(base + "/manage/campaigns/retours/icon/")
    icon = BUILTIN_ICONS[0]
    choice = page.get_by_test_id("builtin-icon-form").locator(
        f"button[name=builtin_icon][value='{icon}']"
    )
    choice.click()
    expect(choice).to_have_attribute("aria-pressed", "true")
    current = page.locator("main img.campaign-icon")
    expect(current).to_be_visible()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=current.element_handle()
    )
    campaign.refresh_from_db()
    assert campaign.builtin_icon == icon
    shot(page, "admin-icon.png")

    # --- Qualification tab: a final outcome and a question --------------------------------
    page.locator("nav.editor-tabs a[href$='/qualification/']").click()
    expect(page).to_have_url(base + "/manage/campaigns/retours/qualification/")
    expect(page.get_by_test_id("standard-outcomes")).to_be_visible()
    page.locator("details:has([data-testid=script-new-form]) > summary").click()
    page.get_by_test_id("script-new-form").locator("[name=name]").fill("Retours clients")
    submit(page, "[data-testid=script-new-form]")
    expect(page.get_by_test_id("script-version")).to_be_visible()
    outcome = page.get_by_test_id("outcome-form")
    outcome.locator("[name=code]").fill("rembourse")
    outcome.locator("[name=label]").fill("Remboursé")
    outcome.locator("[name=kind]").select_option("final")
    submit(page, "[data-testid=outcome-form]")
    expect(page.get_by_test_id("outcome-rembourse")).to_be_visible()

    question = page.get_by_test_id("question-form")
    question.locator("[name=name]").fill("motif")
    question.locator("[name=label]").fill("Motif du retour")
    question.locator("[name=field_type]").select_option("choice")
    question.locator("[name=choices]").fill("Défectueux\nTaille\nAutre")
    question.locator("[name=required]").check()
    submit(page, "[data-testid=question-form]")
    expect(page.get_by_test_id("question-motif")).to_be_visible()
    campaign.refresh_from_db()
    script = campaign.qualification_script
    assert script is not None and script.name == "Retours clients"
    version = script.versions.get()  # unused so far: changed in place, version 1
    assert version.outcomes.filter(code="rembourse", kind="final").exists()
    motif = version.questions.get(name="motif")
    assert motif.required and motif.choices == ["Défectueux", "Taille", "Autre"]
    shot(page, "admin-qualification.png")

    # --- Import history: an mbox, the worker's job, the history ---------------------------
    page.locator("nav.editor-tabs a[href$='/imports/']").click()
    expect(page).to_have_url(base + "/manage/campaigns/retours/imports/")
    upload = page.locator("main form[enctype='multipart/form-data']")
    upload.locator("input[name=kind][value=mail]").check()
    upload.locator("input[name=file]").set_input_files(str(write_mbox(tmp_path / "retours.mbox")))
    submit(page, "main form[enctype='multipart/form-data']")
    expect(page).to_have_url(base + "/manage/campaigns/retours/imports/")
    job = ImportJob.objects.get(campaign=campaign)
    row = page.locator(f"#import-{job.pk}")
    expect(row).to_have_attribute("data-state", ImportState.QUEUED)

    assert import_job("browser-test", once=True) == 1
    job.refresh_from_db()
    assert (job.state, job.created_count, job.failed_count) == (ImportState.DONE, 3, 0)
    # htmx polls the queued row every 2 s: it turns to "done" without a reload.
    expect(row).to_have_attribute("data-state", ImportState.DONE, timeout=20_000)
    expect(row).to_contain_text("3")
    shot(page, "admin-imports.png")

    # The tab's former address leads to the same, one history.
    page.goto(base + "/manage/campaigns/retours/history/")
    expect(page).to_have_url(base + "/manage/campaigns/retours/imports/")
    expect(page.get_by_test_id(f"history-job-{job.pk}")).to_have_attribute(
        "data-state", ImportState.DONE
    )
    expect(page.get_by_test_id(f"history-job-{job.pk}")).to_have_attribute("data-created", "3")
    shot(page, "admin-history.png")
    assert Ticket.objects.filter(campaign=campaign).count() == 3

    # --- Nina logs in: only her team's campaign -------------------------------------------
    nina_page = login(browser, contexts, base, "nina", NINA_PASSWORD)
    expect(nina_page.get_by_test_id("campaign-retours")).to_be_visible()
    expect(nina_page.locator("li.campaign-card")).to_have_count(1)
    expect(nina_page.get_by_test_id("campaign-support")).to_have_count(0)
    expect(nina_page.get_by_test_id("campaign-orders")).to_have_count(0)
    shot(nina_page, "admin-agent-campaigns.png")

    for name in (
        "admin-user.png",
        "admin-team.png",
        "admin-info.png",
        "admin-template.png",
        "admin-advanced.png",
        "admin-icon.png",
        "admin-qualification.png",
        "admin-imports.png",
        "admin-history.png",
        "admin-agent-campaigns.png",
    ):
        path = screenshot_dir() / name
        assert path.exists() and path.stat().st_size > 0, name
