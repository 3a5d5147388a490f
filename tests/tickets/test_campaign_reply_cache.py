"""What an acknowledgement needs of its campaign (tickets.auto_reply_draft.CampaignReply) is
kept REPLY_TTL seconds across runs, with the routing cache's rule: a change saved in this
process is seen at once, a change made by another process (the web process: here plain SQL,
which sends no signal) within the TTL; a campaign read afresh with other settings at once."""

import pytest

from comptoir.campaigns.models import Campaign, EmailTemplate
from comptoir.mail.ingest import ingest_email
from comptoir.tickets import auto_reply_draft
from comptoir.tickets.auto_reply_draft import REPLY_TTL, campaign_reply
from comptoir.tickets.models import Direction, Message
from tests.campaigns.test_routing_cache import Clock, elsewhere
from tests.conftest import Acme
from tests.mail.mail_client import customer_mail


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(auto_reply_draft, "clock", fake)
    return fake


@pytest.fixture
def template(acme: Acme) -> EmailTemplate:
    template = EmailTemplate.objects.create(
        domain=acme.domain, name="Reçu", subject="Reçu", body="Version 1"
    )
    Campaign.objects.filter(pk=acme.support.pk).update(
        auto_reply_enabled=True, auto_reply_template=template
    )
    return template


def acknowledgement(n: int) -> str:
    raw = customer_mail(f"c{n}@client.test", f"Demande {n}", f"<m{n}@client.test>")
    ingest_email(raw, recipients=["support@acme.test"])
    reply = Message.objects.filter(direction=Direction.OUTBOUND).order_by("-pk").first()
    assert reply is not None and reply.to[0]["email"] == f"c{n}@client.test"
    return reply.text.strip()


def test_a_template_changed_elsewhere_is_used_after_the_ttl(
    acme: Acme, template: EmailTemplate, clock: Clock
) -> None:
    assert acknowledgement(1) == "Version 1"
    elsewhere("UPDATE campaigns_emailtemplate SET body = %s WHERE id = %s", ["V2", template.pk])
    assert acknowledgement(2) == "Version 1"  # cached: the documented delay
    clock.now += REPLY_TTL + 0.1
    assert acknowledgement(3) == "V2"


def test_a_template_saved_in_this_process_is_used_at_once(
    acme: Acme, template: EmailTemplate, clock: Clock
) -> None:
    assert acknowledgement(1) == "Version 1"
    template.body = "Version 2"
    template.save()
    assert acknowledgement(2) == "Version 2"


def test_a_campaign_read_with_other_settings_gets_its_own(acme: Acme, clock: Clock) -> None:
    first = campaign_reply(acme.support)
    assert campaign_reply(Campaign.objects.get(pk=acme.support.pk)) is first
    Campaign.objects.filter(pk=acme.support.pk).update(sender_email="aide@acme.test")
    changed = campaign_reply(Campaign.objects.get(pk=acme.support.pk))
    assert changed is not first and changed.sender.email == "aide@acme.test"


def test_a_mail_domain_removed_elsewhere_stops_acknowledgements_after_the_ttl(
    acme: Acme, template: EmailTemplate, clock: Clock
) -> None:
    assert acknowledgement(1) == "Version 1"
    elsewhere("DELETE FROM tenancy_maildomain WHERE domain_id = %s", [acme.domain.pk])
    clock.now += REPLY_TTL + 0.1
    raw = customer_mail("c2@client.test", "Demande 2", "<m2@client.test>")
    ingest_email(raw, recipients=["support@acme.test"], campaign=acme.support)
    assert Message.objects.filter(direction=Direction.OUTBOUND).count() == 1
