"""Play mode end to end in a real Chromium: mail comes in through the SMTP listener, an agent
processes it in the console (assign, template, reply, "reopen later", "qualify and next"),
another agent cannot see it, and the customer's answer brings it back to the first agent ahead
of the queue.

Django's live server and the SMTP listener run in threads of this process, each with its own
database connection: the database is transactional (committed rows, seen by every thread).
The browser asks for French (the default language), as the agents of these tests do.
"""

import re
import smtplib
import socket
from collections.abc import Iterator
from datetime import UTC, timedelta
from email.message import EmailMessage
from email.policy import SMTP
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page, expect

from comptoir.campaigns.models import EmailTemplate
from comptoir.distribution.models import Processing
from comptoir.mail.server import build_controller
from comptoir.tenancy.models import Role, Team, User
from comptoir.tickets.models import Direction, Message, Ticket
from tests.browser.conftest import screenshot_dir
from tests.conftest import make_acme

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(120)]

VIEWPORT = {"width": 1280, "height": 800}
PARIS = ZoneInfo("Europe/Paris")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def smtp_port() -> Iterator[int]:
    """The real SMTP listener, in a thread of this process, on a free loopback port."""
    port = free_port()
    controller = build_controller("127.0.0.1", port, lmtp=False)
    controller.start()
    yield port
    controller.stop()


def customer_mail(
    port: int,
    *,
    sender: str,
    subject: str,
    body: str,
    message_id: str,
    in_reply_to: str = "",
) -> Ticket:
    """Send one message to support@acme.test over SMTP; the ticket it was stored in."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "support@acme.test"
    message["Subject"] = subject
    message["Message-ID"] = message_id
    if in_reply_to:
        message["In-Reply-To"] = message["References"] = in_reply_to
    message.set_content(body)
    with smtplib.SMTP("127.0.0.1", port) as client:
        client.ehlo("client.test")
        client.mail("customer@client.test")
        assert client.rcpt("support@acme.test")[0] == 250
        code, text = client.data(message.as_bytes(policy=SMTP))
        assert code == 250, text
    stored = Message.objects.get(message_id=message_id.strip("<>"))
    return Ticket.objects.get(pk=stored.ticket_id)


def login(
    browser: Browser, contexts: list[BrowserContext], base: str, user: str
) -> tuple[BrowserContext, Page]:
    """A fresh browser context (its own cookies), logged in from the site's root."""
    context = browser.new_context(viewport=VIEWPORT, locale="fr-FR")  # type: ignore[arg-type]
    contexts.append(context)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(base + "/")
    expect(page).to_have_url(re.compile(r"/login/"))
    page.get_by_label("Identifiant").fill(user)
    page.get_by_label("Mot de passe").fill("pw")
    page.get_by_role("button", name="Se connecter").click()
    # Supervisors (sam: a seat in acme's Supervision team) land on the board, agents on
    # their campaigns (issue 13).
    landing = "/supervision/" if user == "sam" else "/campaigns/"
    expect(page).to_have_url(base + landing)
    return context, page


def shot(page: Page, name: str, **options: Any) -> None:
    path = screenshot_dir() / name
    page.screenshot(path=str(path), **options)
    assert path.exists() and path.stat().st_size > 0


def processing_url(base: str) -> re.Pattern[str]:
    return re.compile(re.escape(base) + r"/process/(\d+)/")


def number(ticket: Ticket) -> re.Pattern[str]:
    """The ticket's number in a sentence ("Ticket n° 12 qualifié"), not a part of another."""
    return re.compile(rf"(?<!\d){ticket.number}(?!\d)")


def console_title(page: Page, ticket: Ticket) -> None:
    expect(page.locator("#console-title")).to_contain_text(f"#{ticket.number}")


def play_support(page: Page, base: str) -> int:
    """Press play on the support campaign; the processing id the console shows."""
    page.get_by_test_id("play-support").click()
    expect(page).to_have_url(processing_url(base))
    match = processing_url(base).match(page.url)
    assert match is not None
    return int(match.group(1))


def pause(page: Page, base: str) -> None:
    """The "Pause" menu, its first reason (Déjeuner), the pause page, back to the campaigns."""
    page.get_by_test_id("pause").click()
    page.get_by_test_id("pause-reason-1").click()
    expect(page).to_have_url(base + "/play/paused/")
    expect(page.get_by_test_id("paused")).to_contain_text("Déjeuner")
    page.goto(base + "/campaigns/")


def test_agent_plays_replies_reopens_later_and_the_customer_brings_it_back(
    browser: Browser, contexts: list[BrowserContext], live_server: Any, smtp_port: int
) -> None:
    # --- Setup: Acme, a second agent, a template, three tickets through SMTP -------------
    acme = make_acme()
    bob = User.objects.create_user(domain=acme.domain, login="bob", password="pw", role=Role.AGENT)
    Team.objects.get(domain=acme.domain, name="Agents").members.add(bob)
    EmailTemplate.objects.create(
        domain=acme.domain,
        campaign=acme.support,
        tag="Accès",
        name="Compte débloqué",
        body="Bonjour {{ customer_name }}, votre compte est débloqué.",
    )
    claire = customer_mail(
        smtp_port,
        sender="Claire Martin <claire@client.test>",
        subject="Compte bloqué",
        body="Bonjour, je ne peux plus me connecter à mon compte.",
        message_id="<c1@client.test>",
    )
    second = customer_mail(
        smtp_port,
        sender="Paul Durand <paul@client.test>",
        subject="Facture en double",
        body="J'ai reçu deux factures.",
        message_id="<p1@client.test>",
    )
    third = customer_mail(
        smtp_port,
        sender="Inès Roy <ines@client.test>",
        subject="Changement d'adresse",
        body="Je déménage le mois prochain.",
        message_id="<i1@client.test>",
    )
    assert len({claire.number, second.number, third.number}) == 3
    base = f"http://acme.localhost:{live_server.thread.port}"

    # --- Alice: campaign list, play, assign, template, reply ------------------------------
    _, alice = login(browser, contexts, base, "alice")
    expect(alice.get_by_test_id("waiting-support")).to_contain_text("3")
    shot(alice, "campaign-list.png")

    first_processing = play_support(alice, base)
    console_title(alice, claire)
    # In the thread (the reply box quotes it too, issue 12).
    thread = alice.locator(".thread")
    expect(thread.get_by_text("je ne peux plus me connecter à mon compte")).to_be_visible()
    shot(alice, "processing.png")
    shot(alice, "processing-full.png", full_page=True)

    alice.get_by_test_id("assign").click()
    expect(alice.get_by_test_id("remove-assignment")).to_be_visible()
    claire.refresh_from_db()
    assert claire.assignee_id == acme.agent.pk

    alice.get_by_label("Modèle").select_option(label="Compte débloqué")
    alice.get_by_test_id("insert-template").click()
    reply_text = alice.locator("#reply-text")
    expect(reply_text).to_have_value("Bonjour Claire Martin, votre compte est débloqué.")
    reply_text.press("End")
    reply_text.type(" Bonne journée.")
    alice.get_by_test_id("send-reply").click()
    expect(alice).to_have_url(re.compile(rf"/process/{first_processing}/#message-\d+$"))
    expect(alice.get_by_text("Bonne journée.").first).to_be_visible()

    reply = Message.objects.get(ticket=claire, direction=Direction.OUTBOUND)
    assert reply.delivery_state == "queued"
    assert reply.text.startswith("Bonjour Claire Martin, votre compte est débloqué. Bonne journée.")
    assert reply.message_id

    # --- Reopen later, in an hour (the domain's time), then "qualify and next" ------------
    alice.get_by_test_id("outcome-reopen-later").check()
    reopen_field = alice.get_by_test_id("reopen-at")
    expect(reopen_field).to_be_visible()
    reopen_local = (timezone.now().astimezone(PARIS) + timedelta(hours=1)).replace(
        second=0, microsecond=0
    )
    reopen_field.fill(reopen_local.strftime("%Y-%m-%dT%H:%M"))
    shot(alice, "reopen-later.png")
    alice.evaluate("window.comptoirSamePage = true")  # gone if the page reloads
    alice.get_by_test_id("qualify-next").click()
    expect(alice.get_by_test_id("qualified-notice")).to_contain_text(number(claire))
    console_title(alice, second)
    expect(alice).to_have_url(processing_url(base))
    assert alice.url != f"{base}/process/{first_processing}/"
    assert alice.evaluate("window.comptoirSamePage") is True
    # Settled: console.js moved the focus to the new ticket's title (and scrolled to the top).
    expect(alice.locator("#console-title")).to_be_focused()
    shot(alice, "next-ticket.png")

    claire.refresh_from_db()
    assert claire.assignee_id == acme.agent.pk and claire.locked_by_id is None
    assert claire.reopen_at == reopen_local.astimezone(UTC)
    assert not claire.has_unread
    # Alice stops for now: the second ticket goes back to the queue as it was.
    pause(alice, base)
    expect(alice.get_by_test_id("due-support")).to_contain_text("0")

    # --- Bob: Alice's ticket does not exist for him ---------------------------------------
    _, bob_page = login(browser, contexts, base, "bob")
    for url in (f"/tickets/{claire.number}/", f"/process/{first_processing}/"):
        response = bob_page.goto(base + url)
        assert response is not None and response.status == 404, url

    # --- The customer answers Comptoir's reply: the ticket is due for Alice at once -------
    # A supervisor's urgent ticket now heads the queue: only Alice's due ticket beats it.
    Ticket.objects.filter(pk=third.pk).update(priority=10)
    answer = customer_mail(
        smtp_port,
        sender="Claire Martin <claire@client.test>",
        subject=f"Re: [#{claire.number}] Compte bloqué",
        body="Merci ! Et pour ma facture de mars ?",
        message_id="<c2@client.test>",
        in_reply_to=f"<{reply.message_id.strip('<>')}>",
    )
    assert answer.pk == claire.pk
    claire.refresh_from_db()
    assert claire.has_unread and claire.reopen_at is None
    assert claire.assignee_id == acme.agent.pk

    alice.reload()
    expect(alice.get_by_test_id("due-support")).to_contain_text("1")
    shot(alice, "campaign-list-due.png")
    play_support(alice, base)
    console_title(alice, claire)
    expect(alice.locator(".thread").get_by_text("Et pour ma facture de mars ?")).to_be_visible()
    shot(alice, "due-ticket.png")
    # Alice pauses without doing anything: the answer stays unread, the ticket hers and due.
    pause(alice, base)
    expect(alice.get_by_test_id("due-support")).to_contain_text("1")

    # Bob is served the urgent ticket, then the next one of the queue: never Claire's, older
    # than both and unlocked, but assigned to Alice.
    bob_page.goto(base + "/campaigns/")
    play_support(bob_page, base)
    console_title(bob_page, third)
    bob_page.get_by_test_id("outcome-done").check()
    bob_page.get_by_test_id("qualify-next").click()
    expect(bob_page.get_by_test_id("qualified-notice")).to_contain_text(number(third))
    console_title(bob_page, second)
    pause(bob_page, base)
    assert not Processing.objects.filter(ticket=claire, agent=bob).exists()

    # Alice presses play again: her ticket first, ahead of the waiting queue.
    play_support(alice, base)
    console_title(alice, claire)
    processing = Processing.objects.get(ticket=claire, ended_at__isnull=True)
    assert processing.agent_id == acme.agent.pk and processing.was_unread

    names = ("campaign-list.png", "processing.png", "reopen-later.png", "next-ticket.png")
    for name in (*names, "campaign-list-due.png", "due-ticket.png"):
        assert (screenshot_dir() / name).stat().st_size > 0
