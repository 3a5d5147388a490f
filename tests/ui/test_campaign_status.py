"""Deactivating (archiving), reactivating and deleting a campaign from the editor: an inactive
campaign distributes nothing and leaves its agents' list, but never loses mail; a campaign is
deleted only when it never had a ticket."""

import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from comptoir.api.actions import create_token
from comptoir.campaigns.models import Campaign, InboundAddress
from comptoir.distribution.actions import claim_next_ticket
from comptoir.mail.ingest import ingest_email
from comptoir.tickets.models import Message, Ticket
from tests.conftest import Acme, make_acme
from tests.mail.mail_client import customer_mail
from tests.ui.campaign_editor_helpers import manager, url
from tests.ui.conftest import client_for


@pytest.fixture
def maud(acme: Acme) -> Client:
    return client_for(manager(acme))


def deactivated(acme: Acme) -> Campaign:
    Campaign.objects.filter(pk=acme.support.pk).update(active=False)
    acme.support.refresh_from_db()
    return acme.support


def status_urls(acme: Acme) -> list[str]:
    return [url(name, acme) for name in ("manage_deactivate", "manage_reactivate", "manage_delete")]


# --- Deactivate and reactivate ------------------------------------------------------------------


def test_a_manager_deactivates_then_reactivates_a_campaign_after_confirming(
    acme: Acme, maud: Client
) -> None:
    info = maud.get(url("manage_info", acme)).text
    assert "This campaign is active." in info and url("manage_deactivate", acme) in info
    confirm = maud.get(url("manage_deactivate", acme))
    assert confirm.status_code == 200
    assert "Mail to its addresses and IMAP mailboxes is still received" in confirm.text
    assert "support@acme.test" in confirm.text
    assert Campaign.objects.get(pk=acme.support.pk).active  # a GET changes nothing

    response = maud.post(url("manage_deactivate", acme))
    assert response.status_code == 302 and response["Location"] == url("manage_info", acme)
    assert not Campaign.objects.get(pk=acme.support.pk).active
    info = maud.get(url("manage_info", acme)).text
    assert 'data-testid="campaign-inactive"' in info and url("manage_reactivate", acme) in info

    assert "Its agents see it again" in maud.get(url("manage_reactivate", acme)).text
    maud.post(url("manage_reactivate", acme))
    assert Campaign.objects.get(pk=acme.support.pk).active


def test_the_managers_list_greys_inactive_campaigns_and_filters_them(
    acme: Acme, maud: Client
) -> None:
    deactivated(acme)
    address = reverse("ui:manage_campaigns")
    page = maud.get(address).text
    assert '<tr data-testid="manage-support" class="campaign-inactive">' in page
    assert 'data-testid="inactive-support"' in page
    assert '<tr data-testid="manage-orders">' in page
    active = maud.get(address, {"show": "active"}).text
    assert "manage-orders" in active and "manage-support" not in active
    inactive = maud.get(address, {"show": "inactive"}).text
    assert "manage-support" in inactive and "manage-orders" not in inactive
    assert "manage-support" in maud.get(address, {"show": "nonsense"}).text


def test_an_inactive_campaign_leaves_its_agents_list_and_play_is_refused(acme: Acme) -> None:
    deactivated(acme)
    alice = client_for(acme.agent)
    home = alice.get(reverse("ui:campaigns")).text
    assert reverse("ui:play", args=["orders"]) in home
    assert reverse("ui:play", args=["support"]) not in home
    ticket_from(acme, "play-1@client.test")
    assert alice.post(reverse("ui:play", args=["support"])).status_code == 404
    # The action itself serves nothing either, and says why.
    with translation.override("en"):
        served = claim_next_ticket(acme.agent, acme.support, now=timezone.now())
    assert served.processing is None
    assert served.reason == "This campaign is not active."


def test_the_api_offers_no_play_on_an_inactive_campaign(acme: Acme) -> None:
    deactivated(acme)
    acme.agent.can_use_api = True
    acme.agent.save()
    _token, key = create_token(acme.agent)
    api = Client(HTTP_HOST="acme.localhost", headers={"Authorization": f"Bearer {key}"})
    campaigns = json.loads(api.get("/api/v1/campaigns").content)["campaigns"]
    assert {c["slug"]: c["playable"] for c in campaigns} == {"orders": True, "support": False}
    assert api.post("/api/v1/campaigns/support/next").status_code == 404


def ticket_from(acme: Acme, message_id: str, **headers: str) -> Ticket:
    raw = customer_mail(
        "Claire <claire@client.test>", "Colis perdu", message_id, to="support@acme.test", **headers
    )
    number = ingest_email(raw, recipients=["support@acme.test"]).ticket
    return Ticket.objects.get(domain=acme.domain, number=number)


def test_mail_to_an_inactive_campaign_is_stored_threaded_and_seen_by_supervisors(
    acme: Acme,
) -> None:
    deactivated(acme)
    ticket = ticket_from(acme, "lost-1@client.test")
    assert ticket.campaign_id == acme.support.pk
    answer = ticket_from(acme, "lost-2@client.test", **{"In-Reply-To": "<lost-1@client.test>"})
    assert answer.pk == ticket.pk
    assert Message.objects.filter(ticket=ticket).count() == 2
    sam = client_for(acme.supervisor)
    assert reverse("ui:ticket", args=[ticket.number]) in sam.get(reverse("ui:tickets")).text
    assert sam.get(reverse("ui:ticket", args=[ticket.number])).status_code == 200


# --- Delete -------------------------------------------------------------------------------------


def test_a_campaign_that_never_had_a_ticket_is_deleted_after_confirming(
    acme: Acme, maud: Client
) -> None:
    confirm = maud.get(url("manage_delete", acme))
    assert "The campaign never had a ticket." in confirm.text
    response = maud.post(url("manage_delete", acme))
    assert response["Location"] == reverse("ui:manage_campaigns")
    assert not Campaign.objects.filter(pk=acme.support.pk).exists()
    assert not InboundAddress.objects.filter(address="support@acme.test").exists()
    assert Campaign.objects.filter(pk=acme.orders.pk).exists()


def test_a_campaign_with_tickets_is_not_deleted_and_deactivation_is_advised(
    acme: Acme, maud: Client
) -> None:
    ticket_from(acme, "keep-1@client.test")
    confirm = maud.get(url("manage_delete", acme))
    assert 'data-testid="delete-refused"' in confirm.text
    assert "This campaign has 1 ticket: it cannot be deleted" in confirm.text
    assert url("manage_deactivate", acme) in confirm.text
    response = maud.post(url("manage_delete", acme), follow=True)
    assert "it cannot be deleted. Deactivate it instead." in response.text
    assert Campaign.objects.filter(pk=acme.support.pk).exists()
    assert Ticket.objects.filter(campaign=acme.support).count() == 1


# --- Rights -------------------------------------------------------------------------------------


def test_without_the_right_to_manage_campaigns_nothing_changes(acme: Acme) -> None:
    for user in (acme.agent, acme.supervisor):
        client = client_for(user)
        for address in status_urls(acme):
            assert client.get(address).status_code == 403, address
            assert client.post(address).status_code == 403, address
    campaign = Campaign.objects.get(pk=acme.support.pk)
    assert campaign.active


def test_another_domains_campaign_is_not_found(acme: Acme) -> None:
    globex = make_acme("globex")
    Campaign.objects.filter(pk=globex.support.pk).update(slug="globex-support")
    intruder = client_for(manager(globex))
    for address in status_urls(acme):
        assert intruder.get(address).status_code == 404, address
        assert intruder.post(address).status_code == 404, address
    assert Campaign.objects.get(pk=acme.support.pk).active
    assert Campaign.objects.filter(domain=acme.domain).count() == 2
