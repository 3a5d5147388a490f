"""Qualification scripts of the domain: shared live by campaigns, versioned so that no change
breaks what past processings were qualified with."""

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from comptoir.distribution.actions import qualify
from comptoir.distribution.models import Processing
from comptoir.scripts import actions as script_actions
from comptoir.scripts.answers import QualificationError
from comptoir.scripts.frozen import script_for
from comptoir.scripts.models import (
    OutcomeKind,
    QualificationField,
    QualificationOutcome,
    QualificationScript,
    ScriptVersion,
)
from comptoir.tenancy.models import User
from tests.campaigns.test_actions import boss
from tests.concurrency import run_together
from tests.conftest import Acme, is_postgres, make_acme
from tests.distribution.conftest import customer_writes, play


@pytest.fixture
def clock() -> datetime:
    return timezone.now()


def support_script(acme: Acme, *outcomes: tuple[str, str]) -> QualificationScript:
    """A script used by the support campaign, with these (code, kind) outcomes."""
    script = script_actions.create_script(acme.domain.pk, "Support", by=boss(acme))
    for code, kind in outcomes:
        script_actions.save_outcome(script, None, code=code, label=code, kind=kind, by=boss(acme))
    script_actions.assign_script(acme.support, script, by=boss(acme))
    acme.support.refresh_from_db()
    return script


def add_question(acme: Acme, script: QualificationScript, **changes: Any) -> QualificationField:
    """A question added to the script: an optional short text, unless `changes` say otherwise."""
    values = {"label": "Why", "field_type": "text", "choices": [], "required": False, **changes}
    return script_actions.save_field(script, None, by=boss(acme), **values)


def qualified(acme: Acme, outcome: str, now: datetime) -> Processing:
    """A customer writes, the agent is served the ticket and qualifies it."""
    customer_writes(acme)
    processing = play(acme.agent, acme.support, now).processing
    assert processing is not None
    qualify(processing, outcome=outcome, answers={}, now=now)
    processing.refresh_from_db()
    return processing


def codes(version: ScriptVersion) -> list[str]:
    return [o.code for o in version.outcomes.all()]


def test_changes_apply_in_place_until_a_processing_uses_the_version(acme: Acme) -> None:
    script = support_script(acme, ("done", OutcomeKind.FINAL), ("later", OutcomeKind.REOPEN_LATER))
    later = QualificationOutcome.objects.get(code="later")
    script_actions.move_row(script, later, up=True, by=boss(acme))
    assert list(script.versions.values_list("number", flat=True)) == [1]
    assert [o.code for o in script_for(acme.support).outcomes] == ["later", "done"]


def test_a_used_version_is_frozen_and_the_next_change_makes_a_new_one(
    acme: Acme, clock: datetime
) -> None:
    script = support_script(acme, ("done", OutcomeKind.FINAL))
    first = qualified(acme, "done", clock)
    v1 = ScriptVersion.objects.get(script=script, number=1)
    assert first.script_version_id == v1.pk and v1.frozen
    done = QualificationOutcome.objects.get(version=v1)
    # Renaming the code is allowed now: it happens in version 2, version 1 keeps "done".
    script_actions.save_outcome(
        script, done, code="closed", label="Clos", kind=OutcomeKind.FINAL, by=boss(acme)
    )
    script_actions.save_outcome(
        script, None, code="spam", label="Spam", kind=OutcomeKind.FINAL, by=boss(acme)
    )
    v2 = script_actions.current_version(script)
    assert (v2.number, v2.frozen, codes(v2)) == (2, False, ["closed", "spam"])
    assert codes(v1) == ["done"] and QualificationOutcome.objects.get(version=v1).label == "done"
    # Agents now qualify with version 2.
    with pytest.raises(QualificationError):
        qualified(acme, "done", clock)
    second = Processing.objects.filter(ended_at__isnull=True).get()
    qualify(second, outcome="closed", answers={}, now=clock)
    second.refresh_from_db()
    assert second.script_version_id == v2.pk and second.outcome_label == "Clos"
    first.refresh_from_db()
    assert first.script_version_id == v1.pk and first.outcome_code == "done"


def test_removing_and_reordering_after_use_never_touch_the_used_version(
    acme: Acme, clock: datetime
) -> None:
    script = support_script(acme, ("done", OutcomeKind.FINAL), ("spam", OutcomeKind.FINAL))
    add_question(
        acme, script, name="reason", label="Reason", field_type="choice", choices=["a", "b"]
    )
    qualified(acme, "spam", clock)
    v1 = script_actions.current_version(script)
    spam = v1.outcomes.get(code="spam")
    script_actions.delete_outcome(script, spam, by=boss(acme))
    v2 = script_actions.current_version(script)
    # Both changes posted from the page of version 1: the rows of version 2 are meant.
    script_actions.move_row(script, v1.outcomes.get(code="done"), up=True, by=boss(acme))
    script_actions.delete_field(script, v1.questions.get(), by=boss(acme))
    assert codes(v1) == ["done", "spam"] and v1.questions.count() == 1
    assert codes(v2) == ["done"] and v2.questions.count() == 0
    assert script.versions.count() == 2
    # A row removed meanwhile cannot be changed any more: a clear error, nothing saved.
    with pytest.raises(ValidationError):
        script_actions.save_outcome(
            script, spam, code="spam", label="x", kind=OutcomeKind.FINAL, by=boss(acme)
        )
    assert script.versions.count() == 2


def test_a_script_is_shared_live_and_a_copy_lives_apart(acme: Acme) -> None:
    script = support_script(acme, ("done", OutcomeKind.FINAL))
    script_actions.assign_script(acme.orders, script, by=boss(acme))
    script_actions.save_outcome(
        script, None, code="spam", label="Spam", kind=OutcomeKind.FINAL, by=boss(acme)
    )
    acme.orders.refresh_from_db()
    assert [o.code for o in script_for(acme.orders).outcomes] == ["done", "spam"]
    copy = script_actions.create_script(acme.domain.pk, "Copie", copy_of=script, by=boss(acme))
    script_actions.assign_script(acme.orders, copy, by=boss(acme))
    script_actions.save_outcome(
        copy, None, code="shipped", label="Expédié", kind=OutcomeKind.FINAL, by=boss(acme)
    )
    acme.orders.refresh_from_db()
    assert [o.code for o in script_for(acme.orders).outcomes] == ["done", "spam", "shipped"]
    assert [o.code for o in script_for(acme.support).outcomes] == ["done", "spam"]
    # Back to the standard outcomes.
    script_actions.assign_script(acme.orders, None, by=boss(acme))
    acme.orders.refresh_from_db()
    standard = script_for(acme.orders)
    assert standard.version_id is None and standard.outcome("done") is not None


def test_a_script_without_outcomes_of_its_own_uses_the_standard_four(acme: Acme) -> None:
    script = support_script(acme)
    add_question(acme, script, name="why", label="Why", required=True)
    used = script_for(acme.support)
    assert [o.code for o in used.outcomes][:1] == ["done"] and len(used.outcomes) == 4
    assert [q.name for q in used.questions] == ["why"]


def test_the_last_final_outcome_stays(acme: Acme) -> None:
    script = support_script(acme)
    with pytest.raises(ValidationError) as refused:  # the first outcome must close tickets
        script_actions.save_outcome(
            script, None, code="later", label="Later", kind="reopen_later", by=boss(acme)
        )
    assert "kind" in refused.value.error_dict
    done = script_actions.save_outcome(
        script, None, code="done", label="Done", kind=OutcomeKind.FINAL, by=boss(acme)
    )
    with pytest.raises(ValidationError):
        script_actions.delete_outcome(script, done, by=boss(acme))
    with pytest.raises(ValidationError):
        script_actions.save_outcome(
            script, done, code="done", label="Done", kind="not_finished", by=boss(acme)
        )
    assert QualificationOutcome.objects.get(pk=done.pk).kind == OutcomeKind.FINAL


def test_duplicate_codes_names_and_bad_input_are_refused(acme: Acme) -> None:
    script = support_script(acme, ("done", OutcomeKind.FINAL))
    with pytest.raises(ValidationError) as refused:
        script_actions.save_outcome(
            script, None, code="done", label="Again", kind="final", by=boss(acme)
        )
    assert "code" in refused.value.error_dict
    with pytest.raises(ValidationError) as refused:
        script_actions.save_outcome(
            script, None, code="pas un code", label="X", kind="final", by=boss(acme)
        )
    assert "code" in refused.value.error_dict
    with pytest.raises(ValidationError) as refused:
        add_question(
            acme,
            script,
            name="motif",
            label="Motif",
            field_type="choice",
            choices=[" ", ""],
            required=True,
        )
    assert "choices" in refused.value.error_dict
    with pytest.raises(ValidationError) as refused:
        script_actions.create_script(acme.domain.pk, "Support", by=boss(acme))
    assert "name" in refused.value.error_dict
    with pytest.raises(ValidationError):
        script_actions.rename_script(script, "   ", by=boss(acme))
    assert codes(script_actions.current_version(script)) == ["done"]
    assert QualificationScript.objects.get().name == "Support"


def test_a_script_in_use_is_not_removed(acme: Acme, clock: datetime) -> None:
    script = support_script(acme, ("done", OutcomeKind.FINAL))
    with pytest.raises(ValidationError):  # a campaign uses it
        script_actions.delete_script(script, by=boss(acme))
    qualified(acme, "done", clock)
    script_actions.assign_script(acme.support, None, by=boss(acme))
    with pytest.raises(ValidationError):  # a processing was qualified with it
        script_actions.delete_script(script, by=boss(acme))
    assert QualificationScript.objects.filter(pk=script.pk).exists()
    unused = script_actions.create_script(acme.domain.pk, "Brouillon", by=boss(acme))
    script_actions.delete_script(unused, by=boss(acme))
    assert not QualificationScript.objects.filter(pk=unused.pk).exists()


def test_scripts_stay_in_their_domain(acme: Acme) -> None:
    globex = make_acme("globex")
    theirs = script_actions.create_script(globex.domain.pk, "Globex", by=boss(globex))
    with pytest.raises(ValidationError):
        script_actions.assign_script(acme.support, theirs, by=boss(acme))
    with pytest.raises(ValidationError):
        script_actions.create_script(acme.domain.pk, "Copie", copy_of=theirs, by=boss(acme))
    for user in (acme.agent, acme.supervisor, boss(acme)):
        with pytest.raises(PermissionDenied):
            script_actions.save_outcome(theirs, None, code="x", label="X", kind="final", by=user)
        with pytest.raises(PermissionDenied):
            script_actions.delete_script(theirs, by=user)
    assert not QualificationScript.objects.filter(domain=acme.domain).exists()
    assert theirs.versions.get().outcomes.count() == 0


def racing(
    script: QualificationScript, row: QualificationOutcome, new_code: str, pk: int, now: datetime
) -> Callable[[str], str]:
    """w0 renames the outcome; w1 qualifies the processing with its old code."""
    admin = User.objects.get(domain_id=script.domain_id, login="maud")

    def work(worker: str) -> str:
        if worker == "w0":
            script_actions.save_outcome(
                script, row, code=new_code, label=new_code.upper(), kind="final", by=admin
            )
            return "edited"
        try:
            qualify(Processing.objects.get(pk=pk), outcome=row.code, answers={}, now=now)
        except QualificationError:
            return "refused"  # the edit came first: the code no longer exists
        return "qualified"

    return work


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not is_postgres(), reason="row locks: PostgreSQL")
def test_an_edit_racing_a_qualification_never_changes_the_version_it_used(
    clock: datetime,
) -> None:
    """An administrator renames the outcome while an agent qualifies with it, twenty times.
    Whoever wins, the processing points to a version that holds exactly what it recorded."""
    acme = make_acme()
    script = support_script(acme, ("done", OutcomeKind.FINAL))
    for round_ in range(20):
        customer_writes(acme, f"Demande {round_}")
        processing = play(acme.agent, acme.support, clock).processing
        assert processing is not None
        current = script_actions.current_version(script)
        row = current.outcomes.get()

        results = run_together(racing(script, row, f"c{round_}", processing.pk, clock))
        processing.refresh_from_db()
        if "qualified" in results:
            used = processing.script_version
            assert used is not None and used.frozen
            kept = used.outcomes.get(code=processing.outcome_code)
            assert (kept.label, kept.kind) == (processing.outcome_label, processing.outcome_kind)
        else:
            qualify(processing, outcome=f"c{round_}", answers={}, now=clock)
    versions = ScriptVersion.objects.filter(script=script)
    # Every version is either the newest or was frozen by a processing before it was copied.
    assert all(v.frozen for v in versions.order_by("-number")[1:])


def test_a_frozen_version_is_read_once_per_process_and_never_served_stale(
    acme: Acme, clock: datetime, django_assert_num_queries: Any
) -> None:
    script = support_script(acme, ("done", OutcomeKind.FINAL))
    qualified(acme, "done", clock)  # freezes version 1
    assert [o.code for o in script_for(acme.support).outcomes] == ["done"]
    with django_assert_num_queries(1):  # the version's id only: its rows are known
        assert [o.code for o in script_for(acme.support).outcomes] == ["done"]
    v1 = script_actions.current_version(script)
    script_actions.save_outcome(
        script, v1.outcomes.get(), code="closed", label="Clos", kind="final", by=boss(acme)
    )
    assert [o.code for o in script_for(acme.support).outcomes] == ["closed"]
