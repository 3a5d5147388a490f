"""Issue 10, findings 5 and 6: a domain may only receive on, and send from, its own mail
domains. An administrator of one domain can neither register another domain's addresses
(`+tag` variants included) nor send as it, and a refusal never tells what others use."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from comptoir.campaigns.actions import routing
from comptoir.campaigns.actions.campaign import CampaignInfo, update_campaign_info
from comptoir.campaigns.models import Campaign, InboundAddress
from comptoir.mail.ingest import ingest_email
from comptoir.tickets.models import Direction, Message, TicketEvent
from comptoir.tickets.outbound import ReplyError, reply
from tests.campaigns.test_actions import boss
from tests.conftest import Acme, make_acme
from tests.mail.mail_client import customer_mail
from tests.ui.conftest import client_for, make_ticket

# Addresses of Acme's mail domain (acme.test) that Globex's administrator tries to take.
ACME_ADDRESSES = [
    "support+vip@acme.test",  # a tag of Acme's registered address
    "Support+VIP@ACME.test",  # the same, in other case
    "ventes@acme.test",  # free, but in Acme's mail domain
    "support@acme.test",  # taken by Acme
    "nobody@unowned.test",  # in no domain's mail domain
]


@pytest.fixture
def globex(acme: Acme) -> Acme:
    return make_acme("globex")


def refusal_of(campaign: Campaign, address: str, acme: Acme) -> str:
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        routing.add_inbound_address(campaign, address, by=boss(acme))
    return " ".join(refused.value.message_dict["address"])


def test_an_administrator_cannot_register_any_address_of_another_domains_mail_domain(
    acme: Acme, globex: Acme
) -> None:
    before = set(InboundAddress.objects.values_list("address", "domain_id"))
    refusals = {refusal_of(globex.support, address, globex) for address in ACME_ADDRESSES}
    assert set(InboundAddress.objects.values_list("address", "domain_id")) == before
    # One generic refusal for taken, free and unowned alike: nothing to enumerate with.
    assert len(refusals) == 1
    (refusal,) = refusals
    assert "mail domains" in refusal
    for leak in ("support@acme.test", "orders@acme.test", "acme", "Acme"):
        assert leak not in refusal


def test_the_demo_domain_owns_demo_localhost_and_another_domain_cannot_take_its_mail(
    db: None,
) -> None:
    from comptoir.demo.people import ensure_people

    ensure_people(agents=1)
    globex = make_acme("globex")
    for address in ("ventes@demo.localhost", "support+vip@demo.localhost"):
        refusal_of(globex.support, address, globex)
    assert not InboundAddress.objects.filter(domain=globex.domain, address__contains="demo")


def test_a_domain_registers_addresses_and_tags_in_its_own_mail_domain(acme: Acme) -> None:
    added = routing.add_inbound_address(acme.orders, " Support+VIP@ACME.test ", by=boss(acme))
    assert (added.address, added.domain_id) == ("support+vip@acme.test", acme.domain.pk)
    # Its own address twice: it may be told that it is taken (it is its own).
    refusal = refusal_of(acme.orders, "support@acme.test", acme)
    assert "already" in refusal


def test_a_mail_domain_is_compared_after_idna_normalisation(acme: Acme, globex: Acme) -> None:
    from comptoir.tenancy.mail_domains import add_mail_domain

    owned = add_mail_domain(domain=acme.domain, name="ÉCOLE.test.")
    assert owned.name == "xn--cole-9oa.test"
    added = routing.add_inbound_address(acme.support, "info@École.TEST", by=boss(acme))
    assert added.address == "info@xn--cole-9oa.test"
    for address in ("autre@école.test", "autre@xn--cole-9oa.test"):
        refusal_of(globex.support, address, globex)


def info_of(campaign: Campaign, **changes: object) -> CampaignInfo:
    values: dict[str, object] = {
        "name": campaign.name,
        "sender_name": campaign.sender_name,
        "sender_email": "",
        "reply_to": "",
        "attachment_display": "list",
        "signature": "",
        "auto_reply_enabled": False,
        "auto_reply_template_id": None,
        "auto_reply_daily_limit": 3,
        "agent_team_ids": [],
        "supervision_team_ids": [],
    }
    values.update(changes)
    return CampaignInfo(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize("field", ["sender_email", "reply_to"])
@pytest.mark.parametrize("address", ["support@acme.test", "x+y@acme.test", "a@unowned.test"])
def test_the_action_refuses_a_sender_or_reply_to_outside_the_domains_mail_domains(
    acme: Acme, globex: Acme, field: str, address: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        update_campaign_info(
            globex.support, info_of(globex.support, **{field: address}), by=boss(globex)
        )
    assert field in refused.value.message_dict
    globex.support.refresh_from_db()
    assert (globex.support.sender_email, globex.support.reply_to) == ("", "")
    # Its own mail domain is fine, in any case.
    own = info_of(globex.support, **{field: "Contact@GLOBEX.test"})
    update_campaign_info(globex.support, own, by=boss(globex))
    globex.support.refresh_from_db()
    assert getattr(globex.support, field) == "contact@globex.test"


def globex_manager(globex: Acme) -> Client:
    from tests.ui.campaign_editor_helpers import manager

    return client_for(manager(globex))


def test_the_editor_refuses_another_domains_sender_and_address_without_leaking_them(
    acme: Acme, globex: Acme
) -> None:
    maud = globex_manager(globex)
    page = maud.post(
        reverse("ui:manage_info", args=["support"]),
        {
            "name": "Support",
            "sender_name": "Service client Acme",
            "sender_email": "support@acme.test",
            "reply_to": "orders@acme.test",
            "attachment_display": "list",
            "signature": "",
            "auto_reply_daily_limit": 3,
            "auto_reply_hourly_limit": 100,
        },
    )
    assert page.status_code == 400
    assert "mail domains" in page.content.decode()
    globex.support.refresh_from_db()
    assert globex.support.sender_email == ""
    page = maud.post(
        reverse("ui:manage_address_add", args=["support"]), {"address": "support+vip@acme.test"}
    )
    assert page.status_code == 400
    body = page.content.decode()
    assert "support@acme.test" not in body and "orders@acme.test" not in body


def test_a_reply_can_never_carry_a_from_or_reply_to_outside_the_domain(
    acme: Acme, globex: Acme
) -> None:
    """Values saved before the fix (or written around the editor) are refused at queue time."""
    Campaign.objects.filter(pk=globex.support.pk).update(sender_email="support@acme.test")
    ticket = make_ticket(Campaign.objects.get(pk=globex.support.pk), assignee=globex.agent)
    with pytest.raises(ReplyError):
        reply(ticket, author=globex.agent, text="Bonjour")
    Campaign.objects.filter(pk=globex.support.pk).update(
        sender_email="", reply_to="support@acme.test"
    )
    ticket.campaign.refresh_from_db()
    with pytest.raises(ReplyError):
        reply(ticket, author=globex.agent, text="Bonjour")
    assert not Message.objects.filter(direction=Direction.OUTBOUND).exists()


def test_an_automatic_reply_is_never_queued_from_another_domains_address(
    acme: Acme, globex: Acme
) -> None:
    Campaign.objects.filter(pk=globex.support.pk).update(
        sender_email="support@acme.test", auto_reply_enabled=True
    )
    raw = customer_mail(
        "claire@client.test", "Bonjour", "<c1@client.test>", to="support@globex.test"
    )
    result = ingest_email(raw, recipients=["support@globex.test"])
    assert result.outcome == "created"
    assert not Message.objects.filter(direction=Direction.OUTBOUND).exists()
    assert TicketEvent.objects.filter(kind="auto_reply_skipped").exists()
    for message in Message.objects.filter(direction=Direction.OUTBOUND):
        assert message.from_email.endswith("@globex.test")
