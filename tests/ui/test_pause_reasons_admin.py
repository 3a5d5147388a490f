"""The pause reasons' administration page (/pause-reasons/): list, add, rename, deactivate,
reorder, remove after a confirmation; the action's refusal shown next to the field."""

import re

import pytest
from django.urls import reverse

from comptoir.supervision.models import PauseReason
from comptoir.tenancy.models import Role, User
from tests.conftest import Acme
from tests.ui.conftest import client_for


@pytest.fixture
def ada(acme: Acme) -> User:
    admin = User.objects.create_user(
        domain=acme.domain, login="ada", password="pw", role=Role.ADMIN
    )
    admin.apply_role_rights()
    admin.save()
    return admin


def listed(page: str) -> list[str]:
    return re.findall(r'data-testid="pause-reason-row-\d+">.*?<td>([^<]+)</td>', page, re.S)


def labels(acme: Acme) -> list[str]:
    return list(PauseReason.objects.filter(domain=acme.domain).values_list("label", flat=True))


def test_the_list_shows_the_reasons_in_their_order_and_adds_one(acme: Acme, ada: User) -> None:
    client = client_for(ada)
    page = client.get(reverse("ui:pause_reasons")).text
    assert listed(page) == ["Déjeuner", "Pause", "Formation", "Réunion", "Tâche annexe"]
    assert 'data-testid="nav-pause-reasons"' in page
    added = client.post(reverse("ui:pause_reason_add"), {"label": "Café"})
    assert added["Location"] == reverse("ui:pause_reasons")
    assert listed(client.get(reverse("ui:pause_reasons")).text)[-1] == "Café"


def test_a_taken_label_is_refused_next_to_the_field(acme: Acme, ada: User) -> None:
    refused = client_for(ada).post(reverse("ui:pause_reason_add"), {"label": "déjeuner"})
    assert refused.status_code == 400
    assert "Le domaine a déjà un motif de pause portant ce libellé." in refused.text
    assert len(labels(acme)) == 5


def test_rename_deactivate_move_and_remove_after_confirmation(acme: Acme, ada: User) -> None:
    client = client_for(ada)
    lunch = PauseReason.objects.get(domain=acme.domain, label="Déjeuner")
    edit = reverse("ui:pause_reason_edit", args=[lunch.pk])
    assert 'value="Déjeuner"' in client.get(edit).text
    client.post(edit, {"label": "Repas"})
    client.post(reverse("ui:pause_reason_move", args=[lunch.pk]), {"direction": "down"})
    client.post(reverse("ui:pause_reason_active", args=[lunch.pk]), {"active": "0"})
    page = client.get(reverse("ui:pause_reasons")).text
    assert listed(page)[:2] == ["Pause", "Repas"] and "Non (désactivé)" in page
    remove = reverse("ui:pause_reason_remove", args=[lunch.pk])
    asked = client.get(remove).text
    assert "Supprimer le motif de pause « Repas » ?" in asked
    assert PauseReason.objects.filter(pk=lunch.pk).exists()
    client.post(remove)
    assert labels(acme) == ["Pause", "Formation", "Réunion", "Tâche annexe"]


def test_agents_and_supervisors_may_not_manage_the_reasons(acme: Acme) -> None:
    lunch = PauseReason.objects.get(domain=acme.domain, label="Déjeuner")
    for user in (acme.agent, acme.supervisor):
        client = client_for(user)
        assert client.get(reverse("ui:pause_reasons")).status_code == 403
        assert client.post(reverse("ui:pause_reason_add"), {"label": "x"}).status_code == 403
        remove = reverse("ui:pause_reason_remove", args=[lunch.pk])
        assert client.post(remove).status_code == 403
    assert len(labels(acme)) == 5
