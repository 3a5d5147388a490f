"""The campaign editor ("Exploiter les campagnes" > "Modifier la campagne"): one page per tab,
for those with the right to manage campaigns. Every refusal is shown next to its field and
leaves the database as it was."""

from datetime import date

import pytest
from django.test import Client
from django.urls import URLPattern, reverse
from pytest_django.fixtures import Settings

from comptoir.campaigns.models import (
    Campaign,
    EmailTemplate,
    Holiday,
    ImapMailbox,
    ImapSecurity,
    InboundAddress,
    OpeningHours,
    Signature,
)
from comptoir.imports.models import ImportJob
from comptoir.lib import sealed
from comptoir.scripts.models import QualificationField, QualificationOutcome, QualificationScript
from comptoir.tenancy.models import Team
from comptoir.ui.administration import urls as administration_urls
from comptoir.ui.administration.campaign_editor import urls as campaign_editor_urls
from tests.conftest import Acme, make_acme, script_version
from tests.mail import conftest as mail_fixtures
from tests.ui.campaign_editor_helpers import manager, url
from tests.ui.conftest import client_for

# The campaign editor's URLs and the library's (templates, signatures, scripts).
MANAGE_PATTERNS = [
    *campaign_editor_urls.urlpatterns,
    *(
        p
        for p in administration_urls.domain_patterns
        if str(p.pattern).startswith("manage/library/")
    ),
]

# The real Dovecot of the IMAP tests (skipped where Dovecot is not installed).
dovecot = mail_fixtures.dovecot
imap_account = mail_fixtures.imap_account


@pytest.fixture
def maud(acme: Acme) -> Client:
    return client_for(manager(acme))


def info_data(campaign: Campaign, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": campaign.name,
        "sender_name": campaign.sender_name,
        "sender_email": "",
        "reply_to": "",
        "attachment_display": "list",
        "signature": "",
        "auto_reply_daily_limit": 3,
        "agent_teams": [t.pk for t in campaign.agent_teams.all()],
    }
    data.update(changes)
    return data


# --- List and creation ----------------------------------------------------------------------


def test_manager_lists_the_domains_campaigns_and_creates_one(acme: Acme, maud: Client) -> None:
    make_acme("globex")
    page = maud.get(reverse("ui:manage_campaigns")).text
    assert 'data-testid="manage-support"' in page and 'data-testid="manage-orders"' in page
    assert page.count('data-testid="manage-') == 2  # not Globex's

    response = maud.post(reverse("ui:manage_campaign_create"), {"name": "Réclamations"})
    campaign = Campaign.objects.get(domain=acme.domain, slug="reclamations")
    assert response["Location"] == reverse("ui:manage_info", args=["reclamations"])
    assert campaign.name == "Réclamations"
    assert maud.post(reverse("ui:manage_campaign_create"), {"name": " "}).status_code == 400


# --- Information ----------------------------------------------------------------------------


def test_information_tab_saves_the_account_signature_reply_and_teams(
    acme: Acme, maud: Client
) -> None:
    template = EmailTemplate.objects.create(
        domain=acme.domain, campaign=acme.support, name="Ack", body="Bonjour {{ customer_name }}"
    )
    leads = Team.objects.create(domain=acme.domain, name="Leads")
    data = info_data(
        acme.support,
        name="Support client",
        sender_email="Contact@Acme.test",
        reply_to="reply@acme.test",
        attachment_display="preview",
        signature="{{ agent_name }}\nAcme",
        auto_reply_enabled="on",
        auto_reply_template=template.pk,
        supervision_teams=[leads.pk],
    )
    response = maud.post(url("manage_info", acme), data)
    assert response.status_code == 302, response.text
    campaign = Campaign.objects.get(pk=acme.support.pk)
    assert (campaign.name, campaign.sender_email, campaign.attachment_display) == (
        "Support client",
        "contact@acme.test",
        "preview",
    )
    assert campaign.auto_reply_enabled and campaign.auto_reply_template == template
    assert list(campaign.supervision_teams.all()) == [leads]
    assert 'value="Support client"' in maud.get(url("manage_info", acme)).text


def test_information_tab_chooses_the_qualification_script(acme: Acme, maud: Client) -> None:
    script = QualificationScript.objects.create(domain=acme.domain, name="Retours")
    theirs = QualificationScript.objects.create(domain=make_acme("globex").domain, name="G")
    page = maud.get(url("manage_info", acme)).text
    assert f'<option value="{script.pk}">Retours</option>' in page and ">G<" not in page
    data = info_data(acme.support, qualification_script=script.pk)
    assert maud.post(url("manage_info", acme), data).status_code == 302
    assert Campaign.objects.get(pk=acme.support.pk).qualification_script == script
    refused = maud.post(
        url("manage_info", acme), info_data(acme.support, qualification_script=theirs.pk)
    )
    assert refused.status_code == 400 and 'id="id_qualification_script_error"' in refused.text
    assert Campaign.objects.get(pk=acme.support.pk).qualification_script == script
    assert maud.post(url("manage_info", acme), info_data(acme.support)).status_code == 302
    assert Campaign.objects.get(pk=acme.support.pk).qualification_script is None


def test_information_errors_are_shown_and_nothing_is_saved(acme: Acme, maud: Client) -> None:
    other_template = EmailTemplate.objects.create(
        domain=acme.domain, campaign=acme.orders, name="Orders", body="x"
    )
    globex = make_acme("globex")
    foreign_team = Team.objects.get(domain=globex.domain, name="Agents")
    for bad in (
        {"signature": "{{ unknown }}", "name": "Changed"},
        {"reply_to": "not an address", "name": "Changed"},
        {"auto_reply_template": other_template.pk, "name": "Changed"},
        {"auto_reply_enabled": "on", "name": "Changed"},
        {"agent_teams": [foreign_team.pk], "name": "Changed"},
    ):
        response = maud.post(url("manage_info", acme), info_data(acme.support, **bad))
        assert response.status_code == 400, bad
        assert "field-invalid" in response.text
    campaign = Campaign.objects.get(pk=acme.support.pk)
    assert campaign.name == "Support" and not campaign.auto_reply_enabled
    assert campaign.agent_teams.count() == 1


def test_inbound_addresses_are_added_lower_case_and_removed(acme: Acme, maud: Client) -> None:
    maud.post(url("manage_address_add", acme), {"address": "Aide@Acme.TEST"})
    address = InboundAddress.objects.get(address="aide@acme.test")
    assert address.campaign == acme.support
    assert "aide@acme.test" in maud.get(url("manage_info", acme)).text
    maud.post(url("manage_address_remove", acme, address.pk))
    assert not InboundAddress.objects.filter(pk=address.pk).exists()


def test_a_bad_or_taken_address_is_refused_next_to_the_field(acme: Acme, maud: Client) -> None:
    globex = make_acme("globex")
    before = set(InboundAddress.objects.values_list("address", "campaign_id"))
    for address in ("not-an-address", "orders@acme.test", "SUPPORT@globex.test"):
        response = maud.post(url("manage_address_add", acme), {"address": address})
        assert response.status_code == 400
        assert 'id="id_address_error"' in response.text, address
        if address == "orders@acme.test":  # its own domain's: it may know it is taken
            assert "already used" in response.text
    # Another domain's address: not one of ours, never whose it is (issue 10, finding 5).
    assert "not in one of your domain&#x27;s mail domains" in response.text
    assert "Globex" not in response.text  # never says whose it is
    assert set(InboundAddress.objects.values_list("address", "campaign_id")) == before
    assert globex.support.addresses.count() == 1


def mailbox_data(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "host": "imap.acme.test",
        "port": 993,
        "security": "tls",
        "username": "support",
        "password": "s3cret",
        "folder": "INBOX",
        "move_to": "",
        "enabled": "on",
    }
    data.update(changes)
    return data


def test_imap_mailboxes_are_added_changed_and_removed(acme: Acme, maud: Client) -> None:
    response = maud.post(url("manage_mailbox_add", acme), mailbox_data())
    assert response.status_code == 302
    mailbox = ImapMailbox.objects.get(campaign=acme.support)
    assert (mailbox.host, mailbox.enabled) == ("imap.acme.test", True)
    assert sealed.unseal(mailbox.password_encrypted) == "s3cret"
    page = maud.get(url("manage_mailbox", acme, mailbox.pk)).text
    assert "s3cret" not in page  # never shown back

    # A blank password keeps the stored one; another folder starts from its own UIDs.
    ImapMailbox.objects.filter(pk=mailbox.pk).update(uid_validity=7, last_uid=42)
    maud.post(url("manage_mailbox", acme, mailbox.pk), mailbox_data(password="", folder="Support"))
    mailbox.refresh_from_db()
    assert mailbox.folder == "Support"
    assert sealed.unseal(mailbox.password_encrypted) == "s3cret"
    assert (mailbox.uid_validity, mailbox.last_uid) == (None, 0)
    # Without any password: refused, unchanged.
    response = maud.post(url("manage_mailbox_add", acme), mailbox_data(password=""))
    assert response.status_code == 400 and 'id="id_password_error"' in response.text
    assert ImapMailbox.objects.count() == 1

    maud.post(url("manage_mailbox_remove", acme, mailbox.pk))
    assert not ImapMailbox.objects.exists()


def test_testing_a_mailbox_on_a_closed_port_shows_the_generic_error(
    acme: Acme, maud: Client, settings: Settings
) -> None:
    from tests.dovecot import free_port

    settings.COMPTOIR_IMAP_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    mailbox = ImapMailbox.objects.create(
        domain=acme.domain,
        campaign=acme.support,
        host="127.0.0.1",
        port=free_port(),
        security=ImapSecurity.NONE,
        username="support",
        password_encrypted=sealed.seal("s3cret"),
    )
    response = maud.post(url("manage_mailbox_test", acme, mailbox.pk), HTTP_HX_REQUEST="true")
    assert "Could not connect to this server" in response.text
    assert "refused" not in response.text  # never the socket's words
    assert "s3cret" not in response.text


def test_testing_a_mailbox_against_a_real_server(
    acme: Acme, maud: Client, imap_account: mail_fixtures.ImapAccount
) -> None:
    values = {
        "domain": acme.domain,
        "campaign": acme.support,
        "host": imap_account.server.host,
        "port": imap_account.server.port,
        "security": ImapSecurity.NONE,
        "username": imap_account.username,
    }
    good = ImapMailbox.objects.create(
        **values, password_encrypted=sealed.seal(imap_account.password)
    )
    bad = ImapMailbox.objects.create(**values, password_encrypted=sealed.seal("wrong"))
    ok = maud.post(url("manage_mailbox_test", acme, good.pk)).text
    assert "Connection OK" in ok
    refused = maud.post(url("manage_mailbox_test", acme, bad.pk)).text
    assert "refuses this user name and password" in refused and "wrong" not in refused


# --- Rights ---------------------------------------------------------------------------------


def editor_urls(acme: Acme) -> list[str]:
    """Every URL of the editor, with ids of real objects of Acme's support campaign."""
    ids = {
        "address_id": acme.support.addresses.get().pk,
        "mailbox_id": ImapMailbox.objects.create(
            domain=acme.domain, campaign=acme.support, host="h", username="u", password_encrypted=""
        ).pk,
        "hours_id": OpeningHours.objects.create(
            domain=acme.domain, campaign=acme.support, weekday=0, opens="09:00", closes="10:00"
        ).pk,
        "holiday_id": Holiday.objects.create(
            domain=acme.domain, campaign=acme.support, date=date(2030, 1, 1), name="H"
        ).pk,
        "template_id": EmailTemplate.objects.create(
            domain=acme.domain, campaign=acme.support, name="T", body="b"
        ).pk,
        "outcome_id": QualificationOutcome.objects.create(
            domain=acme.domain,
            version=script_version(acme.support),
            code="c",
            label="C",
            kind="final",
        ).pk,
        "question_id": QualificationField.objects.create(
            domain=acme.domain, version=script_version(acme.support), name="q", label="Q"
        ).pk,
        "shared_template_id": EmailTemplate.objects.create(
            domain=acme.domain, name="Shared", body="b"
        ).pk,
        "signature_id": Signature.objects.create(domain=acme.domain, name="S", text="t").pk,
        "script_id": script_version(acme.support).script_id,
        "number": 1,
        "import_id": ImportJob.objects.create(
            domain=acme.domain, campaign=acme.support, kind="mail", filename="a.mbox"
        ).pk,
    }
    urls = []
    for pattern in MANAGE_PATTERNS:
        assert isinstance(pattern, URLPattern)
        names = pattern.pattern.converters.keys()
        kwargs = {name: ids.get(name, acme.support.slug) for name in names}
        urls.append(reverse(f"ui:{pattern.name}", kwargs=kwargs))
    return urls


def test_only_campaign_managers_reach_the_editor(acme: Acme) -> None:
    urls = editor_urls(acme)
    assert len(urls) == len(MANAGE_PATTERNS) > 20
    for user in (acme.agent, acme.supervisor):
        client = client_for(user)
        for address in urls:
            assert client.get(address).status_code == 403, address
            assert client.post(address).status_code == 403, address
    anonymous = Client(HTTP_HOST="acme.localhost")
    assert all(anonymous.get(address).status_code == 302 for address in urls)


def test_another_domains_manager_finds_nothing(acme: Acme) -> None:
    globex = make_acme("globex")
    Campaign.objects.filter(pk=globex.support.pk).update(slug="globex-support")
    client = client_for(manager(globex))
    urls = editor_urls(acme)
    before = InboundAddress.objects.count(), ImapMailbox.objects.count()
    for address in urls:
        pages = ("/manage/campaigns/", "/manage/campaigns/new/", "/manage/library/")
        pages += ("/manage/library/scripts/",)
        pages += ("/manage/library/signatures/preview/",)  # names no object: a preview
        new_in_library = address.startswith("/manage/library/") and address.endswith("/new/")
        if address.endswith(pages) or new_in_library:
            continue
        response = client.get(address)
        if response.status_code == 405:
            response = client.post(address, {"direction": "up", "builtin_icon": "star"})
        assert response.status_code == 404, address
    assert (InboundAddress.objects.count(), ImapMailbox.objects.count()) == before
    assert "support@acme.test" not in client.get(reverse("ui:manage_campaigns")).text


def test_every_page_of_the_editor_renders_for_a_manager(acme: Acme, maud: Client) -> None:
    for address in editor_urls(acme):
        response = maud.get(address, follow=address.endswith("/history/"))  # moved for good
        assert response.status_code in (200, 302, 405), address
        if response.status_code == 200:
            assert response["Content-Security-Policy"], address
