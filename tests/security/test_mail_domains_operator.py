"""Issue 10, finding 5: operators give mail domains to domains (`comptoir mail-domain`,
`create-domain --mail-domain`); administrators see them, read-only, on the domain's settings
page; the upgrade gives existing mail domains to the domains using them."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from comptoir.campaigns.actions import routing
from comptoir.campaigns.models import InboundAddress
from comptoir.tenancy.models import Domain, MailDomain
from tests.campaigns.test_actions import boss
from tests.conftest import Acme, Migrate, make_acme
from tests.ui.campaign_editor_helpers import manager
from tests.ui.conftest import client_for


def mail_domain(*args: str) -> str:
    out = StringIO()
    call_command("mail_domain", *args, stdout=out)
    return out.getvalue()


def test_an_operator_gives_a_mail_domain_and_the_domain_may_then_use_it(acme: Acme) -> None:
    with pytest.raises(Exception):  # noqa: B017 - any refusal: not its mail domain yet
        routing.add_inbound_address(acme.support, "aide@acme.example", by=boss(acme))
    assert "acme.example: mail domain of acme" in mail_domain(
        "add", "--domain", "acme", "ACME.example."
    )
    mail_domain("add", "--domain", "acme", "acme.example")  # twice: nothing changes
    assert routing.add_inbound_address(acme.support, "aide@acme.example", by=boss(acme))
    assert "acme\tacme.example" in mail_domain("list", "--domain", "acme")
    with pytest.raises(CommandError, match="still receives mail"):
        mail_domain("remove", "--domain", "acme", "acme.example")
    InboundAddress.objects.filter(address="aide@acme.example").delete()
    mail_domain("remove", "--domain", "acme", "acme.example")
    assert not MailDomain.objects.filter(name="acme.example").exists()


def test_a_mail_domain_belongs_to_one_domain_only(acme: Acme) -> None:
    make_acme("globex")
    with pytest.raises(CommandError, match="belongs to the domain acme"):
        mail_domain("add", "--domain", "globex", "acme.test")
    with pytest.raises(CommandError, match="not a mail domain"):
        mail_domain("add", "--domain", "globex", "bad_name..test")
    # A mail domain another domain already receives mail on (before mail domains) is refused.
    InboundAddress.objects.create(
        domain=acme.domain, campaign=acme.support, address="old@shared.test"
    )
    with pytest.raises(CommandError, match="remove those addresses first"):
        mail_domain("add", "--domain", "globex", "shared.test")
    assert MailDomain.objects.get(name="acme.test").domain == acme.domain


def test_create_domain_takes_mail_domains(db: None) -> None:
    out = StringIO()
    call_command(
        "create_domain", "--slug", "initech", "--name", "Initech", "--admin", "bill",
        "--admin-email", "bill@initech.example", "--password", "correct-horse-battery",
        "--mail-domain", "initech.example", "--mail-domain", "Support.Initech.Example",
        stdout=out,
    )  # fmt: skip
    names = set(MailDomain.objects.filter(domain__slug="initech").values_list("name", flat=True))
    assert names == {"initech.example", "support.initech.example"}
    assert "mail domain: initech.example" in out.getvalue()
    with pytest.raises(CommandError, match="belongs to the domain initech"):
        call_command(
            "create_domain", "--slug", "other", "--name", "Other", "--admin", "o",
            "--admin-email", "o@other.example", "--mail-domain", "initech.example",
            stdout=StringIO(),
        )  # fmt: skip
    assert not Domain.objects.filter(slug="other").exists()  # nothing half-created


def test_the_domain_settings_page_lists_its_mail_domains_read_only(acme: Acme) -> None:
    make_acme("globex")
    MailDomain.objects.create(domain=acme.domain, name="acme.example")
    page = client_for(manager(acme)).get(reverse("ui:manage_domain"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "acme.test" in body and "acme.example" in body
    assert "globex.test" not in body
    assert "<form" not in body.split('data-testid="mail-domains"', 1)[1].split("</ul>", 1)[0]
    assert client_for(acme.agent).get(reverse("ui:manage_domain")).status_code == 403


BEFORE = [("campaigns", "0013_auto_reply_hourly_limit"), ("tenancy", "0006_mail_domain")]
AFTER = [("campaigns", "0014_mail_domains_of_existing_addresses")]


def test_the_upgrade_gives_each_mail_domain_to_the_oldest_domain_using_it(
    migrator: Migrate,
) -> None:
    old = migrator(BEFORE)
    Domain = old.get_model("tenancy", "Domain")
    Campaign = old.get_model("campaigns", "Campaign")
    Address = old.get_model("campaigns", "InboundAddress")
    demo = Domain.objects.create(slug="demo", name="Demo")
    thief = Domain.objects.create(slug="thief", name="Thief")
    for domain, addresses, sender in (
        (demo, ["support@demo.localhost"], "ne-pas-repondre@envoi.demo.test"),
        (thief, ["support+vip@demo.localhost", "help@thief.test"], "support@demo.localhost"),
    ):
        campaign = Campaign.objects.create(domain=domain, slug="c", name="C", sender_email=sender)
        for address in addresses:
            Address.objects.create(domain=domain, campaign=campaign, address=address)

    migrator(AFTER)
    owners = dict(MailDomain.objects.values_list("name", "domain__slug"))
    assert owners == {
        "demo.localhost": "demo",
        "thief.test": "thief",
        "envoi.demo.test": "demo",
    }
