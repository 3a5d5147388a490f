"""An agent's reply and internal note: stored in the ticket, queued for the outbox, exactly
what is sent; and who may write them."""

from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from pytest_django.fixtures import Settings

from comptoir.campaigns.models import EmailTemplate, Signature
from comptoir.campaigns.templating import VARIABLES, usable_templates
from comptoir.lib.text import message_id_key
from comptoir.mail.compose import OutgoingAttachment
from comptoir.mail.ingest import ingest_email
from comptoir.mail.outbox import claim
from comptoir.tenancy.models import User
from comptoir.tickets.models import Message, RawMessage, Ticket, TicketEvent
from comptoir.tickets.outbound import ReplyError, add_note, reply, template_text
from comptoir.tickets.template_values import template_values
from comptoir.ui.agents.tickets import chosen_template
from tests.conftest import Acme, make_acme, read_eml
from tests.mail.mail_client import customer_mail, parse

ANSWER = "Bonjour Camille,\n\nVotre accès est rétabli."


def camille_ticket(acme: Acme) -> Ticket:
    """Ticket 1: Camille Durand cannot log in (req-1@exemple.fr)."""
    result = ingest_email(read_eml("ingest/new-request.eml"), domain=acme.domain)
    return Ticket.objects.get(domain=acme.domain, number=result.ticket)


def outbound(acme: Acme) -> list[Message]:
    return list(Message.objects.filter(domain=acme.domain, direction="outbound").order_by("pk"))


def stored_raw(message: Message) -> RawMessage:
    """The bytes stored for an outbound message: exactly what the outbox sends."""
    return RawMessage.objects.get(message=message)


def plain_text(raw: bytes) -> str:
    part = parse(raw).get_body(("plain",))
    assert part is not None
    return str(part.get_content()).replace("\r\n", "\n")


def test_reply_is_stored_queued_with_its_raw_bytes(acme: Acme) -> None:
    ticket = camille_ticket(acme)
    message = reply(ticket, author=acme.agent, text=ANSWER)
    assert (message.direction, message.delivery_state) == ("outbound", "queued")
    assert message.author == acme.agent
    assert message.next_attempt_at is not None
    raw = stored_raw(message)
    assert (raw.source, raw.domain_id, raw.envelope_from) == (
        "outbound",
        acme.domain.pk,
        "support@acme.test",
    )
    assert raw.envelope_to == ["camille.durand@exemple.fr"]
    sent = parse(bytes(raw.content))
    assert sent["Subject"] == "Re: Impossible de me connecter [#1]"
    assert sent["From"].addresses[0].addr_spec == "support@acme.test"
    assert sent["From"].addresses[0].display_name == "Support Acme"
    assert message.subject == sent["Subject"]


def test_reply_records_an_event_and_the_time_of_the_last_answer(acme: Acme) -> None:
    ticket = camille_ticket(acme)
    message = reply(ticket, author=acme.agent, text=ANSWER)
    event = TicketEvent.objects.get(ticket=ticket, kind="reply_queued")
    assert event.actor == acme.agent
    assert event.message == message
    assert "camille.durand@exemple.fr" in event.detail
    ticket.refresh_from_db()
    assert ticket.last_outbound_at == message.date
    assert not ticket.has_unread


def test_reply_and_its_raw_bytes_are_stored_together_or_not_at_all(
    acme: Acme, settings: Settings, tmp_path: Path
) -> None:
    ticket = camille_ticket(acme)
    # Attachment storage that cannot be written fails the action after the raw bytes.
    (tmp_path / "a-file").write_text("not a directory")
    settings.MEDIA_ROOT = str(tmp_path / "a-file" / "files")
    attachment = OutgoingAttachment("devis.pdf", "application/pdf", b"%PDF")
    with pytest.raises(OSError):
        reply(ticket, author=acme.agent, text=ANSWER, attachments=[attachment])
    assert not RawMessage.objects.filter(source="outbound").exists()
    assert outbound(acme) == []
    assert not TicketEvent.objects.filter(kind="reply_queued").exists()
    ticket.refresh_from_db()
    assert ticket.last_outbound_at is None


def test_reply_goes_to_the_reply_to_of_the_customers_latest_message(acme: Acme) -> None:
    raw = customer_mail(
        "Claire Martin <claire@client.test>",
        "Facture",
        "f-1@client.test",
        Reply_To="Comptabilité Client <compta@client.test>",
    )
    ticket = Ticket.objects.get(number=ingest_email(raw, domain=acme.domain).ticket)
    message = reply(ticket, author=acme.agent, text="Bien reçu.")
    assert message.to == [{"email": "compta@client.test", "name": "Comptabilité Client"}]
    sent = parse(bytes(stored_raw(message).content))
    assert [a.addr_spec for a in sent["To"].addresses] == ["compta@client.test"]


def test_reply_goes_to_the_sender_of_the_latest_message_when_it_has_no_reply_to(
    acme: Acme,
) -> None:
    first = customer_mail(
        "claire@client.test", "Facture", "f-1@client.test", Reply_To="compta@client.test"
    )
    ingest_email(first, domain=acme.domain)
    again = customer_mail(
        "Claire Martin <claire@client.test>",
        "Re: Facture",
        "f-2@client.test",
        In_Reply_To="<f-1@client.test>",
    )
    ticket = Ticket.objects.get(number=ingest_email(again, domain=acme.domain).ticket)
    message = reply(ticket, author=acme.agent, text="Bien reçu.")
    assert [p["email"] for p in message.to] == ["claire@client.test"]
    assert message.in_reply_to == "f-2@client.test"
    assert message.references == ["f-1@client.test", "f-2@client.test"]


def test_reply_message_id_is_recorded_so_that_the_customers_answer_finds_the_ticket(
    acme: Acme,
) -> None:
    ticket = camille_ticket(acme)
    message = reply(ticket, author=acme.agent, text=ANSWER)
    sent = parse(bytes(stored_raw(message).content))
    assert sent["Message-ID"] == f"<{message.message_id}>"
    assert message.message_id.endswith("@acme.test")
    assert message.dedupe_key == message_id_key(message.message_id)
    assert sent["In-Reply-To"] == "<req-1@exemple.fr>"
    answer = customer_mail(
        "camille.durand@exemple.fr",
        "Merci",  # a new subject, no tag: only In-Reply-To can thread it
        "answer-1@exemple.fr",
        In_Reply_To=f"<{message.message_id}>",
    )
    result = ingest_email(answer, domain=acme.domain)
    assert (result.outcome, result.ticket) == ("appended", ticket.number)
    assert "In-Reply-To" in result.reason


def test_signature_is_rendered_with_the_template_variables(acme: Acme) -> None:
    acme.support.signature = "{{ agent_name }}\n{{ campaign_name }} — dossier {{ ticket_number }}"
    acme.support.save()
    acme.agent.display_name = "Alice Dupont"
    acme.agent.save()
    ticket = camille_ticket(acme)
    message = reply(ticket, author=acme.agent, text=ANSWER)
    text = plain_text(bytes(stored_raw(message).content))
    assert f"{ANSWER}\n\n-- \nAlice Dupont\nSupport — dossier 1\n" in text
    assert "-- \nAlice Dupont" in message.text


@pytest.mark.parametrize("quote_previous", [True, False])
def test_customer_message_is_quoted_only_when_the_campaign_says_so(
    acme: Acme, quote_previous: bool
) -> None:
    acme.support.quote_previous = quote_previous
    acme.support.save()
    ticket = camille_ticket(acme)
    message = reply(ticket, author=acme.agent, text=ANSWER)
    text = plain_text(bytes(stored_raw(message).content))
    assert ("> Je n'arrive plus à me connecter" in text) is quote_previous
    assert ("camille.durand@exemple.fr" in text) is quote_previous  # in the quote header
    assert "> Je n'arrive plus" not in message.text  # the thread never shows it twice


def test_copies_go_to_cc_and_to_the_envelope(acme: Acme) -> None:
    ticket = camille_ticket(acme)
    message = reply(ticket, author=acme.agent, text=ANSWER, cc=[" Chef@Exemple.FR ", ""])
    assert message.cc == [{"email": "chef@exemple.fr", "name": ""}]
    raw = stored_raw(message)
    assert raw.envelope_to == ["camille.durand@exemple.fr", "chef@exemple.fr"]
    assert parse(bytes(raw.content))["Cc"] == "chef@exemple.fr"


def test_attachments_are_stored_with_the_reply(acme: Acme) -> None:
    ticket = camille_ticket(acme)
    attachment = OutgoingAttachment("devis été.pdf", "application/pdf", b"%PDF-1.4")
    message = reply(ticket, author=acme.agent, text=ANSWER, attachments=[attachment])
    assert [(a.filename, a.size) for a in message.attachments.all()] == [("devis été.pdf", 8)]
    sent = parse(bytes(stored_raw(message).content))
    assert [p.get_filename() for p in sent.iter_attachments()] == ["devis été.pdf"]


@pytest.mark.parametrize("text", ["", "   \n\t "])
def test_an_empty_reply_is_refused_and_stores_nothing(acme: Acme, text: str) -> None:
    ticket = camille_ticket(acme)
    with pytest.raises(ReplyError):
        reply(ticket, author=acme.agent, text=text)
    assert outbound(acme) == []
    assert not RawMessage.objects.filter(source="outbound").exists()
    assert not TicketEvent.objects.filter(kind="reply_queued").exists()


def test_a_cc_that_is_not_an_address_is_refused_in_words_for_the_agent(acme: Acme) -> None:
    ticket = camille_ticket(acme)
    with pytest.raises(ReplyError, match=r"chef exemple\.fr"):
        reply(ticket, author=acme.agent, text=ANSWER, cc=["chef exemple.fr"])
    assert outbound(acme) == []


def test_a_customer_address_smtp_cannot_carry_is_refused_not_crashed_on(acme: Acme) -> None:
    raw = customer_mail("Taro <taro.@docomo.test>", "Question", "q-1@docomo.test")
    ticket = Ticket.objects.get(number=ingest_email(raw, domain=acme.domain).ticket)
    with pytest.raises(ReplyError, match=r"taro\.@docomo\.test"):
        reply(ticket, author=acme.agent, text=ANSWER)
    assert outbound(acme) == []


def test_a_user_of_another_domain_may_not_reply(acme: Acme) -> None:
    ticket = camille_ticket(acme)
    with pytest.raises(PermissionDenied):
        reply(ticket, author=make_acme("globex").supervisor, text=ANSWER)
    assert outbound(acme) == []


def test_a_user_who_may_not_process_tickets_may_not_reply(acme: Acme) -> None:
    ticket = camille_ticket(acme)
    viewer = User.objects.create_user(
        domain=acme.domain, login="victor", password="pw", can_process=False
    )
    with pytest.raises(PermissionDenied):
        reply(ticket, author=viewer, text=ANSWER)
    with pytest.raises(PermissionDenied):
        add_note(ticket, author=viewer, text="Vu.")


def test_an_inactive_user_may_not_reply(acme: Acme) -> None:
    ticket = camille_ticket(acme)
    acme.agent.is_active = False
    acme.agent.save()
    with pytest.raises(PermissionDenied):
        reply(ticket, author=acme.agent, text=ANSWER)


def test_an_agent_may_not_reply_on_a_ticket_assigned_to_someone_else(acme: Acme) -> None:
    ticket = camille_ticket(acme)
    bruno = User.objects.create_user(domain=acme.domain, login="bruno", password="pw")
    ticket.assignee = bruno
    ticket.save()
    with pytest.raises(PermissionDenied):
        reply(ticket, author=acme.agent, text=ANSWER)
    assert outbound(acme) == []
    assert reply(ticket, author=bruno, text=ANSWER).author == bruno


def test_a_supervisor_may_reply_on_a_ticket_assigned_to_someone_else(acme: Acme) -> None:
    ticket = camille_ticket(acme)
    ticket.assignee = acme.agent
    ticket.save()
    message = reply(ticket, author=acme.supervisor, text=ANSWER)
    assert message.author == acme.supervisor


def test_a_note_is_stored_on_the_ticket_and_never_sent(acme: Acme) -> None:
    ticket = camille_ticket(acme)
    note = add_note(ticket, author=acme.agent, text="Client important, rappeler.")
    assert (note.direction, note.delivery_state, note.raw_id) == ("note", "", None)
    assert note.next_attempt_at is None
    assert note.text == "Client important, rappeler."
    event = TicketEvent.objects.get(ticket=ticket, kind="note_added")
    assert (event.message, event.actor) == (note, acme.agent)
    claimed, _until = claim("test-worker")
    assert claimed == []  # the outbox has nothing to send


def test_notes_never_collide_with_each_other(acme: Acme) -> None:
    ticket = camille_ticket(acme)
    first = add_note(ticket, author=acme.agent, text="Un.")
    second = add_note(ticket, author=acme.agent, text="Un.")
    assert first.dedupe_key != second.dedupe_key


def test_an_empty_note_is_refused(acme: Acme) -> None:
    ticket = camille_ticket(acme)
    with pytest.raises(ReplyError):
        add_note(ticket, author=acme.agent, text=" \n")
    assert not Message.objects.filter(direction="note").exists()


def test_a_template_is_rendered_for_the_ticket_to_start_a_reply(acme: Acme) -> None:
    ticket = camille_ticket(acme)
    acme.agent.display_name = "Alice Dupont"
    template = EmailTemplate.objects.create(
        domain=acme.domain,
        campaign=acme.support,
        name="Accès rétabli",
        subject="Votre dossier {{ ticket_number }}",
        body="Bonjour {{ customer_name }},\n\n{{ ticket_subject }} : réglé.\n{{ agent_name }}",
    )
    subject, body = template_text(template, ticket, acme.agent)
    assert subject == "Votre dossier 1"
    assert body == "Bonjour Camille Durand,\n\nImpossible de me connecter : réglé.\nAlice Dupont"


def test_every_template_variable_has_a_value(acme: Acme) -> None:
    values = template_values(camille_ticket(acme), acme.agent)
    assert set(values) == set(VARIABLES)
    assert all(values.values())


# --- Shared templates and signatures (the domain's library) ---------------------------------


def test_the_picker_offers_the_campaigns_and_the_domains_shared_templates(acme: Acme) -> None:
    ticket = camille_ticket(acme)
    own = EmailTemplate.objects.create(
        domain=acme.domain, campaign=acme.support, name="Propre", body="a"
    )
    shared = EmailTemplate.objects.create(domain=acme.domain, name="Partagé", body="b")
    other = EmailTemplate.objects.create(
        domain=acme.domain, campaign=acme.orders, name="Commandes", body="c"
    )
    globex = make_acme("globex")
    foreign = EmailTemplate.objects.create(domain=globex.domain, name="Globex", body="d")
    offered = list(usable_templates(ticket.campaign))
    assert offered == [shared, own]  # by name: "Partagé" < "Propre"
    assert shared.shared and not own.shared
    assert chosen_template(acme.agent, ticket, str(shared.pk)) == shared
    assert chosen_template(acme.agent, ticket, str(other.pk)) is None
    assert chosen_template(acme.agent, ticket, str(foreign.pk)) is None


def test_the_shared_signature_signs_a_campaign_without_its_own(acme: Acme) -> None:
    acme.support.signature = ""
    acme.support.shared_signature = Signature.objects.create(
        domain=acme.domain, name="Maison", text="L'équipe {{ campaign_name }}"
    )
    acme.support.save()
    message = reply(camille_ticket(acme), author=acme.agent, text=ANSWER)
    text = plain_text(bytes(stored_raw(message).content))
    assert f"{ANSWER}\n\n-- \nL'équipe Support\n" in text


def test_the_campaigns_own_signature_wins_over_the_shared_one(acme: Acme) -> None:
    acme.support.signature = "Signature propre"
    acme.support.shared_signature = Signature.objects.create(
        domain=acme.domain, name="Maison", text="Signature partagée"
    )
    acme.support.save()
    message = reply(camille_ticket(acme), author=acme.agent, text=ANSWER)
    assert "-- \nSignature propre" in message.text
    assert "Signature partagée" not in message.text


def test_a_shared_signature_of_another_domain_is_never_used(acme: Acme) -> None:
    globex = make_acme("globex")
    foreign = Signature.objects.create(domain=globex.domain, name="G", text="Globex signe")
    acme.support.signature, acme.support.shared_signature = "", foreign
    with pytest.raises(ValidationError) as refused:
        acme.support.full_clean()
    assert "shared_signature" in refused.value.message_dict
    acme.support.save()  # not through a form: still never used
    message = reply(camille_ticket(acme), author=acme.agent, text=ANSWER)
    assert "Globex signe" not in message.text
