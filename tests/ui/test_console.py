"""The agent's console: the campaign list with its play buttons, the processing screen,
"Qualify and next" (htmx), pause, the heartbeat and its notices, in French and English."""

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comptoir.campaigns.models import AttachmentDisplay, EmailTemplate
from comptoir.distribution.models import EndReason, Processing
from comptoir.scripts.models import FieldType, OutcomeKind, QualificationField, QualificationOutcome
from comptoir.supervision.models import PauseReason
from comptoir.tenancy.models import Role, Team, User
from comptoir.tickets.models import Direction, Message, Ticket, TicketStatus
from tests.conftest import Acme, make_acme, script_version
from tests.ui.conftest import add_message, client_for, make_ticket
from tests.ui.test_tickets import attach

HTMX = {"HTTP_HX_REQUEST": "true"}


def waiting_ticket(acme: Acme, subject: str = "Colis pas arrivé", **fields: object) -> Ticket:
    ticket = make_ticket(acme.support, subject=subject, **fields)  # type: ignore[arg-type]
    add_message(ticket, message_id=f"{subject[:10]}-{ticket.number}@client.test")
    return ticket


def play(client: Client, slug: str = "support") -> Processing:
    response = client.post(reverse("ui:play", args=[slug]))
    assert response.status_code == 302, response.content
    processing_id = int(response["Location"].strip("/").split("/")[-1])
    return Processing.objects.get(pk=processing_id)


def process_url(processing: Processing) -> str:
    return reverse("ui:process", args=[processing.pk])


def qualify_url(processing: Processing) -> str:
    return reverse("ui:qualify_next", args=[processing.pk])


def english(client: Client) -> Client:
    client.cookies["django_language"] = "en"
    return client


# --- Campaign list -----------------------------------------------------------------------


def test_campaign_list_shows_the_playable_campaigns_with_what_waits(acme: Acme) -> None:
    waiting_ticket(acme, "Un")
    waiting_ticket(acme, "Deux")
    make_ticket(acme.support, subject="Fermé", status=TicketStatus.CLOSED)
    make_ticket(
        acme.support,
        subject="Bob",
        assignee=User.objects.create_user(domain=acme.domain, login="bob", password="pw"),
    )
    blocked = waiting_ticket(acme, "Bloqué")
    blocked.blocked_until = timezone.now() + timedelta(hours=1)
    blocked.save()
    mine = waiting_ticket(acme, "À moi", assignee=acme.agent)
    assert mine.has_unread
    hidden = Team.objects.create(domain=acme.domain, name="Autres")
    other = acme.domain.campaigns.create(slug="secret", name="Secret")
    other.agent_teams.add(hidden)
    page = english(client_for(acme.agent)).get(reverse("ui:campaigns")).text
    assert 'data-testid="play-support"' in page and 'data-testid="play-orders"' in page
    assert "play-secret" not in page and "Secret" not in page
    assert '<span data-testid="waiting-support">2 tickets waiting</span>' in page
    assert '<span data-testid="due-support">1 of your tickets is due</span>' in page
    assert '<span data-testid="waiting-orders">0 tickets waiting</span>' in page


def test_campaign_list_shows_the_icon_or_an_initial_badge(acme: Acme) -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 16
    acme.orders.icon.save("orders.png", ContentFile(png))
    client = client_for(acme.agent)
    page = client.get(reverse("ui:campaigns")).text
    icon_url = reverse("ui:campaign_icon", args=["orders"])
    assert f'src="{icon_url}"' in page
    assert "campaign-badge" in page and ">S</span>" in page  # Support has no icon
    response = client.get(icon_url)
    assert response.status_code == 200 and response.content == png
    assert response["Content-Type"] == "image/png"
    assert client.get(reverse("ui:campaign_icon", args=["support"])).status_code == 404


def test_agent_lands_on_the_campaign_list_after_login(acme: Acme) -> None:
    client = Client(HTTP_HOST="acme.localhost")
    response = client.post(reverse("ui:login"), {"login": "alice", "password": "pw"})
    assert response["Location"] == reverse("ui:campaigns")


def test_campaign_of_another_team_or_domain_does_not_exist(acme: Acme) -> None:
    globex = make_acme("globex")
    theirs = Team.objects.create(domain=acme.domain, name="Autres")
    secret = acme.domain.campaigns.create(slug="secret", name="Secret")
    secret.agent_teams.add(theirs)
    waiting_ticket(acme)
    client = client_for(acme.agent)
    for slug in ("secret", "nowhere"):
        assert client.post(reverse("ui:play", args=[slug])).status_code == 404
        assert client.get(reverse("ui:campaign_icon", args=[slug])).status_code == 404
    # Globex's "support" is not Acme's, whatever its slug.
    make_ticket(globex.support)
    processing = play(client)
    assert processing.ticket.domain_id == acme.domain.pk


# --- Play --------------------------------------------------------------------------------


def test_play_serves_the_next_ticket_locked_to_the_agent_in_the_console(acme: Acme) -> None:
    ticket = waiting_ticket(acme)
    add_message(ticket, direction=Direction.NOTE, text="Client fidèle", author=acme.agent)
    client = client_for(acme.agent)
    processing = play(client)
    ticket.refresh_from_db()
    assert processing.ticket == ticket and processing.agent == acme.agent
    assert ticket.locked_by == acme.agent and ticket.locked_until > timezone.now()
    response = client.get(process_url(processing))
    page = response.text
    assert response.status_code == 200
    assert f"#{ticket.number}</span> Colis pas arrivé" in page
    assert "je n&#x27;ai rien reçu" in page and "Client fidèle" in page
    for testid in ("outcome", "reopen-at", "qualify-next", "pause", "assign", "heartbeat"):
        assert f'data-testid="{testid}"' in page
    assert 'id="reply-text"' in page
    assert f'action="{reverse("ui:console_reply", args=[processing.pk])}"' in page
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe" not in csp
    assert "vendor/htmx-2.0.11.min.js" in page and "ui/console.js" in page
    assert '"allowEval": false' in page


def test_play_with_nothing_waiting_says_why(acme: Acme) -> None:
    response = english(client_for(acme.agent)).post(reverse("ui:play", args=["support"]))
    assert response.status_code == 200
    assert "No ticket is waiting in this campaign." in response.text
    assert 'data-testid="no-ticket-reason"' in response.text


def test_play_on_a_closed_campaign_says_when_it_opens(acme: Acme) -> None:
    start = timezone.now() + timedelta(days=2)
    acme.support.planning_start = start
    acme.support.save()
    waiting_ticket(acme)
    response = english(client_for(acme.agent)).post(reverse("ui:play", args=["support"]))
    local = start.astimezone(ZoneInfo(acme.domain.time_zone))
    assert "This campaign starts on" in response.text
    assert f'datetime="{local.isoformat()}"' in response.text


def test_another_agents_processing_is_not_found(acme: Acme) -> None:
    waiting_ticket(acme)
    processing = play(client_for(acme.agent))
    bob = User.objects.create_user(domain=acme.domain, login="bob", password="pw")
    Team.objects.get(name="Agents").members.add(bob)
    client = client_for(bob)
    assert client.get(process_url(processing)).status_code == 404
    assert client.post(qualify_url(processing), {"outcome": "done"}).status_code == 404
    assert client.post(reverse("ui:heartbeat", args=[processing.pk])).status_code == 404
    assert client.post(reverse("ui:pause", args=[processing.pk])).status_code == 404


# --- Qualify and next --------------------------------------------------------------------


def test_qualify_and_next_returns_the_next_ticket_as_a_fragment(acme: Acme) -> None:
    first = waiting_ticket(acme, "Premier")
    second = waiting_ticket(acme, "Second")
    client = client_for(acme.agent)
    processing = play(client)
    assert processing.ticket == first
    response = client.post(qualify_url(processing), {"outcome": "done"}, **HTMX)
    processing.refresh_from_db()
    first.refresh_from_db()
    assert processing.end_reason == EndReason.QUALIFIED and processing.outcome_code == "done"
    assert first.status == TicketStatus.CLOSED
    following = Processing.objects.get(ticket=second)
    assert response.status_code == 200
    assert response["HX-Push-Url"] == process_url(following)
    page = response.text
    assert page.lstrip().startswith('<div id="console"')
    assert "<html" not in page
    assert f"#{second.number}</span> Second" in page
    assert 'data-testid="qualified-notice"' in page and f"#{first.number}" in page
    assert "data-focus-after-swap" in page


def test_qualify_and_next_without_javascript_redirects_to_the_next_ticket(acme: Acme) -> None:
    waiting_ticket(acme, "Premier")
    second = waiting_ticket(acme, "Second")
    client = client_for(acme.agent)
    processing = play(client)
    response = client.post(qualify_url(processing), {"outcome": "done"})
    assert response.status_code == 302
    assert response["Location"] == process_url(Processing.objects.get(ticket=second))


def test_qualify_the_last_ticket_says_nothing_waits(acme: Acme) -> None:
    waiting_ticket(acme)
    client = english(client_for(acme.agent))
    processing = play(client)
    response = client.post(qualify_url(processing), {"outcome": "done"}, **HTMX)
    assert response["HX-Push-Url"] == reverse("ui:campaigns")
    assert "No ticket is waiting in this campaign." in response.text
    assert 'data-testid="nothing-to-play"' in response.text


def script(acme: Acme) -> None:
    for position, (code, label, kind) in enumerate(
        [
            ("resolu", "Résolu", OutcomeKind.FINAL),
            ("a-reouvrir", "A réouvrir plus tard", OutcomeKind.REOPEN_LATER),
        ]
    ):
        QualificationOutcome.objects.create(
            domain=acme.domain,
            version=script_version(acme.support),
            code=code,
            label=label,
            kind=kind,
            position=position,
        )
    QualificationField.objects.create(
        domain=acme.domain,
        version=script_version(acme.support),
        name="motif",
        label="Motif",
        field_type=FieldType.CHOICE,
        choices=["Livraison", "Facture"],
        required=True,
    )
    QualificationField.objects.create(
        domain=acme.domain,
        version=script_version(acme.support),
        name="satisfait",
        label="Client satisfait",
        field_type=FieldType.YES_NO,
    )


def test_console_renders_the_campaigns_qualification_script(acme: Acme) -> None:
    script(acme)
    waiting_ticket(acme)
    client = client_for(acme.agent)
    page = client.get(process_url(play(client))).text
    assert 'data-testid="outcome-a-reouvrir"' in page and 'data-kind="reopen_later"' in page
    assert "A réouvrir plus tard" in page and "Résolu" in page
    assert '<option value="Livraison">Livraison</option>' in page
    assert 'name="answer_satisfait"' in page and 'type="radio"' in page


def test_qualification_errors_are_shown_by_field_and_nothing_changes(acme: Acme) -> None:
    script(acme)
    ticket = waiting_ticket(acme)
    client = english(client_for(acme.agent))
    processing = play(client)
    response = client.post(qualify_url(processing), {"outcome": "", "answer_motif": ""}, **HTMX)
    page = response.text
    assert response.status_code == 200
    assert "Choose one of the campaign&#x27;s outcomes." in page
    assert 'id="qualify-outcome_error"' in page
    assert 'id="qualify-answer_motif_error"' in page and "This answer is required." in page
    assert "HX-Push-Url" in response and response["HX-Push-Url"] == process_url(processing)
    processing.refresh_from_db()
    assert processing.ended_at is None
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.OPEN and ticket.locked_by == acme.agent


def test_reopen_later_needs_a_date_in_the_future(acme: Acme) -> None:
    script(acme)
    ticket = waiting_ticket(acme)
    client = english(client_for(acme.agent))
    processing = play(client)
    answers = {"outcome": "a-reouvrir", "answer_motif": "Livraison"}
    missing = client.post(qualify_url(processing), answers, **HTMX).text
    assert "Reopening later needs a date." in missing and "reopen-shown" in missing
    past_date = {**answers, "reopen_at": "2001-01-01T10:00"}
    past = client.post(qualify_url(processing), past_date, **HTMX)
    assert "The reopening date must be in the future." in past.text
    later = (timezone.now() + timedelta(days=3)).astimezone(ZoneInfo(acme.domain.time_zone))
    typed = later.strftime("%Y-%m-%dT%H:%M")
    client.post(qualify_url(processing), {**answers, "reopen_at": typed}, **HTMX)
    ticket.refresh_from_db()
    assert ticket.reopen_at == later.replace(second=0, microsecond=0)
    assert ticket.assignee == acme.agent
    processing.refresh_from_db()
    assert processing.answers == {"motif": "Livraison"}


def test_a_reopen_date_typed_for_another_outcome_is_ignored(acme: Acme) -> None:
    ticket = waiting_ticket(acme)
    client = client_for(acme.agent)
    processing = play(client)
    client.post(qualify_url(processing), {"outcome": "done", "reopen_at": "2001-01-01T10:00"})
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.CLOSED and ticket.reopen_at is None


# --- Pause, heartbeat --------------------------------------------------------------------


def test_pause_releases_the_ticket_and_shows_the_pause_page(acme: Acme) -> None:
    """Issue 13: the agent chooses a reason and waits on the pause page ("Reprendre")."""
    ticket = waiting_ticket(acme)
    client = client_for(acme.agent)
    processing = play(client)
    lunch = PauseReason.objects.get(domain=acme.domain, label="Déjeuner")
    response = client.post(reverse("ui:pause", args=[processing.pk]), {"reason": lunch.pk})
    assert response["Location"] == reverse("ui:paused")
    ticket.refresh_from_db()
    processing.refresh_from_db()
    assert ticket.locked_by is None and ticket.attempts == 0
    assert processing.end_reason == EndReason.RELEASED
    # The console of a finished processing sends the agent back to their campaigns.
    assert client.get(process_url(processing))["Location"] == reverse("ui:campaigns")


def test_heartbeat_renews_the_lock(acme: Acme) -> None:
    ticket = waiting_ticket(acme)
    client = client_for(acme.agent)
    processing = play(client)
    Ticket.objects.filter(pk=ticket.pk).update(locked_until=timezone.now() + timedelta(seconds=5))
    response = client.post(reverse("ui:heartbeat", args=[processing.pk]), {"seen": "0"}, **HTMX)
    ticket.refresh_from_db()
    assert ticket.locked_until > timezone.now() + timedelta(seconds=60)
    assert 'hx-trigger="every 30s"' in response.text  # a third of 300 s, at most 30 s
    assert "lock-lost" not in response.text


def test_heartbeat_reports_a_lost_lock_and_stops(acme: Acme) -> None:
    ticket = waiting_ticket(acme)
    client = english(client_for(acme.agent))
    processing = play(client)
    client_for(acme.supervisor).post(reverse("ui:unlock", args=[ticket.number]))
    response = client.post(reverse("ui:heartbeat", args=[processing.pk]), {"seen": "0"}, **HTMX)
    assert 'data-testid="lock-lost"' in response.text
    assert "Your lock on this ticket expired" in response.text
    assert "hx-trigger" not in response.text


def test_heartbeat_tells_when_the_customer_wrote_during_the_processing(acme: Acme) -> None:
    ticket = waiting_ticket(acme)
    client = client_for(acme.agent)
    processing = play(client)
    page = client.get(process_url(processing)).text
    seen = ticket.messages.get().pk
    assert f'hx-vals=\'{{"seen": "{seen}"}}\'' in page
    url = reverse("ui:heartbeat", args=[processing.pk])
    assert "new-message-notice" not in client.post(url, {"seen": seen}, **HTMX).text
    add_message(ticket, text="Je précise : colis 42.")
    notice = client.post(url, {"seen": seen}, **HTMX).text
    assert 'data-testid="new-message-notice"' in notice
    assert "Le client a écrit un nouveau message." in notice
    assert f'href="{process_url(processing)}"' in notice
    # Reloading shows the message and forgets the notice.
    page = client.get(process_url(processing)).text
    assert "colis 42" in page
    newest = Message.objects.filter(ticket=ticket).order_by("-id").first()
    assert newest is not None and f'"seen": "{newest.pk}"' in page


# --- Replying from the console ------------------------------------------------------------


def test_reply_from_the_console_comes_back_to_the_console(acme: Acme) -> None:
    ticket = waiting_ticket(acme)
    client = client_for(acme.agent)
    processing = play(client)
    response = client.post(
        reverse("ui:console_reply", args=[processing.pk]), {"text": "Bonjour, c'est parti."}
    )
    reply = ticket.messages.get(direction=Direction.OUTBOUND)
    assert response["Location"] == f"{process_url(processing)}#message-{reply.pk}"
    empty = client.post(reverse("ui:console_note", args=[processing.pk]), {"text": " "})
    assert empty.status_code == 200 and 'data-testid="console"' in empty.text


def test_attachments_are_previewed_when_the_campaign_says_so(acme: Acme) -> None:
    acme.support.attachment_display = AttachmentDisplay.PREVIEW
    acme.support.save()
    ticket = waiting_ticket(acme)
    message = ticket.messages.get()
    image = attach(message, "photo.png", "image/png", b"\x89PNG\r\n\x1a\nxx")
    pdf = attach(message, "facture.pdf", "application/pdf", b"%PDF-1.4 x")
    svg = attach(message, "logo.svg", "image/svg+xml", b"<svg/>")
    client = client_for(acme.agent)
    page = client.get(process_url(play(client))).text
    image_url = reverse("ui:attachment", args=[ticket.number, image.pk])
    pdf_url = reverse("ui:attachment", args=[ticket.number, pdf.pk])
    svg_url = reverse("ui:attachment", args=[ticket.number, svg.pk])
    assert f'<img src="{image_url}"' in page
    assert f'<iframe class="attachment-preview attachment-pdf" src="{pdf_url}?preview=1"' in page
    assert f'src="{svg_url}' not in page  # an SVG is a link, never shown
    preview = client.get(pdf_url + "?preview=1")
    assert preview["Content-Disposition"].startswith("inline;")
    assert preview["X-Frame-Options"] == "SAMEORIGIN"
    assert preview["X-Content-Type-Options"] == "nosniff"
    # An HTML file asked as a preview is still downloaded.
    html = attach(message, "page.html", "text/html", b"<script>alert(1)</script>")
    forced = client.get(reverse("ui:attachment", args=[ticket.number, html.pk]) + "?preview=1")
    assert forced["Content-Disposition"].startswith("attachment;")


def test_attachments_are_a_list_by_default(acme: Acme) -> None:
    ticket = waiting_ticket(acme)
    attach(ticket.messages.get(), "photo.png", "image/png", b"\x89PNG\r\n\x1a\nxx")
    client = client_for(acme.agent)
    page = client.get(process_url(play(client))).text
    assert "photo.png" in page and "<img" not in page


# --- Languages ---------------------------------------------------------------------------


def test_console_speaks_french_by_default_and_english_when_asked(acme: Acme) -> None:
    waiting_ticket(acme)
    client = client_for(acme.agent)
    processing = play(client)
    french = client.get(process_url(processing)).text
    assert "Qualifier et suivant" in french and "M'affecter ce ticket" in french
    assert "Mettre en pause" in french
    assert "Traiter les tickets" in client.get(reverse("ui:campaigns")).text
    english_page = english(client).get(process_url(processing)).text
    assert "Qualify and next" in english_page and "Assign to me" in english_page
    assert "Process tickets" in english(client).get(reverse("ui:campaigns")).text


def test_a_supervisor_without_the_right_to_process_has_no_play_button(acme: Acme) -> None:
    watcher = User.objects.create_user(
        domain=acme.domain,
        login="vera",
        password="pw",
        role=Role.SUPERVISOR,
        can_supervise=True,
        can_process=False,
    )
    page = client_for(watcher).get(reverse("ui:campaigns")).text
    assert 'data-testid="play-' not in page
    assert client_for(watcher).post(reverse("ui:play", args=["support"])).status_code == 404


def test_a_template_inserted_in_the_console_fills_the_reply(acme: Acme) -> None:
    template = EmailTemplate.objects.create(
        domain=acme.domain,
        campaign=acme.support,
        tag="Livraison",
        name="Colis parti",
        body="Bonjour {{ customer_name }}, votre colis est parti.",
    )
    waiting_ticket(acme)
    client = client_for(acme.agent)
    processing = play(client)
    page = client.get(process_url(processing), {"template": template.pk}).text
    assert "Bonjour Claire Client, votre colis est parti." in page
    assert '<optgroup label="Livraison">' in page
    assert f'hx-get="{process_url(processing)}"' in page and 'hx-select="#reply-text"' in page
    assert 'data-testid="insert-template"' in page


def test_qualifying_a_processing_that_is_over_says_so(acme: Acme) -> None:
    ticket = waiting_ticket(acme)
    client = english(client_for(acme.agent))
    processing = play(client)
    client_for(acme.supervisor).post(reverse("ui:unlock", args=[ticket.number]))
    response = client.post(qualify_url(processing), {"outcome": "done"}, **HTMX)
    assert "This processing is already over." in response.text
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.OPEN
