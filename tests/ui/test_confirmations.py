"""Every destructive action is asked twice, without JavaScript: a GET of its URL shows
"Supprimer … ?" with a POST button and a way back, and changes nothing; the POST does it."""

import datetime

import pytest
from django.db.models import Model
from django.test import Client
from django.urls import reverse

from comptoir.api.actions import create_token
from comptoir.api.models import ApiToken
from comptoir.campaigns.models import (
    EmailTemplate,
    Holiday,
    ImapMailbox,
    InboundAddress,
    OpeningHours,
    Signature,
)
from comptoir.scripts.models import QualificationField, QualificationOutcome, QualificationScript
from comptoir.tenancy.models import Role, Team, User
from tests.conftest import Acme
from tests.ui.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def ada(acme: Acme) -> User:
    """An administrator with every right, reading French (the domain's language)."""
    admin = User.objects.create_user(
        domain=acme.domain, login="ada", password="pw", role=Role.ADMIN
    )
    admin.apply_role_rights()
    admin.save()
    return admin


def script_with_rows(acme: Acme, client: Client) -> QualificationScript:
    new = reverse("ui:manage_script_new_for_campaign", args=["support"])
    assert client.post(new, {"name": "Appels"}).status_code == 302
    script = QualificationScript.objects.get(domain=acme.domain, name="Appels")
    outcome = {"code": "done", "label": "Traité", "kind": "final"}
    client.post(reverse("ui:manage_outcome_add", args=[script.pk]), outcome)
    client.post(
        reverse("ui:manage_outcome_add", args=[script.pk]),
        {**outcome, "code": "ok", "label": "Accepté"},
    )
    question = {"name": "motif", "label": "Motif", "field_type": "text"}
    client.post(reverse("ui:manage_question_add", args=[script.pk]), question)
    return script


def build_cases(acme: Acme, ada: User, client: Client) -> list[tuple[str, str, Model, str]]:
    """(removal URL, page that links to it, the object, the question's words)."""
    d, support = acme.domain, acme.support
    manage = reverse("ui:manage_advanced", args=["support"])
    template = EmailTemplate.objects.create(domain=d, campaign=support, name="Relance", body="x")
    shared = EmailTemplate.objects.create(domain=d, name="Commun", body="x")
    hours = OpeningHours.objects.create(
        domain=d, campaign=support, weekday=0, opens=datetime.time(9), closes=datetime.time(17)
    )
    holiday = Holiday.objects.create(
        domain=d, campaign=support, date=datetime.date(2030, 5, 2), name="Pont"
    )
    domain_holiday = Holiday.objects.create(domain=d, date=datetime.date(2030, 5, 1), name="Fête")
    signature = Signature.objects.create(domain=d, name="Équipe", text="--")
    address = InboundAddress.objects.get(campaign=support)
    mailbox = ImapMailbox.objects.create(
        domain=d, campaign=support, host="imap.acme.test", username="sav", folder="INBOX"
    )
    team = Team.objects.create(domain=d, name="Équipe SAV")
    token, _key = create_token(ada, name="outil")
    script = script_with_rows(acme, client)
    outcome = QualificationOutcome.objects.get(version__script=script, code="ok")
    question = QualificationField.objects.get(version__script=script)
    info = reverse("ui:manage_info", args=["support"])
    library = reverse("ui:manage_library")
    return [
        (
            reverse("ui:manage_template_remove", args=["support", template.pk]),
            manage,
            template,
            "Supprimer le modèle « Relance » ?",
        ),
        (
            reverse("ui:manage_hours_remove", args=["support", hours.pk]),
            manage,
            hours,
            "Supprimer l’horaire d’ouverture",
        ),
        (
            reverse("ui:manage_holiday_remove", args=["support", holiday.pk]),
            manage,
            holiday,
            "Supprimer le jour férié « Pont » ?",
        ),
        (
            reverse("ui:manage_domain_holiday_remove", args=[domain_holiday.pk]),
            reverse("ui:manage_domain_holidays"),
            domain_holiday,
            "« Fête »",
        ),
        (
            reverse("ui:manage_library_template_remove", args=[shared.pk]),
            library,
            shared,
            "Supprimer le modèle partagé « Commun » ?",
        ),
        (
            reverse("ui:manage_library_signature_remove", args=[signature.pk]),
            library,
            signature,
            "Supprimer la signature « Équipe » ?",
        ),
        (
            reverse("ui:manage_address_remove", args=["support", address.pk]),
            info,
            address,
            "Supprimer l’adresse support@acme.test ?",
        ),
        (
            reverse("ui:manage_mailbox_remove", args=["support", mailbox.pk]),
            info,
            mailbox,
            "Supprimer la boîte aux lettres",
        ),
        (
            reverse("ui:manage_outcome_remove", args=[script.pk, outcome.pk]),
            reverse("ui:manage_script", args=[script.pk]),
            outcome,
            "Supprimer l’issue « Accepté » ?",
        ),
        (
            reverse("ui:manage_question_remove", args=[script.pk, question.pk]),
            reverse("ui:manage_script", args=[script.pk]),
            question,
            "Supprimer la question",
        ),
        (
            reverse("ui:team_delete", args=[team.pk]),
            reverse("ui:team_edit", args=[team.pk]),
            team,
            "Supprimer l’équipe « Équipe SAV » ?",
        ),
        (
            reverse("ui:user_token_revoke", args=[ada.pk, token.pk]),
            reverse("ui:user_edit", args=[ada.pk]),
            token,
            "Révoquer le jeton",
        ),
    ]


def gone(obj: Model) -> bool:
    if isinstance(obj, ApiToken):
        obj.refresh_from_db()
        return obj.revoked
    if isinstance(obj, (QualificationOutcome, QualificationField)):
        # A script row leaves the script's current version (an unused version is edited).
        return not type(obj).objects.filter(version=obj.version, label=obj.label).exists()
    return not type(obj).objects.filter(pk=obj.pk).exists()


def test_every_removal_asks_first_and_the_post_does_it(acme: Acme, ada: User) -> None:
    client = client_for(ada)
    cases = build_cases(acme, ada, client)
    for url, page, obj, words in cases:
        listing = client.get(page).text
        assert f'href="{url}' in listing, f"{page} links to {url}"
        question = client.get(url)
        assert question.status_code == 200, url
        assert words in question.text, url
        assert 'data-testid="confirm-yes"' in question.text
        assert 'method="post"' in question.text and 'data-testid="confirm-cancel"' in question.text
        assert not gone(obj), f"a GET of {url} changed nothing"
    for url, _page, obj, _words in cases:
        assert client.post(url).status_code == 302, url
        assert gone(obj), url


def test_the_script_rows_confirmation_keeps_the_campaign_tab_to_come_back_to(
    acme: Acme, ada: User
) -> None:
    client = client_for(ada)
    script = script_with_rows(acme, client)
    outcome = QualificationOutcome.objects.get(version__script=script, code="ok")
    url = reverse("ui:manage_outcome_remove", args=[script.pk, outcome.pk])
    tab = client.get(reverse("ui:manage_qualification", args=["support"])).text
    assert f'href="{url}?campaign=support"' in tab
    question = client.get(url + "?campaign=support").text
    assert '<input type="hidden" name="campaign" value="support">' in question
    back = reverse("ui:manage_qualification", args=["support"]) + "#script"
    assert f'href="{back}"' in question
    response = client.post(url, {"campaign": "support"})
    assert response["Location"] == back


def test_the_campaign_script_itself_is_removed_after_a_question(acme: Acme, ada: User) -> None:
    client = client_for(ada)
    script = QualificationScript.objects.create(domain=acme.domain, name="Vide")
    url = reverse("ui:manage_script_remove", args=[script.pk])
    assert "Supprimer le script « Vide » ?" in client.get(url).text
    assert QualificationScript.objects.filter(pk=script.pk).exists()
    client.post(url)
    assert not QualificationScript.objects.filter(pk=script.pk).exists()


def test_ones_own_token_is_revoked_after_a_question(acme: Acme) -> None:
    acme.supervisor.can_use_api = True
    acme.supervisor.save()
    token, _key = create_token(acme.supervisor, name="script")
    client = client_for(acme.supervisor)
    url = reverse("ui:token_revoke", args=[token.pk])
    assert f'href="{url}"' in client.get(reverse("ui:account")).text
    assert "Révoquer le jeton script" in client.get(url).text
    token.refresh_from_db()
    assert not token.revoked
    client.post(url)
    token.refresh_from_db()
    assert token.revoked


def test_others_are_still_refused(acme: Acme) -> None:
    template = EmailTemplate.objects.create(
        domain=acme.domain, campaign=acme.support, name="Relance", body="x"
    )
    url = reverse("ui:manage_template_remove", args=["support", template.pk])
    agent = client_for(acme.agent)
    assert agent.get(url).status_code == 403
    assert agent.post(url).status_code == 403
    assert EmailTemplate.objects.filter(pk=template.pk).exists()
