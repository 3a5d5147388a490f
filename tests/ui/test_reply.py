"""Answering from the ticket page: a reply to the customer, templates, attachments, notes,
who may do it, and how the delivery of what was sent shows in the thread."""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comptoir.campaigns.models import EmailTemplate
from comptoir.tenancy.models import Role, Team, User
from comptoir.tickets.models import (
    Attachment,
    DeliveryState,
    Direction,
    Message,
    Ticket,
    TicketEvent,
)
from tests.conftest import Acme, make_acme
from tests.ui.conftest import add_event, add_message, client_for, make_ticket


def ticket_url(ticket: Ticket) -> str:
    return reverse("ui:ticket", args=[ticket.number])


def reply_url(ticket: Ticket) -> str:
    return reverse("ui:ticket_reply", args=[ticket.number])


def note_url(ticket: Ticket) -> str:
    return reverse("ui:ticket_note", args=[ticket.number])


def outbound(ticket: Ticket) -> list[Message]:
    return list(ticket.messages.filter(direction=Direction.OUTBOUND).order_by("id"))


def customer_ticket(acme: Acme, **fields: object) -> Ticket:
    ticket = make_ticket(acme.support, **fields)  # type: ignore[arg-type]
    add_message(ticket, message_id="question-1@client.test")
    return ticket


def bob_with_ticket(acme: Acme) -> Ticket:
    """A ticket assigned to Bob, which Alice sees as a member of the campaign's supervision
    team, without the supervisor's right."""
    bob = User.objects.create_user(domain=acme.domain, login="bob", password="pw", role=Role.AGENT)
    watchers = Team.objects.create(domain=acme.domain, name="Veille support")
    watchers.members.add(acme.agent)
    acme.support.supervision_teams.add(watchers)
    return customer_ticket(acme, assignee=bob)


# --- Reply ------------------------------------------------------------------------------


def test_reply_is_queued_as_an_outbound_message_and_the_page_redirects_back(acme: Acme) -> None:
    ticket = customer_ticket(acme)
    client = client_for(acme.agent)
    response = client.post(
        reply_url(ticket), {"text": "Bonjour,\nvotre colis part demain.", "cc": "chef@client.test"}
    )
    [reply] = outbound(ticket)
    assert response.status_code == 302
    assert response["Location"] == f"{ticket_url(ticket)}#message-{reply.pk}"
    assert reply.delivery_state == DeliveryState.QUEUED
    assert reply.author == acme.agent
    assert reply.text.startswith("Bonjour,\nvotre colis part demain.")
    assert reply.cc == [{"email": "chef@client.test", "name": ""}]
    assert reply.in_reply_to == "question-1@client.test"
    page = client.get(response["Location"]).text
    assert "Votre réponse est en file d&#x27;attente" in page
    assert "votre colis part demain." in page
    assert "<strong>Réponse en file d&#x27;attente d&#x27;envoi</strong> · alice" in page


def test_empty_reply_shows_the_error_and_stores_nothing(acme: Acme) -> None:
    ticket = customer_ticket(acme)
    response = client_for(acme.agent).post(reply_url(ticket), {"text": "  \n  ", "cc": ""})
    assert response.status_code == 200
    assert "Écrivez une réponse avant de l&#x27;envoyer." in response.text
    assert outbound(ticket) == []
    assert not TicketEvent.objects.filter(ticket=ticket, kind="reply_queued").exists()


def test_invalid_cc_is_refused_and_the_agents_text_is_kept(acme: Acme) -> None:
    ticket = customer_ticket(acme)
    response = client_for(acme.agent).post(
        reply_url(ticket),
        {"text": "Texte soigneusement rédigé", "cc": "ok@client.test, pas-une-adresse"},
    )
    assert response.status_code == 200
    assert "Cette adresse électronique n&#x27;est pas valide : pas-une-adresse." in response.text
    assert "Texte soigneusement rédigé</textarea>" in response.text
    # The language switch on this page leads back to the ticket, not to the POST-only URL.
    assert f'name="next" type="hidden" value="{ticket_url(ticket)}"' in response.text
    assert outbound(ticket) == []


def test_cc_accepts_commas_and_semicolons(acme: Acme) -> None:
    ticket = customer_ticket(acme)
    client_for(acme.agent).post(
        reply_url(ticket), {"text": "Bien reçu", "cc": "A@client.test; b@client.test,"}
    )
    [reply] = outbound(ticket)
    assert [c["email"] for c in reply.cc] == ["a@client.test", "b@client.test"]


def test_reply_url_takes_only_posts(acme: Acme) -> None:
    ticket = customer_ticket(acme)
    assert client_for(acme.agent).get(reply_url(ticket)).status_code == 405


# --- Templates --------------------------------------------------------------------------


def make_template(acme: Acme, name: str, body: str, tag: str = "") -> EmailTemplate:
    return EmailTemplate.objects.create(
        domain=acme.domain, campaign=acme.support, name=name, tag=tag, body=body
    )


def test_template_picker_groups_the_campaigns_templates_by_tag_untagged_first(acme: Acme) -> None:
    ticket = customer_ticket(acme)
    make_template(acme, "Remerciement", "Merci", tag="")
    make_template(acme, "Colis perdu", "Enquête", tag="Livraison")
    make_template(acme, "Retard", "Retard", tag="Livraison")
    EmailTemplate.objects.create(
        domain=acme.domain, campaign=acme.orders, name="Modèle des commandes", body="x"
    )
    page = client_for(acme.agent).get(ticket_url(ticket)).text
    assert page.index("Remerciement") < page.index('<optgroup label="Livraison">')
    assert page.index('<optgroup label="Livraison">') < page.index("Colis perdu")
    assert page.index("Colis perdu") < page.index("Retard</option>") < page.index("</optgroup>")
    assert "Modèle des commandes" not in page


def test_inserting_a_template_prefills_the_reply_for_this_ticket(acme: Acme) -> None:
    ticket = customer_ticket(acme)
    template = make_template(
        acme, "Accusé", "Bonjour {{ customer_name }},\nticket {{ ticket_number }}, {{ agent_name }}"
    )
    response = client_for(acme.agent).get(ticket_url(ticket), {"template": template.pk})
    assert f"Bonjour Claire Client,\nticket {ticket.number}, alice</textarea>" in response.text
    assert f'<option value="{template.pk}" selected>' in response.text


def test_template_of_another_campaign_or_domain_is_ignored(acme: Acme) -> None:
    globex = make_acme("globex")
    ticket = customer_ticket(acme)
    other_campaign = EmailTemplate.objects.create(
        domain=acme.domain, campaign=acme.orders, name="Commandes", body="Texte des commandes"
    )
    other_domain = EmailTemplate.objects.create(
        domain=globex.domain, campaign=globex.support, name="Globex", body="Texte de Globex"
    )
    client = client_for(acme.agent)
    for template_id in (other_campaign.pk, other_domain.pk, "abc", "99999999"):
        response = client.get(ticket_url(ticket), {"template": template_id})
        assert response.status_code == 200
        assert "Texte des commandes" not in response.text
        assert "Texte de Globex" not in response.text


def test_the_variables_a_template_may_use_are_listed(acme: Acme) -> None:
    page = client_for(acme.agent).get(ticket_url(customer_ticket(acme))).text
    assert "{{ customer_name }}" in page
    assert "le nom du client" in page


# --- Attachments ------------------------------------------------------------------------


def test_attached_files_arrive_as_attachments_of_the_reply(acme: Acme) -> None:
    ticket = customer_ticket(acme)
    files = [
        SimpleUploadedFile("devis.pdf", b"%PDF-1.4 devis", content_type="application/pdf"),
        SimpleUploadedFile("photo.png", b"\x89PNG fake", content_type="image/png"),
    ]
    response = client_for(acme.agent).post(
        reply_url(ticket), {"text": "Voici le devis.", "attachments": files}
    )
    assert response.status_code == 302
    [reply] = outbound(ticket)
    rows = list(Attachment.objects.filter(message=reply).order_by("filename"))
    assert [(a.filename, a.content_type, a.size) for a in rows] == [
        ("devis.pdf", "application/pdf", 14),
        ("photo.png", "image/png", 9),
    ]
    assert b'filename="devis.pdf"' in bytes(reply.raw.content)  # type: ignore[union-attr]


def test_attachments_over_the_size_limit_are_refused_with_a_message(acme: Acme, settings) -> None:  # type: ignore[no-untyped-def]
    settings.COMPTOIR_MAX_MESSAGE_SIZE = 4000  # 2,000 bytes of attachments at most
    ticket = customer_ticket(acme)
    files = [SimpleUploadedFile(f"scan-{n}.pdf", b"x" * 1500) for n in range(2)]
    response = client_for(acme.agent).post(
        reply_url(ticket), {"text": "Les scans", "attachments": files}
    )
    assert response.status_code == 200
    assert "Les pièces jointes pèsent 2,9\xa0Kio au total" in response.text
    assert "au plus 2,0\xa0Kio" in response.text
    assert "joignez-les à nouveau" in response.text
    assert "Les scans</textarea>" in response.text
    assert "2,0\xa0Kio au plus en tout" in response.text  # the limit is told up front too
    assert outbound(ticket) == []


# --- Notes ------------------------------------------------------------------------------


def test_internal_note_is_added_and_shown_apart_from_mail(acme: Acme) -> None:
    ticket = customer_ticket(acme)
    client = client_for(acme.agent)
    response = client.post(note_url(ticket), {"text": "Client déjà remboursé en mars."})
    [note] = ticket.messages.filter(direction=Direction.NOTE)
    assert response.status_code == 302
    assert response["Location"] == f"{ticket_url(ticket)}#message-{note.pk}"
    assert note.author == acme.agent and note.delivery_state == ""
    page = client.get(ticket_url(ticket)).text
    assert 'class="message message-note"' in page
    assert "Note interne" in page and "Client déjà remboursé en mars." in page
    assert "<strong>Note interne ajoutée</strong> · alice" in page
    assert "Note ajoutée." in page


def test_empty_note_is_refused(acme: Acme) -> None:
    ticket = customer_ticket(acme)
    response = client_for(acme.agent).post(note_url(ticket), {"text": " "})
    assert response.status_code == 200
    assert "Écrivez la note avant de l&#x27;enregistrer." in response.text
    assert not ticket.messages.filter(direction=Direction.NOTE).exists()


# --- Who may act ------------------------------------------------------------------------


def test_agent_on_a_ticket_assigned_to_someone_else_sees_no_form_and_is_refused(
    acme: Acme,
) -> None:
    ticket = bob_with_ticket(acme)
    client = client_for(acme.agent)
    page = client.get(ticket_url(ticket))
    assert page.status_code == 200  # a supervision team member sees it...
    assert reply_url(ticket) not in page.text and note_url(ticket) not in page.text
    assert client.post(reply_url(ticket), {"text": "Je prends"}).status_code == 403
    assert client.post(note_url(ticket), {"text": "Je prends"}).status_code == 403
    assert list(ticket.messages.exclude(direction=Direction.INBOUND)) == []


def test_supervisor_may_answer_a_ticket_assigned_to_someone_else(acme: Acme) -> None:
    ticket = bob_with_ticket(acme)
    client = client_for(acme.supervisor)
    assert reply_url(ticket) in client.get(ticket_url(ticket)).text
    assert client.post(reply_url(ticket), {"text": "Je reprends"}).status_code == 302


def test_user_without_the_right_to_process_sees_no_form_and_is_refused(acme: Acme) -> None:
    acme.agent.can_process = False
    acme.agent.save()
    ticket = customer_ticket(acme)
    client = client_for(acme.agent)
    assert reply_url(ticket) not in client.get(ticket_url(ticket)).text
    assert client.post(reply_url(ticket), {"text": "Bonjour"}).status_code == 403
    assert outbound(ticket) == []


def test_user_of_another_domain_gets_not_found(acme: Acme) -> None:
    globex = make_acme("globex")
    ticket = customer_ticket(acme)
    client = client_for(globex.supervisor)
    assert client.post(reply_url(ticket), {"text": "Bonjour"}).status_code == 404
    assert client.post(note_url(ticket), {"text": "Note"}).status_code == 404
    assert ticket.messages.count() == 1


def test_a_post_without_a_csrf_token_is_refused(acme: Acme) -> None:
    ticket = customer_ticket(acme)
    client = Client(enforce_csrf_checks=True, HTTP_HOST="acme.localhost")
    client.force_login(acme.agent)
    assert client.post(reply_url(ticket), {"text": "Bonjour"}).status_code == 403
    assert client.post(note_url(ticket), {"text": "Note"}).status_code == 403
    assert ticket.messages.count() == 1
    # With the token the page's form carries, the same post goes through.
    page = client.get(ticket_url(ticket))
    token = page.context["csrf_token"]
    response = client.post(reply_url(ticket), {"text": "Bonjour", "csrfmiddlewaretoken": token})
    assert response.status_code == 302


def test_logged_out_post_goes_to_the_login_page(acme: Acme) -> None:
    ticket = customer_ticket(acme)
    response = Client(HTTP_HOST="acme.localhost").post(reply_url(ticket), {"text": "Bonjour"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("ui:login"))
    assert outbound(ticket) == []


# --- Delivery in the thread -------------------------------------------------------------


def sent_by_us(ticket: Ticket, text: str, **fields: object) -> Message:
    return add_message(
        ticket,
        direction=Direction.OUTBOUND,
        text=text,
        from_email="support@acme.test",
        from_name="Support Acme",
        to=[{"name": "Claire Client", "email": "claire@client.test"}],
        **fields,
    )


def test_delivery_state_attempts_next_try_and_last_error_are_shown(acme: Acme) -> None:
    ticket = customer_ticket(acme)
    later = timezone.now() + timedelta(minutes=10)
    sent_by_us(
        ticket,
        "Réponse en attente",
        delivery_state="queued",
        delivery_attempts=2,
        next_attempt_at=later,
        delivery_error="451 4.7.1 try again later",
    )
    sent_by_us(
        ticket,
        "Réponse partie",
        delivery_state="sent",
        delivery_attempts=1,
        sent_at=timezone.now(),
    )
    sent_by_us(
        ticket,
        "Réponse refusée",
        delivery_state="failed",
        delivery_attempts=1,
        delivery_error="550 5.1.1 no such user",
    )
    page = client_for(acme.agent).get(ticket_url(ticket)).text
    assert "En file d&#x27;attente" in page and "Envoyé" in page and "Échec" in page
    assert "2 tentatives" in page and "1 tentative" in page
    assert "prochaine tentative le" in page
    assert "Dernière erreur : 451 4.7.1 try again later" in page
    assert "Envoyé le" in page
    assert "Erreur de remise : 550 5.1.1 no such user" in page


def test_automatic_reply_is_labelled_as_such(acme: Acme) -> None:
    ticket = customer_ticket(acme)
    sent_by_us(
        ticket,
        "Nous avons bien reçu votre message",
        is_automatic=True,
        automatic_reason="automatic reply",
        delivery_state="queued",
    )
    page = client_for(acme.agent).get(ticket_url(ticket)).text
    assert "Réponse automatique" in page
    assert "jamais de réponse automatique" not in page  # the notice is for inbound mail


def test_history_names_the_outbound_events(acme: Acme) -> None:
    ticket = customer_ticket(acme)
    for kind in (
        "reply_queued",
        "note_added",
        "auto_reply_queued",
        "auto_reply_skipped",
        "delivery_failed",
        "delivery_partial",
    ):
        add_event(ticket, kind, f"detail of {kind}")
    page = client_for(acme.agent).get(ticket_url(ticket)).text
    for label in (
        "Réponse en file d&#x27;attente d&#x27;envoi",
        "Note interne ajoutée",
        "Réponse automatique en file d&#x27;attente",
        "Pas de réponse automatique",
        "Échec de la remise",
        "Remise à une partie des destinataires seulement",
    ):
        assert f"<strong>{label}</strong>" in page


# --- Languages --------------------------------------------------------------------------


def test_the_forms_are_in_french_by_default(acme: Acme) -> None:
    page = client_for(acme.agent).get(ticket_url(customer_ticket(acme))).text
    assert "Répondre au client" in page
    assert "Envoyer la réponse" in page
    assert "Ajouter une note interne" in page


def test_the_forms_are_in_english_for_an_english_speaking_agent(acme: Acme) -> None:
    acme.agent.language = "en"
    acme.agent.save()
    ticket = customer_ticket(acme)
    sent_by_us(ticket, "Réponse", delivery_state="failed", delivery_attempts=3, delivery_error="x")
    page = client_for(acme.agent).get(ticket_url(ticket)).text
    assert "Reply to the customer" in page and "Répondre au client" not in page
    assert "Send the reply" in page and "Add an internal note" in page
    assert "3 attempts" in page and "Delivery error: x" in page
    response = client_for(acme.agent).post(reply_url(ticket), {"text": " "})
    assert "Write a reply before sending it." in response.text
