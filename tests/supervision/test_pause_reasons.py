"""A domain's pause reasons: the defaults every domain starts with (new ones when created,
existing ones by migration), and the administrators' changes, each checked by its action."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from comptoir.supervision import pause_reasons as actions
from comptoir.supervision.models import PauseReason
from comptoir.tenancy.actions import create_domain
from comptoir.tenancy.models import Domain, Role, User
from tests.conftest import Acme, Migrate, make_acme

FRENCH = ["Déjeuner", "Pause", "Formation", "Réunion", "Tâche annexe"]
ENGLISH = ["Lunch", "Break", "Training", "Meeting", "Side task"]


def labels(domain: Domain, *, active_only: bool = False) -> list[str]:
    return [r.label for r in actions.pause_reasons(domain, active_only=active_only)]


@pytest.fixture
def ada(acme: Acme) -> User:
    admin = User.objects.create_user(
        domain=acme.domain, login="ada", password="pw", role=Role.ADMIN
    )
    admin.apply_role_rights()
    admin.save()
    return admin


def test_a_new_domain_starts_with_the_defaults_in_its_language(db: None) -> None:
    french = Domain.objects.create(slug="fr", name="Fr")
    english = Domain.objects.create(slug="en", name="En", language="en")
    assert labels(french) == FRENCH and labels(english) == ENGLISH
    domain, _admin = create_domain(
        slug="neuf",
        name="Neuf",
        hostnames=[],
        admin_login="boss",
        admin_email="boss@neuf.test",
        password="a long enough passphrase",
    )
    assert labels(domain) == FRENCH


def test_the_domains_from_before_get_the_defaults_by_migration(migrator: Migrate) -> None:
    old = migrator([("supervision", "0001_agent_states")])
    OldDomain = old.get_model("tenancy", "Domain")
    OldReason = old.get_model("supervision", "PauseReason")
    french = OldDomain.objects.create(slug="ancien", name="Ancien")
    english = OldDomain.objects.create(slug="old", name="Old", language="en")
    kept = OldDomain.objects.create(slug="kept", name="Kept")
    OldReason.objects.create(domain_id=kept.pk, label="Café", position=0)
    new = migrator([("supervision", "0002_default_pause_reasons")])
    Reason = new.get_model("supervision", "PauseReason")

    def listed(domain_id: int) -> list[str]:
        return list(
            Reason.objects.filter(domain_id=domain_id)
            .order_by("position")
            .values_list("label", flat=True)
        )

    assert listed(french.pk) == FRENCH and listed(english.pk) == ENGLISH
    assert listed(kept.pk) == ["Café"]


def test_an_administrator_adds_renames_reorders_deactivates_and_removes(
    acme: Acme, ada: User
) -> None:
    coffee = actions.add_pause_reason(acme.domain, label="  Café  ", by=ada)
    assert labels(acme.domain)[-1] == "Café" and coffee.position == 5
    actions.rename_pause_reason(coffee, label="Pause café", by=ada)
    actions.move_pause_reason(coffee, up=True, by=ada)
    assert labels(acme.domain)[-2:] == ["Pause café", "Tâche annexe"]
    first = actions.pause_reasons(acme.domain)[0]
    actions.move_pause_reason(first, up=True, by=ada)  # already first: nothing moves
    assert labels(acme.domain)[0] == "Déjeuner"
    actions.set_pause_reason_active(first, active=False, by=ada)
    assert "Déjeuner" not in labels(acme.domain, active_only=True)
    assert "Déjeuner" in labels(acme.domain)
    actions.remove_pause_reason(coffee, by=ada)
    assert labels(acme.domain) == FRENCH


@pytest.mark.parametrize("label", ["", "   ", "x" * 101, "réunion", "PAUSE", "TÂCHE ANNEXE"])
def test_a_label_blank_too_long_or_taken_is_refused(acme: Acme, ada: User, label: str) -> None:
    with pytest.raises(ValidationError) as refused:
        actions.add_pause_reason(acme.domain, label=label, by=ada)
    assert "label" in refused.value.message_dict
    assert labels(acme.domain) == FRENCH


def test_a_rename_to_another_reasons_label_is_refused_but_its_own_case_may_change(
    acme: Acme, ada: User
) -> None:
    lunch = actions.pause_reasons(acme.domain)[0]
    with pytest.raises(ValidationError):
        actions.rename_pause_reason(lunch, label="Formation", by=ada)
    actions.rename_pause_reason(lunch, label="DÉJEUNER", by=ada)
    assert labels(acme.domain)[0] == "DÉJEUNER"


def test_only_the_domains_user_managers_change_its_reasons(acme: Acme, ada: User) -> None:
    lunch = actions.pause_reasons(acme.domain)[0]
    outsider = User.objects.create_user(
        domain=make_acme("globex").domain, login="gus", password="pw", can_manage_users=True
    )
    for user in (acme.agent, acme.supervisor, outsider):
        with pytest.raises(PermissionDenied):
            actions.add_pause_reason(acme.domain, label="Café", by=user)
        with pytest.raises(PermissionDenied):
            actions.rename_pause_reason(lunch, label="Café", by=user)
        with pytest.raises(PermissionDenied):
            actions.set_pause_reason_active(lunch, active=False, by=user)
        with pytest.raises(PermissionDenied):
            actions.move_pause_reason(lunch, up=False, by=user)
        with pytest.raises(PermissionDenied):
            actions.remove_pause_reason(lunch, by=user)
    assert labels(acme.domain, active_only=True) == FRENCH
    assert PauseReason.objects.filter(domain=acme.domain).count() == 5
