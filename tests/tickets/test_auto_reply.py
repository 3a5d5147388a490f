"""The automatic reply: one acknowledgement per new ticket, to people only, never in a loop."""

import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from comptoir.campaigns.models import Campaign, EmailTemplate, Signature
from comptoir.mail.batch import ingest_many
from comptoir.mail.ingest import IngestResult, ingest_email
from comptoir.tickets.models import Message, RawMessage, Ticket, TicketEvent
from tests.conftest import Acme, make_acme, read_eml
from tests.mail.mail_client import customer_mail, parse
from tests.mail.threading_stream import build_stream


@pytest.fixture
def acme(db: None) -> Acme:
    """Acme, whose support campaign acknowledges every new ticket."""
    acme = make_acme()
    acme.support.auto_reply_enabled = True
    acme.support.save()
    return acme


def auto_replies(acme: Acme) -> list[Message]:
    rows = Message.objects.filter(domain=acme.domain, direction="outbound", is_automatic=True)
    return list(rows.select_related("ticket", "raw").order_by("pk"))


def skipped(result: IngestResult) -> str:
    """Why the ticket this message opened got no automatic reply."""
    event = TicketEvent.objects.get(ticket__number=result.ticket, kind="auto_reply_skipped")
    return event.detail


def mail_from(sender: str, number: int = 1, /, **headers: str) -> bytes:
    return customer_mail(sender, f"Demande {number}", f"d{number}@ex.test", **headers)


def test_a_new_ticket_gets_exactly_one_automatic_reply(acme: Acme) -> None:
    result = ingest_email(read_eml("ingest/new-request.eml"), domain=acme.domain)
    [ack] = auto_replies(acme)
    assert ack.ticket.number == result.ticket == 1
    assert (ack.delivery_state, ack.author, ack.automatic_reason) == (
        "queued",
        None,
        "automatic reply",
    )
    assert ack.to == [{"email": "camille.durand@exemple.fr", "name": "Camille Durand"}]
    assert ack.subject == "Re: Impossible de me connecter [#1]"
    assert ack.in_reply_to == "req-1@exemple.fr"
    assert ack.references == ["req-1@exemple.fr"]
    sent = parse(bytes(RawMessage.objects.get(message=ack).content))
    assert sent["Auto-Submitted"] == "auto-replied"
    assert sent["In-Reply-To"] == "<req-1@exemple.fr>"
    assert TicketEvent.objects.get(kind="auto_reply_queued").message == ack


def test_the_default_text_names_the_customer_and_the_ticket_number(acme: Acme) -> None:
    acme.domain.language = "en"
    acme.domain.save()
    ingest_email(read_eml("ingest/new-request.eml"), domain=acme.domain)
    [ack] = auto_replies(acme)
    assert ack.text.startswith("Hello Camille Durand,\n\n")
    assert "registered it under ticket number 1." in ack.text
    assert "{{" not in ack.text
    assert ack.text.rstrip().endswith("Support")


def test_the_campaigns_template_gives_subject_and_body(acme: Acme) -> None:
    acme.support.auto_reply_template = EmailTemplate.objects.create(
        domain=acme.domain,
        campaign=acme.support,
        name="Accusé de réception",
        subject="Demande n°{{ ticket_number }} bien reçue",
        body="Bonjour {{ customer_name }},\nvotre demande porte le numéro {{ ticket_number }}.",
    )
    acme.support.save()
    ingest_email(read_eml("ingest/new-request.eml"), domain=acme.domain)
    [ack] = auto_replies(acme)
    assert ack.subject == "Demande n°1 bien reçue [#1]"
    assert ack.text.startswith("Bonjour Camille Durand,\nvotre demande porte le numéro 1.\n")


def test_a_template_without_subject_answers_under_the_customers_subject(acme: Acme) -> None:
    acme.support.auto_reply_template = EmailTemplate.objects.create(
        domain=acme.domain, campaign=acme.support, name="Court", body="Reçu : {{ ticket_number }}"
    )
    acme.support.save()
    ingest_email(read_eml("ingest/new-request.eml"), domain=acme.domain)
    [ack] = auto_replies(acme)
    assert (ack.subject, ack.text) == ("Re: Impossible de me connecter [#1]", "Reçu : 1\n")


def test_a_campaign_that_does_not_acknowledge_sends_nothing(acme: Acme) -> None:
    result = ingest_email(read_eml("ingest/new-request.eml"), campaign=acme.orders)
    assert result.outcome == "created"
    assert auto_replies(acme) == []
    assert not TicketEvent.objects.filter(kind__startswith="auto_reply").exists()


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({"Auto_Submitted": "auto-replied"}, "Auto-Submitted: auto-replied"),
        ({"Precedence": "bulk"}, "Precedence: bulk"),
        ({"List_Id": "Nouvelles <news.shop.test>"}, "List-Id"),
        ({"X_Auto_Response_Suppress": "OOF"}, "X-Auto-Response-Suppress: OOF"),
    ],
)
def test_automatic_mail_gets_no_automatic_reply(
    acme: Acme, headers: dict[str, str], reason: str
) -> None:
    result = ingest_email(mail_from("robot@shop.test", **headers), domain=acme.domain)
    assert result.outcome == "created"
    assert auto_replies(acme) == []
    assert "the message is automatic" in skipped(result)
    assert reason in skipped(result)


def test_a_message_with_a_null_envelope_sender_gets_no_automatic_reply(acme: Acme) -> None:
    raw = mail_from("claire@client.test")
    result = ingest_email(raw, recipients=["support@acme.test"], envelope_from="<>")
    assert auto_replies(acme) == []
    assert "null envelope sender" in skipped(result)


def test_auto_submitted_no_is_a_person_and_is_answered(acme: Acme) -> None:
    ingest_email(mail_from("claire@client.test", Auto_Submitted="no"), domain=acme.domain)
    assert len(auto_replies(acme)) == 1


@pytest.mark.parametrize(
    "sender",
    [
        "noreply@shop.test",
        "No-Reply@shop.test",
        "no_reply@shop.test",
        "no.reply+42@shop.test",
        "do-not-reply@shop.test",
        "donotreply@shop.test",
        "ne-pas-repondre@shop.test",
        "bounces+abc@shop.test",
    ],
)
def test_no_reply_addresses_get_no_automatic_reply(acme: Acme, sender: str) -> None:
    result = ingest_email(mail_from(sender), domain=acme.domain)
    assert result.outcome == "created"
    assert auto_replies(acme) == []
    assert "is a no-reply address" in skipped(result)


@pytest.mark.parametrize("sender", ["support@globex.test", "Orders+test@Globex.test"])
def test_an_address_comptoir_receives_mail_on_gets_no_automatic_reply(
    acme: Acme, sender: str
) -> None:
    make_acme("globex")  # another domain of this installation
    result = ingest_email(mail_from(sender), domain=acme.domain)
    assert result.outcome == "created"
    assert auto_replies(acme) == []
    assert "is an address Comptoir receives mail on" in skipped(result)


def test_mail_from_our_own_address_is_kept_out_and_unanswered(acme: Acme) -> None:
    result = ingest_email(mail_from("orders@acme.test"), recipients=["support@acme.test"])
    assert result.outcome == "quarantined"
    assert auto_replies(acme) == []


def test_a_sender_smtp_cannot_carry_keeps_the_ticket_and_gets_no_reply(acme: Acme) -> None:
    raw = customer_mail("Taro <taro.@docomo.test>", "Question", "q-1@docomo.test")
    result = ingest_email(raw, domain=acme.domain)
    assert result.outcome == "created"  # not quarantined because the reply could not be built
    assert auto_replies(acme) == []
    assert "not an address mail can be sent to" in skipped(result)


def test_a_campaign_without_sender_address_keeps_the_ticket_and_says_why(acme: Acme) -> None:
    hidden = Campaign.objects.create(
        domain=acme.domain, slug="imap", name="Boîte IMAP", auto_reply_enabled=True
    )
    result = ingest_email(mail_from("claire@client.test"), campaign=hidden)
    assert result.outcome == "created"
    assert auto_replies(acme) == []
    assert "has no sender address" in skipped(result)


def test_one_sender_gets_at_most_the_daily_limit_of_automatic_replies(acme: Acme) -> None:
    acme.support.auto_reply_daily_limit = 2
    acme.support.save()
    results = [
        ingest_email(mail_from("claire@client.test", n), domain=acme.domain) for n in (1, 2, 3, 4)
    ]
    assert [r.outcome for r in results] == ["created"] * 4
    assert [m.ticket.number for m in auto_replies(acme)] == [1, 2]
    for extra in results[2:]:
        assert "claire@client.test already got 2 automatic replies in 24 hours" in skipped(extra)


def test_the_daily_limit_counts_each_sender_apart(acme: Acme) -> None:
    acme.support.auto_reply_daily_limit = 1
    acme.support.save()
    ingest_email(mail_from("claire@client.test", 1), domain=acme.domain)
    ingest_email(mail_from("claire@client.test", 2), domain=acme.domain)
    ingest_email(mail_from("bruno@client.test", 3), domain=acme.domain)
    assert [m.to[0]["email"] for m in auto_replies(acme)] == [
        "claire@client.test",
        "bruno@client.test",
    ]


def test_automatic_replies_older_than_a_day_no_longer_count(acme: Acme) -> None:
    acme.support.auto_reply_daily_limit = 1
    acme.support.save()
    ingest_email(mail_from("claire@client.test", 1), domain=acme.domain)
    yesterday = timezone.now() - timedelta(hours=25)
    Message.objects.filter(is_automatic=True, direction="outbound").update(created_at=yesterday)
    ingest_email(mail_from("claire@client.test", 2), domain=acme.domain)
    assert [m.ticket.number for m in auto_replies(acme)] == [1, 2]


def test_a_message_appended_to_a_ticket_gets_no_automatic_reply(acme: Acme) -> None:
    ingest_email(read_eml("ingest/new-request.eml"), domain=acme.domain)
    result = ingest_email(read_eml("ingest/reply-in-reply-to.eml"), domain=acme.domain)
    assert (result.outcome, result.ticket) == ("appended", 1)
    assert len(auto_replies(acme)) == 1


def test_ingest_without_auto_reply_opens_the_ticket_silently(acme: Acme) -> None:
    silent = ingest_email(mail_from("claire@client.test", 1), domain=acme.domain, auto_reply=False)
    assert silent.outcome == "created"
    assert auto_replies(acme) == []
    ingest_email(mail_from("claire@client.test", 2), domain=acme.domain)
    assert [m.ticket.number for m in auto_replies(acme)] == [2]


def test_the_ingest_command_with_no_auto_reply_queues_none(acme: Acme, tmp_path: Path) -> None:
    archive, fresh = tmp_path / "archive.eml", tmp_path / "fresh.eml"
    archive.write_bytes(mail_from("claire@client.test", 1))
    fresh.write_bytes(mail_from("claire@client.test", 2))
    call_command("ingest", "--no-auto-reply", str(archive), stdout=io.StringIO())
    assert Ticket.objects.filter(domain=acme.domain).count() == 1
    assert auto_replies(acme) == []
    call_command("ingest", str(fresh), stdout=io.StringIO())
    assert [m.ticket.number for m in auto_replies(acme)] == [2]


def acknowledgements(domain_id: int) -> list[tuple]:
    rows = Message.objects.filter(domain_id=domain_id, direction="outbound").order_by("pk")
    return [
        (m.ticket.number, m.to, m.subject, m.in_reply_to, m.references, m.text, m.is_automatic)
        for m in rows.select_related("ticket")
    ]


def auto_reply_events(domain_id: int) -> list[tuple]:
    events = TicketEvent.objects.filter(domain_id=domain_id, kind__startswith="auto_reply")
    return [(e.ticket.number, e.kind, e.detail) for e in events.order_by("pk")]


def test_bulk_ingest_gives_the_same_automatic_replies_as_one_by_one(acme: Acme) -> None:
    globex = make_acme("globex")
    globex.support.auto_reply_enabled = True
    globex.support.save()
    items = [(f"s{i}", m.raw) for i, m in enumerate(build_stream(customers=4, steps=30))]
    items.insert(3, ("ooo", read_eml("ingest/out-of-office.eml")))
    items.insert(9, ("list", read_eml("ingest/newsletter.eml")))
    one_by_one = [ingest_email(raw, campaign=acme.support, source=label) for label, raw in items]
    bulk = [result for _label, result in ingest_many(items, campaign=globex.support)]
    assert [(r.outcome, r.ticket) for r in bulk] == [(r.outcome, r.ticket) for r in one_by_one]
    expected = acknowledgements(acme.domain.pk)
    assert len(expected) >= 4  # some customers hit the daily limit, automatic mail gets none
    assert acknowledgements(globex.domain.pk) == expected
    assert auto_reply_events(globex.domain.pk) == auto_reply_events(acme.domain.pk)
    assert any(kind == "auto_reply_skipped" for _n, kind, _d in auto_reply_events(acme.domain.pk))


def test_an_automatic_reply_is_sent_with_a_null_return_path(acme: Acme) -> None:
    ingest_email(read_eml("ingest/new-request.eml"), domain=acme.domain)
    [ack] = auto_replies(acme)
    assert ack.raw is not None and ack.raw.envelope_from == ""


def test_a_campaign_may_only_acknowledge_with_one_of_its_own_templates(acme: Acme) -> None:
    foreign = EmailTemplate.objects.create(
        domain=acme.domain, campaign=acme.orders, name="Commandes", body="Texte des commandes"
    )
    acme.support.auto_reply_template = foreign
    with pytest.raises(ValidationError) as refused:
        acme.support.full_clean()
    assert "auto_reply_template" in refused.value.message_dict
    acme.support.save()  # saved anyway (not through a form): the text is still never used
    ingest_email(read_eml("ingest/new-request.eml"), domain=acme.domain)
    [ack] = auto_replies(acme)
    assert "Texte des commandes" not in ack.text
    assert "1" in ack.text  # the default acknowledgement, with the ticket number


def test_mail_from_a_tagged_own_address_is_automatic_and_unanswered(acme: Acme) -> None:
    raw = mail_from("Support <support+relance@acme.test>", 1)
    result = ingest_email(raw, recipients=["support@acme.test"])
    assert result.outcome == "quarantined"  # our own mail coming back: a loop
    assert "own address support+relance@acme.test" in result.reason
    assert auto_replies(acme) == []


def test_a_shared_template_of_the_domain_may_be_the_automatic_reply(acme: Acme) -> None:
    shared = EmailTemplate.objects.create(
        domain=acme.domain,
        name="Accusé commun",
        subject="Bien reçu ({{ ticket_number }})",
        body="Bonjour {{ customer_name }}, texte commun.",
    )
    acme.support.auto_reply_template = shared
    acme.support.full_clean()  # accepted: a shared template of the campaign's domain
    acme.support.save()
    ingest_email(read_eml("ingest/new-request.eml"), domain=acme.domain)
    [ack] = auto_replies(acme)
    assert ack.subject == "Bien reçu (1) [#1]"
    assert ack.text.startswith("Bonjour Camille Durand, texte commun.\n")


def test_a_shared_template_of_another_domain_is_refused_and_never_used(acme: Acme) -> None:
    globex = make_acme("globex")
    foreign = EmailTemplate.objects.create(domain=globex.domain, name="G", body="Texte Globex")
    acme.support.auto_reply_template = foreign
    with pytest.raises(ValidationError) as refused:
        acme.support.full_clean()
    assert "auto_reply_template" in refused.value.message_dict
    acme.support.save()
    ingest_email(read_eml("ingest/new-request.eml"), domain=acme.domain)
    [ack] = auto_replies(acme)
    assert "Texte Globex" not in ack.text


def test_the_automatic_reply_is_signed_with_the_shared_signature(acme: Acme) -> None:
    acme.support.signature = ""
    acme.support.shared_signature = Signature.objects.create(
        domain=acme.domain, name="Maison", text="Le service {{ campaign_name }}"
    )
    acme.support.save()
    ingest_email(read_eml("ingest/new-request.eml"), domain=acme.domain)
    [ack] = auto_replies(acme)
    assert "-- \nLe service Support" in ack.text
    acme.support.signature = "Propre"
    acme.support.save()
    ingest_email(mail_from("autre@client.test"), domain=acme.domain)
    assert "-- \nPropre" in auto_replies(acme)[1].text
