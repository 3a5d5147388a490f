"""The domain's library (/manage/library/): shared templates and signatures, their use in the
Information tab, the right it needs and the domain it stays in."""

import pytest
from django.test import Client
from django.urls import reverse

from comptoir.campaigns.models import Campaign, EmailTemplate, Signature
from tests.conftest import Acme, make_acme
from tests.ui.campaign_editor_helpers import manager, url
from tests.ui.conftest import client_for
from tests.ui.test_campaign_editor import info_data


@pytest.fixture
def maud(acme: Acme) -> Client:
    return client_for(manager(acme))


def test_the_campaign_list_links_the_library(acme: Acme, maud: Client) -> None:
    page = maud.get(reverse("ui:manage_campaigns")).text
    assert f'href="{reverse("ui:manage_library")}"' in page
    library = maud.get(reverse("ui:manage_library"))
    assert library.status_code == 200 and library["Content-Security-Policy"]
    assert "No shared template yet." in library.text and "No shared signature yet." in library.text


def test_a_manager_creates_changes_and_removes_a_shared_template(acme: Acme, maud: Client) -> None:
    data = {
        "tag": "Livraison",
        "name": "Colis",
        "subject": "",
        "body": "Bonjour {{ customer_name }}",
    }
    response = maud.post(reverse("ui:manage_library_template_add"), data)
    assert response["Location"] == reverse("ui:manage_library")
    template = EmailTemplate.objects.get(domain=acme.domain, name="Colis")
    assert template.campaign is None and template.tag == "Livraison"
    page = maud.get(reverse("ui:manage_library")).text
    assert f'data-testid="shared-template-{template.pk}"' in page and "Livraison" in page

    address = reverse("ui:manage_library_template", args=[template.pk])
    assert 'value="Colis"' in maud.get(address).text
    maud.post(address, data | {"name": "Colis parti"})
    template.refresh_from_db()
    assert template.name == "Colis parti"

    maud.post(reverse("ui:manage_library_template_remove", args=[template.pk]))
    assert not EmailTemplate.objects.filter(pk=template.pk).exists()


def test_shared_template_errors_are_shown_next_to_the_field(acme: Acme, maud: Client) -> None:
    EmailTemplate.objects.create(domain=acme.domain, name="Taken", body="x")
    add = reverse("ui:manage_library_template_add")
    response = maud.post(add, {"name": "Bad", "body": "Bonjour {{ nom }}"})
    assert response.status_code == 400
    assert 'id="id_body_error"' in response.text and "unknown variable {{ nom }}" in response.text
    response = maud.post(add, {"name": "Taken", "body": "ok"})
    assert response.status_code == 400
    assert 'id="id_name_error"' in response.text and "shared template" in response.text
    assert EmailTemplate.objects.filter(domain=acme.domain).count() == 1


def test_a_shared_template_the_automatic_reply_uses_is_kept(acme: Acme, maud: Client) -> None:
    template = EmailTemplate.objects.create(domain=acme.domain, name="Ack", body="x")
    Campaign.objects.filter(pk=acme.support.pk).update(
        auto_reply_template=template, auto_reply_enabled=True
    )
    response = maud.post(reverse("ui:manage_library_template_remove", args=[template.pk]))
    assert response.status_code == 302
    assert EmailTemplate.objects.filter(pk=template.pk).exists()
    assert "The automatic reply uses this template" in maud.get(reverse("ui:manage_library")).text


def test_a_campaigns_own_template_is_not_in_the_library(acme: Acme, maud: Client) -> None:
    own = EmailTemplate.objects.create(
        domain=acme.domain, campaign=acme.support, name="Own", body="x"
    )
    assert maud.get(reverse("ui:manage_library_template", args=[own.pk])).status_code == 404
    remove = reverse("ui:manage_library_template_remove", args=[own.pk])
    assert maud.post(remove).status_code == 404
    assert EmailTemplate.objects.filter(pk=own.pk).exists()


def test_a_manager_creates_changes_and_removes_a_shared_signature(acme: Acme, maud: Client) -> None:
    add = reverse("ui:manage_library_signature_add")
    response = maud.post(add, {"name": "Maison", "text": "L'équipe {{ campaign_name }}"})
    assert response["Location"] == reverse("ui:manage_library")
    signature = Signature.objects.get(domain=acme.domain)
    assert f'data-testid="signature-{signature.pk}"' in maud.get(reverse("ui:manage_library")).text

    address = reverse("ui:manage_library_signature", args=[signature.pk])
    assert 'value="Maison"' in maud.get(address).text
    maud.post(address, {"name": "Maison", "text": "Cordialement"})
    signature.refresh_from_db()
    assert signature.text == "Cordialement"

    Campaign.objects.filter(pk=acme.support.pk).update(shared_signature=signature)
    maud.post(reverse("ui:manage_library_signature_remove", args=[signature.pk]))
    assert not Signature.objects.exists()
    assert Campaign.objects.get(pk=acme.support.pk).shared_signature is None


def test_signature_errors_are_shown_next_to_the_field(acme: Acme, maud: Client) -> None:
    Signature.objects.create(domain=acme.domain, name="Taken", text="x")
    add = reverse("ui:manage_library_signature_add")
    response = maud.post(add, {"name": "Bad", "text": "{{ nom }}"})
    assert response.status_code == 400
    assert 'id="id_text_error"' in response.text and "unknown variable {{ nom }}" in response.text
    response = maud.post(add, {"name": "Taken", "text": "ok"})
    assert response.status_code == 400 and 'id="id_name_error"' in response.text
    assert Signature.objects.count() == 1


def test_the_information_tab_links_a_shared_signature_and_a_shared_auto_reply(
    acme: Acme, maud: Client
) -> None:
    signature = Signature.objects.create(domain=acme.domain, name="Maison", text="x")
    template = EmailTemplate.objects.create(domain=acme.domain, name="Commun", body="x")
    page = maud.get(url("manage_info", acme)).text
    assert f'<option value="{signature.pk}">Maison</option>' in page
    assert f'<option value="{template.pk}">Commun (shared)</option>' in page
    data = info_data(
        acme.support,
        shared_signature=signature.pk,
        auto_reply_enabled="on",
        auto_reply_template=template.pk,
    )
    response = maud.post(url("manage_info", acme), data)
    assert response.status_code == 302, response.text
    campaign = Campaign.objects.get(pk=acme.support.pk)
    assert campaign.shared_signature == signature and campaign.auto_reply_template == template


def test_the_information_tab_refuses_another_domains_signature_and_template(
    acme: Acme, maud: Client
) -> None:
    globex = make_acme("globex")
    signature = Signature.objects.create(domain=globex.domain, name="G", text="x")
    template = EmailTemplate.objects.create(domain=globex.domain, name="G", body="x")
    data = info_data(acme.support, shared_signature=signature.pk, auto_reply_template=template.pk)
    response = maud.post(url("manage_info", acme), data)
    assert response.status_code == 400
    assert 'id="id_shared_signature_error"' in response.text
    assert 'id="id_auto_reply_template_error"' in response.text
    campaign = Campaign.objects.get(pk=acme.support.pk)
    assert campaign.shared_signature is None and campaign.auto_reply_template is None


def test_only_campaign_managers_reach_the_library(acme: Acme) -> None:
    template = EmailTemplate.objects.create(domain=acme.domain, name="T", body="x")
    signature = Signature.objects.create(domain=acme.domain, name="S", text="x")
    addresses = [
        reverse("ui:manage_library"),
        reverse("ui:manage_library_template_add"),
        reverse("ui:manage_library_template", args=[template.pk]),
        reverse("ui:manage_library_template_remove", args=[template.pk]),
        reverse("ui:manage_library_signature_add"),
        reverse("ui:manage_library_signature", args=[signature.pk]),
        reverse("ui:manage_library_signature_remove", args=[signature.pk]),
    ]
    for user in (acme.agent, acme.supervisor):
        client = client_for(user)
        for address in addresses:
            assert client.get(address).status_code == 403, address
            assert client.post(address, {"name": "X", "body": "y", "text": "y"}).status_code == 403
    assert EmailTemplate.objects.get().name == "T" and Signature.objects.get().name == "S"


def test_another_domains_manager_finds_none_of_the_library(acme: Acme) -> None:
    template = EmailTemplate.objects.create(domain=acme.domain, name="Secret T", body="x")
    signature = Signature.objects.create(domain=acme.domain, name="Secret S", text="x")
    globex = make_acme("globex")
    client = client_for(manager(globex))
    page = client.get(reverse("ui:manage_library")).text
    assert "Secret T" not in page and "Secret S" not in page
    for name, pk in (
        ("manage_library_template", template.pk),
        ("manage_library_template_remove", template.pk),
        ("manage_library_signature", signature.pk),
        ("manage_library_signature_remove", signature.pk),
    ):
        address = reverse(f"ui:{name}", args=[pk])
        assert client.post(address, {"name": "X", "body": "y", "text": "y"}).status_code == 404
    assert EmailTemplate.objects.get().name == "Secret T"
    assert Signature.objects.get().name == "Secret S"
