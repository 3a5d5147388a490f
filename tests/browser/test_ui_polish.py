"""What a browser shows of issue 12 §3, in French at 1366×768 and at 800 px wide: every kind
of field styled alike (text, email, number, date, time, select), the ticket list without
horizontal overflow, a ticket's status, flag and priority told apart by their shape, and the
app's own pages for a confirmation and a missing page. Screenshots: polish-<page>-<width>.png
under $COMPTOIR_DATA_DIR/screenshots."""

from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, BrowserContext, Page, expect

from comptoir.campaigns.models import EmailTemplate
from comptoir.tenancy.models import Role, User
from comptoir.tickets.models import Ticket
from tests.browser.conftest import screenshot_dir
from tests.conftest import Acme, make_acme
from tests.test_isolation import RIGHTS
from tests.ui.conftest import make_ticket

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(180)]

WIDTHS = ((1366, 768), (800, 768))

# Each field's box as computed: the same for every kind of field.
FIELD_STYLES = """(selector) => [...document.querySelectorAll(selector)].map(el => {
  const s = getComputedStyle(el);
  return {type: el.type || el.tagName, border: s.borderTopWidth + ' ' + s.borderTopStyle + ' '
          + s.borderTopColor, radius: s.borderTopLeftRadius, font: s.fontFamily};
})"""

OVERFLOW = """() => ({scroll: document.documentElement.scrollWidth,
                     client: document.documentElement.clientWidth})"""

SHAPE = """(el) => { const s = getComputedStyle(el), b = getComputedStyle(el, '::before');
  return {radius: s.borderTopLeftRadius, background: s.backgroundColor, mark: b.content}; }"""


def french_admin(acme: Acme) -> User:
    return User.objects.create_user(
        domain=acme.domain, login="ada", password="pw", role=Role.ADMIN, language="fr", **RIGHTS
    )


def logged_in(browser: Browser, contexts: list[BrowserContext], base: str, size: Any) -> Page:
    context = browser.new_context(viewport={"width": size[0], "height": size[1]}, locale="fr-FR")
    contexts.append(context)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(base + "/login/")
    page.locator("#id_login").fill("ada")
    page.locator("#id_password").fill("pw")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(base + "/supervision/")  # an administrator supervises
    return page


def long_tickets(acme: Acme) -> Ticket:
    for n in range(6):
        make_ticket(
            acme.support if n % 2 else acme.orders,
            subject=f"Ma commande {n} n'est toujours pas arrivée malgré trois relances",
            contact_email=f"claire.martin-dupont.{n}@un-fournisseur-d-acces-tres-long.example",
        )
    special = make_ticket(acme.support, subject="Réclamation urgente")
    Ticket.objects.filter(pk=special.pk).update(flagged=True, priority=5)
    return special


def no_overflow(page: Page, where: str) -> None:
    sizes = page.evaluate(OVERFLOW)
    assert sizes["scroll"] <= sizes["client"], (where, sizes)


def shot(page: Page, name: str, width: int) -> None:
    page.screenshot(path=str(screenshot_dir() / f"polish-{name}-{width}.png"), full_page=True)


def test_fields_lists_badges_and_app_pages_in_french(
    browser: Browser, contexts: list[BrowserContext], live_server: Any
) -> None:
    acme = make_acme()
    french_admin(acme)
    special = long_tickets(acme)
    template = EmailTemplate.objects.create(
        domain=acme.domain, campaign=acme.support, name="Relance", body="x"
    )
    base = f"http://acme.localhost:{live_server.thread.port}"
    for size in WIDTHS:
        width = size[0]
        page = logged_in(browser, contexts, base, size)
        expect(page.locator("html")).to_have_attribute("lang", "fr")

        page.goto(base + reverse("ui:tickets"))
        expect(page.locator("#ticket-results table")).to_be_visible()
        no_overflow(page, f"ticket list at {width}")
        table = page.locator("#ticket-results table").bounding_box()
        assert table is not None and table["x"] + table["width"] <= width
        status = page.locator(f"tr:has(a[href='/tickets/{special.number}/']) .status")
        flag = page.get_by_test_id(f"flag-{special.number}")
        priority = page.get_by_test_id(f"priority-{special.number}")
        expect(flag).to_have_text("Signalé")
        shapes = [element.evaluate(SHAPE) for element in (status, flag, priority)]
        assert len({(s["radius"], s["mark"]) for s in shapes}) == 3, shapes
        shot(page, "tickets", width)

        page.goto(base + "/manage/campaigns/support/advanced/")
        styles = page.evaluate(
            FIELD_STYLES,
            "main input:not([type=checkbox]):not([type=radio])"
            ":not([type=hidden]):not([type=file]), main select",
        )
        kinds = {s["type"] for s in styles}
        assert {"number", "date", "time", "datetime-local", "text"} <= kinds, kinds
        assert len({(s["border"], s["radius"], s["font"]) for s in styles}) == 1, styles
        no_overflow(page, f"advanced tab at {width}")
        shot(page, "fields", width)

        page.goto(base + reverse("ui:user_create"))
        styles = page.evaluate(
            FIELD_STYLES, "main input[type=text], main input[type=email], main select"
        )
        assert {"email", "text", "select-one"} <= {s["type"] for s in styles}
        assert len({(s["border"], s["radius"], s["font"]) for s in styles}) == 1, styles
        expect(page.locator("#id_role")).to_have_value("agent")

        page.goto(base + "/manage/campaigns/support/advanced/")
        page.get_by_test_id(f"remove-template-{template.pk}").click()
        expect(page.get_by_test_id("confirm")).to_contain_text("Supprimer le modèle « Relance » ?")
        no_overflow(page, f"confirmation at {width}")
        shot(page, "confirm", width)
        page.get_by_test_id("confirm-cancel").click()
        expect(page).to_have_url(base + "/manage/campaigns/support/advanced/")

        page.goto(base + "/nulle-part/")
        expect(page.get_by_test_id("error-404")).to_contain_text("Page introuvable")
        expect(page.get_by_test_id("mainnav")).to_be_visible()
        no_overflow(page, f"404 at {width}")
        shot(page, "not-found", width)
    assert EmailTemplate.objects.filter(pk=template.pk).exists()
