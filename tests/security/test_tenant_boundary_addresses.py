"""Issue 10, finding 5, the routing side: mail for an address of a domain's mail domain
reaches that domain only, and `base+tag@x` goes where `base@x` goes, never to another
domain's exact registration, even one made before mail domains existed."""

import smtplib
from collections.abc import Iterator

import pytest

from comptoir.campaigns.models import InboundAddress
from comptoir.mail.ingest import ingest_email, route_address
from comptoir.mail.server import build_controller
from comptoir.tickets.models import Ticket
from tests.conftest import Acme, make_acme
from tests.mail.mail_client import customer_mail
from tests.mail.test_smtp import free_port


def registered_before_the_fix(owner: Acme, address: str) -> None:
    """A row the old editor let another domain create: written straight to the table."""
    InboundAddress.objects.create(
        domain=owner.domain, campaign=owner.support, address=address.lower()
    )


@pytest.fixture
def globex(acme: Acme) -> Acme:
    return make_acme("globex")


def test_a_tag_of_a_s_address_routes_to_a_even_if_b_registered_it_before(
    acme: Acme, globex: Acme
) -> None:
    registered_before_the_fix(globex, "support+vip@acme.test")
    campaign = route_address("support+vip@acme.test")
    assert campaign is not None and campaign.domain_id == acme.domain.pk
    raw = customer_mail("claire@client.test", "VIP", "<vip@client.test>", to="x@x.test")
    result = ingest_email(raw, recipients=["support+vip@acme.test"])
    assert result.outcome == "created"
    assert Ticket.objects.get(number=result.ticket, domain=acme.domain).campaign == acme.support
    assert not Ticket.objects.filter(domain=globex.domain).exists()


def test_mail_for_a_s_mail_domain_never_reaches_b_s_campaign(acme: Acme, globex: Acme) -> None:
    registered_before_the_fix(globex, "ventes@acme.test")
    assert route_address("ventes@acme.test") is None
    assert route_address("VENTES+x@Acme.Test") is None
    raw = customer_mail("claire@client.test", "Devis", "<devis@client.test>", to="ventes@acme.test")
    assert ingest_email(raw, recipients=["ventes@acme.test"]).outcome == "rejected"
    # Routed by its headers (the pipe, IMAP without envelope), the same rule holds.
    assert ingest_email(raw).outcome == "rejected"
    assert not Ticket.objects.filter(domain=globex.domain).exists()


def test_in_a_mail_domain_nobody_owns_a_tag_goes_to_the_base_address_s_domain(
    acme: Acme, globex: Acme
) -> None:
    registered_before_the_fix(acme, "help@legacy.test")
    registered_before_the_fix(globex, "help+vip@legacy.test")
    campaign = route_address("help+vip@legacy.test")
    assert campaign is not None and campaign.domain_id == acme.domain.pk


def test_the_domain_filter_of_the_ingest_command_still_applies(acme: Acme, globex: Acme) -> None:
    assert route_address("support+x@acme.test", globex.domain) is None
    campaign = route_address("support+x@acme.test", acme.domain)
    assert campaign == acme.support


@pytest.fixture
def smtp_port(transactional_db: None) -> Iterator[int]:
    port = free_port()
    controller = build_controller("127.0.0.1", port)
    controller.start()
    yield port
    controller.stop()


@pytest.mark.django_db(transaction=True)
def test_over_smtp_a_s_tag_reaches_a_and_b_s_old_registration_is_refused(
    smtp_port: int,
) -> None:
    acme, globex = make_acme(), make_acme("globex")
    registered_before_the_fix(globex, "support+vip@acme.test")
    registered_before_the_fix(globex, "ventes@acme.test")
    raw = customer_mail("claire@client.test", "VIP", "<smtp-vip@client.test>", to="x@x.test")
    with smtplib.SMTP("127.0.0.1", smtp_port) as client:
        client.ehlo("client.test")
        client.mail("claire@client.test")
        assert client.rcpt("ventes@acme.test")[0] == 550
        assert client.rcpt("support+vip@acme.test")[0] == 250
        code, _text = client.data(raw)
    assert code == 250
    ticket = Ticket.objects.get()
    assert (ticket.domain_id, ticket.campaign_id) == (acme.domain.pk, acme.support.pk)
