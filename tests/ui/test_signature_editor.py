"""Rich-text signatures in the campaign editor and the library: sanitised when saved, previewed
live by the server, and sent as sanitised HTML with a faithful text part."""

import pytest
from django.test import Client
from django.urls import reverse

from comptoir.campaigns.models import Campaign, Signature
from comptoir.mail.ingest import ingest_email
from comptoir.tickets.models import Contact, Message, RawMessage, Ticket
from comptoir.tickets.outbound import reply
from tests.conftest import Acme, make_acme, read_eml
from tests.mail.mail_client import parse
from tests.ui.campaign_editor_helpers import manager, url
from tests.ui.conftest import client_for
from tests.ui.test_campaign_editor import info_data

HOSTILE = (
    '<p style="color:red" onmouseover="steal()"><b>{{ agent_name }}</b><br>'
    "<script>alert(1)</script>"
    '<img src="x" onerror="alert(2)">'
    '<a href="javascript:alert(3)">Acme</a> · '
    '<a href="https://acme.test/aide">aide</a></p>'
)
RICH = (
    "<p><b>{{ agent_name }}</b> pour {{ customer_name }}<br>"
    '<a href="https://acme.test/aide">Centre d\'aide</a> · '
    '<a href="mailto:support@acme.test">support@acme.test</a><br>'
    '<img src="https://acme.test/logo.png" alt="Acme"></p>'
)


@pytest.fixture
def maud(acme: Acme) -> Client:
    return client_for(manager(acme))


def assert_harmless(html: str) -> None:
    for banned in ("<script", "alert", "onerror", "onmouseover", "style=", "javascript:"):
        assert banned not in html, banned


def sent_parts(message: Message) -> tuple[str, str]:
    """(text, html) of the bytes stored for an outbound message: what the outbox sends."""
    raw = parse(bytes(RawMessage.objects.get(message=message).content))
    text, html = raw.get_body(("plain",)), raw.get_body(("html",))
    assert text is not None and html is not None
    return (
        str(text.get_content()).replace("\r\n", "\n"),
        str(html.get_content()).replace("\r\n", "\n"),
    )


def signature_part(html: str) -> str:
    """The signature's block of an HTML part (the quoted message after it has its own style)."""
    start = html.index('<div class="comptoir-signature">')
    return html[start : html.index("</div>", start)]


def camille_ticket(acme: Acme) -> Ticket:
    result = ingest_email(read_eml("ingest/new-request.eml"), domain=acme.domain)
    return Ticket.objects.get(domain=acme.domain, number=result.ticket)


# --- Saving -----------------------------------------------------------------------------------


def test_a_hostile_campaign_signature_is_sanitised_when_saved(acme: Acme, maud: Client) -> None:
    response = maud.post(url("manage_info", acme), info_data(acme.support, signature=HOSTILE))
    assert response.status_code == 302, response.text
    stored = Campaign.objects.get(pk=acme.support.pk).signature
    assert_harmless(stored)
    assert stored.startswith("<p><b>{{ agent_name }}</b><br>")
    assert '<a href="https://acme.test/aide" rel="noopener noreferrer">aide</a>' in stored
    # Shown back in the textarea, escaped: the editor page runs none of it.
    page = maud.get(url("manage_info", acme)).text
    assert "&lt;b&gt;{{ agent_name }}&lt;/b&gt;" in page


def test_a_hostile_shared_signature_is_sanitised_when_saved(acme: Acme, maud: Client) -> None:
    add = reverse("ui:manage_library_signature_add")
    response = maud.post(add, {"name": "Maison", "text": HOSTILE})
    assert response.status_code == 302
    stored = Signature.objects.get(domain=acme.domain).text
    assert_harmless(stored)
    assert "<b>{{ agent_name }}</b>" in stored


def test_a_signature_made_only_of_scripts_is_refused_in_the_library(
    acme: Acme, maud: Client
) -> None:
    add = reverse("ui:manage_library_signature_add")
    response = maud.post(add, {"name": "Vide", "text": "<script>alert(1)</script>"})
    assert response.status_code == 400 and 'id="id_text_error"' in response.text
    assert not Signature.objects.exists()


def test_a_plain_text_signature_is_saved_as_typed(acme: Acme, maud: Client) -> None:
    text = "Alice — {{ campaign_name }}\nR&D <alice@acme.test>"
    maud.post(url("manage_info", acme), info_data(acme.support, signature=text))
    assert Campaign.objects.get(pk=acme.support.pk).signature == text


# --- The live preview -------------------------------------------------------------------------


def test_the_preview_shows_the_sanitised_signature_on_the_latest_ticket(
    acme: Acme, maud: Client
) -> None:
    ticket = camille_ticket(acme)
    response = maud.post(url("manage_signature_preview", acme), {"signature": HOSTILE + RICH})
    assert response.status_code == 200 and response["Content-Security-Policy"]
    html = response.text
    assert_harmless(html)
    assert "<b>maud</b>" in html  # {{ agent_name }}: the manager previewing
    assert f"pour {ticket.contact.name}" in html
    assert "Centre d&#x27;aide &lt;https://acme.test/aide&gt;" in html  # the text part
    assert Campaign.objects.get(pk=acme.support.pk).signature == ""  # nothing saved


def test_the_preview_reports_template_errors(acme: Acme, maud: Client) -> None:
    response = maud.post(url("manage_signature_preview", acme), {"signature": "<b>{{ nom }}</b>"})
    assert 'data-testid="signature-preview-errors"' in response.text
    assert "unknown variable {{ nom }}" in response.text


def test_the_librarys_preview_uses_a_sample_ticket(acme: Acme, maud: Client) -> None:
    address = reverse("ui:manage_library_signature_preview")
    response = maud.post(address, {"text": "<i>{{ customer_name }}</i><script>x()</script>"})
    assert "<i>Claire Martin</i>" in response.text and "<script>x()" not in response.text


def test_the_editors_show_the_preview_area(acme: Acme, maud: Client) -> None:
    info = maud.get(url("manage_info", acme)).text
    assert url("manage_signature_preview", acme) in info and 'id="signature-preview"' in info
    library = maud.get(reverse("ui:manage_library_signature_add")).text
    assert reverse("ui:manage_library_signature_preview") in library


def test_only_campaign_managers_preview_and_only_their_domains_campaigns(acme: Acme) -> None:
    campaign_preview = url("manage_signature_preview", acme)
    library_preview = reverse("ui:manage_library_signature_preview")
    for user in (acme.agent, acme.supervisor):
        client = client_for(user)
        assert client.post(campaign_preview, {"signature": "x"}).status_code == 403
        assert client.post(library_preview, {"text": "x"}).status_code == 403
    globex = make_acme("globex")
    Campaign.objects.filter(pk=globex.support.pk).update(slug="globex-support")
    intruder = client_for(manager(globex))
    assert intruder.post(campaign_preview, {"signature": "x"}).status_code == 404
    assert intruder.get(campaign_preview).status_code == 405


# --- What is sent -----------------------------------------------------------------------------


def test_a_reply_carries_the_html_signature_and_its_text_rendering(acme: Acme) -> None:
    acme.agent.display_name = "Alice Dupont"
    acme.agent.save()
    acme.support.signature = RICH
    acme.support.save()
    ticket = camille_ticket(acme)
    Contact.objects.filter(pk=ticket.contact_id).update(name="Camille <b>D</b> & Fils")
    ticket.refresh_from_db()
    message = reply(ticket, author=acme.agent, text="Bonjour,\n\nC'est réglé.")
    text, html = sent_parts(message)
    assert (
        "C'est réglé.\n\n-- \nAlice Dupont pour Camille <b>D</b> & Fils\n"
        "Centre d'aide <https://acme.test/aide> · support@acme.test\n[Acme]\n"
    ) in text
    assert "<b>Alice Dupont</b> pour Camille &lt;b&gt;D&lt;/b&gt; &amp; Fils" in html
    assert '<a href="https://acme.test/aide" rel="noopener noreferrer">' in html
    assert '<img src="https://acme.test/logo.png" alt="Acme">' in html
    assert "-- \nAlice Dupont pour" in message.text  # the thread shows the text part


def test_html_stored_without_the_editor_is_sanitised_when_sent(acme: Acme) -> None:
    Campaign.objects.filter(pk=acme.support.pk).update(signature=HOSTILE)
    message = reply(camille_ticket(acme), author=acme.agent, text="Bonjour")
    text, html = sent_parts(message)
    assert_harmless(signature_part(html))
    assert "<b>alice</b><br>" in signature_part(html)  # what is harmless is kept
    assert "alert" not in text and "-- \n" in text


def test_a_plain_text_signature_is_sent_as_before(acme: Acme) -> None:
    acme.support.signature = "Alice — {{ campaign_name }}\nR&D <alice@acme.test>"
    acme.support.save()
    message = reply(camille_ticket(acme), author=acme.agent, text="Bonjour")
    text, html = sent_parts(message)
    assert "Bonjour\n\n-- \nAlice — Support\nR&D <alice@acme.test>\n" in text
    assert "Alice — Support<br>\nR&amp;D &lt;alice@acme.test&gt;" in html


def test_the_shared_html_signature_signs_the_automatic_reply(acme: Acme) -> None:
    from comptoir.campaigns.models import EmailTemplate

    template = EmailTemplate.objects.create(
        domain=acme.domain, campaign=acme.support, name="AR", body="Bien reçu."
    )
    acme.support.signature = ""
    acme.support.shared_signature = Signature.objects.create(
        domain=acme.domain,
        name="Maison",
        text='<p><i>{{ campaign_name }}</i> · <a href="https://acme.test">acme.test</a></p>',
    )
    acme.support.auto_reply_enabled, acme.support.auto_reply_template = True, template
    acme.support.save()
    ticket = camille_ticket(acme)
    [message] = Message.objects.filter(ticket=ticket, direction="outbound", is_automatic=True)
    text, html = sent_parts(message)
    assert "Bien reçu.\n\n-- \nSupport · acme.test <https://acme.test>\n" in text
    assert "<i>Support</i>" in html
