"""Issue 12 §3, the console: the assign button before the qualification, the quoted message
shown under the reply box as it is sent, the idle warning then the give-back, and the empty
queue's page that keeps asking and serves the ticket as soon as one comes."""

import re
from datetime import timedelta

from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from comptoir.distribution.models import EndReason, Processing
from comptoir.tickets.models import Ticket
from tests.conftest import Acme
from tests.ui.conftest import add_message, client_for, make_ticket
from tests.ui.test_console import HTMX, play, process_url, waiting_ticket


def test_the_assign_button_comes_before_the_qualification(acme: Acme) -> None:
    waiting_ticket(acme)
    client = client_for(acme.agent)
    page = client.get(process_url(play(client))).text
    assert 0 < page.index('data-testid="assign"') < page.index('id="qualify-form"')


def test_the_quoted_message_is_shown_under_the_reply_box_as_it_is_sent(acme: Acme) -> None:
    ticket = make_ticket(acme.support, subject="Colis")
    add_message(ticket, text="Bonjour,\nmon colis n'est pas arrivé.\n\nClaire")
    client = client_for(acme.agent)
    page = client.get(process_url(play(client))).text
    quoted = re.search(r'<pre class="quoted-text"[^>]*>(.*?)</pre>', page, re.S)
    assert quoted is not None
    text = quoted.group(1)
    assert "a écrit :" in text and "&gt; mon colis n&#x27;est pas arrivé." in text
    assert "\n&gt;\n&gt; Claire" in text
    assert page.index('id="reply-text"') < page.index('data-testid="quoted-message"')


def test_no_quoted_message_when_the_campaign_does_not_quote(acme: Acme) -> None:
    acme.support.quote_previous = False
    acme.support.save()
    waiting_ticket(acme)
    client = client_for(acme.agent)
    assert "quoted-message" not in client.get(process_url(play(client))).text


def beat(client, processing: Processing, idle: int | None):  # type: ignore[no-untyped-def]
    data = {"seen": "0"} if idle is None else {"seen": "0", "idle": str(idle)}
    return client.post(reverse("ui:heartbeat", args=[processing.pk]), data, **HTMX)


@override_settings(COMPTOIR_IDLE_SECONDS=600)
def test_an_idle_console_is_warned_then_gives_the_ticket_back(acme: Acme) -> None:
    ticket = waiting_ticket(acme)
    client = client_for(acme.agent)
    processing = play(client)
    calm = beat(client, processing, 10).text
    assert "idle-warning" not in calm and 'hx-trigger="every' in calm
    warned = beat(client, processing, 500).text
    assert 'data-testid="idle-warning"' in warned and "Êtes-vous toujours là" in warned
    assert "100 secondes" in warned and "Je suis là" in warned
    assert Ticket.objects.get(pk=ticket.pk).locked_by_id == acme.agent.pk
    released = beat(client, processing, 600).text
    assert 'data-testid="idle-released"' in released and "10 minutes" in released
    assert 'hx-trigger="every' not in released  # the beat stops
    processing.refresh_from_db()
    assert processing.end_reason == EndReason.RELEASED
    assert Ticket.objects.get(pk=ticket.pk).locked_by_id is None


@override_settings(COMPTOIR_IDLE_SECONDS=600)
def test_the_ticket_page_says_it_went_back_after_inactivity(acme: Acme) -> None:
    ticket = waiting_ticket(acme)
    client = client_for(acme.agent)
    beat(client, play(client), 600)
    url = reverse("ui:ticket", args=[ticket.number])
    page = client.get(url).text
    assert "Rendu après inactivité" in page and "Traitement mis en pause" not in page
    assert "l’agent n’a rien fait pendant 10 minutes : le ticket est reparti" in page
    client.cookies["django_language"] = "en"
    english = client.get(url).text
    assert "Released after inactivity" in english
    assert "the agent did nothing for 10 minutes: the ticket went back" in english


@override_settings(COMPTOIR_IDLE_SECONDS=600)
def test_a_beat_without_the_idle_figure_never_releases(acme: Acme) -> None:
    waiting_ticket(acme)
    client = client_for(acme.agent)
    processing = play(client)
    assert "idle-released" not in beat(client, processing, None).text
    processing.refresh_from_db()
    assert processing.ended_at is None


@override_settings(COMPTOIR_IDLE_SECONDS=20, COMPTOIR_LOCK_SECONDS=300)
def test_the_beat_is_frequent_enough_to_warn_before_a_short_idle_limit(acme: Acme) -> None:
    waiting_ticket(acme)
    client = client_for(acme.agent)
    page = client.get(process_url(play(client))).text
    assert 'hx-trigger="every 2s"' in page  # warning 5 s: at least two beats inside it


@override_settings(COMPTOIR_QUEUE_POLL_SECONDS=7)
def test_the_empty_queue_page_keeps_asking_and_serves_a_ticket_that_comes(acme: Acme) -> None:
    client = client_for(acme.agent)
    empty = client.post(reverse("ui:play", args=["support"]))
    assert empty.status_code == 200
    wait_url = reverse("ui:wait", args=["support"])
    assert f'hx-post="{wait_url}" hx-trigger="every 7s"' in empty.text
    again = client.post(wait_url, **HTMX)
    assert again.status_code == 200 and 'data-testid="waiting"' in again.text
    ticket = waiting_ticket(acme)
    served = client.post(wait_url, **HTMX)
    assert served.status_code == 204
    processing = Processing.objects.get(ticket=ticket, ended_at__isnull=True)
    assert served["HX-Redirect"] == reverse("ui:process", args=[processing.pk])


def test_the_waiting_page_says_when_blocked_tickets_come_back(acme: Acme) -> None:
    blocked = waiting_ticket(acme)
    back = timezone.now() + timedelta(hours=2)
    Ticket.objects.filter(pk=blocked.pk).update(blocked_until=back)
    page = client_for(acme.agent).post(reverse("ui:play", args=["support"])).text
    assert 'data-testid="returning"' in page
    assert "1 ticket mis en attente (bloqué ou à réouvrir plus tard) revient le" in page


def test_waiting_without_javascript_redirects_to_the_served_ticket(acme: Acme) -> None:
    ticket = waiting_ticket(acme)
    client = client_for(acme.agent)
    response = client.post(reverse("ui:wait", args=["support"]))
    processing = Processing.objects.get(ticket=ticket, ended_at__isnull=True)
    assert response.status_code == 302
    assert response["Location"] == reverse("ui:process", args=[processing.pk])


def test_waiting_on_a_campaign_not_given_to_the_agent_does_not_exist(acme: Acme) -> None:
    secret = acme.domain.campaigns.create(slug="secret", name="Secret")
    assert secret.pk
    client = client_for(acme.agent)
    assert client.post(reverse("ui:wait", args=["secret"]), **HTMX).status_code == 404
