"""Qualification scripts of the domain: create, assign to campaigns, edit, in versions.

A script is shared live by the campaigns that use it; its content (outcomes and questions)
lives in numbered versions and agents qualify with the newest one. Versioning rule: the first
qualification made with a version freezes it (scripts.frozen.script_for), and a
frozen version never changes again: the next change to the script is made on a copy, the next
version. So a processing always points to the exact outcomes and questions it was qualified
with (Processing.script_version), and no edit can break the past, whatever it renames or
removes. A script always keeps at least one final outcome once it has outcomes of its own
(without any, it uses the four standard outcomes).

Concurrency: an edit locks the newest version row (select_for_update) before deciding to
change it in place or copy it; freezing is an UPDATE of that same row. Whichever comes first,
the other sees it: an edit never lands in a version a processing already used.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from comptoir.campaigns.actions.campaign import check_manages
from comptoir.campaigns.models import Campaign
from comptoir.scripts.models import (
    FieldType,
    OutcomeKind,
    QualificationField,
    QualificationOutcome,
    QualificationScript,
    ScriptVersion,
)
from comptoir.tenancy.models import User

Row = QualificationOutcome | QualificationField


def current_version(script: QualificationScript) -> ScriptVersion:
    version = script.versions.order_by("-number").first()
    assert version is not None, "a script always has a version"
    return version


def check_name(domain_id: int, name: str, script: QualificationScript | None = None) -> str:
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("This field is required.")})
    if len(name) > 200:
        raise ValidationError({"name": _("At most 200 characters.")})
    others = QualificationScript.objects.filter(domain_id=domain_id, name=name)
    if script is not None:
        others = others.exclude(pk=script.pk)
    if others.exists():
        raise ValidationError({"name": _("Another script of the domain has this name.")})
    return name


def create_script(
    domain_id: int, name: str, *, by: User, copy_of: QualificationScript | None = None
) -> QualificationScript:
    """A new script (version 1), empty or a copy of another script's newest version."""
    check_manages(by, domain_id)
    name = check_name(domain_id, name)
    if copy_of is not None and copy_of.domain_id != domain_id:
        raise ValidationError({"copy_of": _("Choose a script of this domain.")})
    with transaction.atomic():
        script = QualificationScript.objects.create(domain_id=domain_id, name=name)
        version = ScriptVersion.objects.create(
            domain_id=domain_id, script=script, number=1, created_by=by
        )
        if copy_of is not None:
            copy_rows(current_version(copy_of), version)
    return script


def copy_rows(source: ScriptVersion, target: ScriptVersion) -> None:
    for outcome in source.outcomes.all():
        outcome.pk, outcome.version = None, target
        outcome.save()
    for question in source.questions.all():
        question.pk, question.version = None, target
        question.save()


def rename_script(script: QualificationScript, name: str, *, by: User) -> None:
    check_manages(by, script.domain_id)
    script.name = check_name(script.domain_id, name, script)
    script.save(update_fields=["name"])


def delete_script(script: QualificationScript, *, by: User) -> None:
    """Only a script no campaign uses and no processing was qualified with."""
    check_manages(by, script.domain_id)
    if script.campaigns.exists():
        raise ValidationError(_("Campaigns use this script: choose another script for them first."))
    # Through the versions' reverse link: the scripts app never imports distribution.
    if script.versions.filter(processings__isnull=False).exists():
        raise ValidationError(
            _("Processings were qualified with this script: it stays, for their history.")
        )
    script.delete()


def assign_script(campaign: Campaign, script: QualificationScript | None, *, by: User) -> None:
    """The campaign qualifies with this script from now on (None: the standard outcomes)."""
    check_manages(by, campaign.domain_id)
    if script is not None and script.domain_id != campaign.domain_id:
        raise ValidationError({"script": _("Choose a script of this domain.")})
    campaign.qualification_script = script
    campaign.save(update_fields=["qualification_script"])


@contextmanager
def editing(script: QualificationScript, *, by: User) -> Iterator[ScriptVersion]:
    """Every change of a script's content: the right first, then, in one transaction, the
    version the change goes to (editable_version)."""
    check_manages(by, script.domain_id)
    with transaction.atomic():
        yield editable_version(script, by=by)


def editable_version(script: QualificationScript, *, by: User) -> ScriptVersion:
    """The newest version, locked; a copy of it (the next version) when it is frozen.
    Call inside a transaction."""
    version = (
        ScriptVersion.objects.select_for_update().filter(script=script).order_by("-number").first()
    )
    assert version is not None, "a script always has a version"
    if not version.frozen:
        return version
    following = ScriptVersion.objects.create(
        domain_id=script.domain_id, script=script, number=version.number + 1, created_by=by
    )
    copy_rows(version, following)
    return following


def same_row(row: Row, version: ScriptVersion) -> Row:
    """The row of `version` that `row` (of any version of the same script) stands for."""
    if row.version_id == version.pk:
        return row
    if isinstance(row, QualificationOutcome):
        found: Row | None = version.outcomes.filter(code=row.code).first()
    else:
        found = version.questions.filter(name=row.name).first()
    if found is None:
        raise ValidationError(_("This line was removed from the script meanwhile."))
    return found


def row_in[R: (QualificationOutcome, QualificationField)](
    version: ScriptVersion, model: type[R], row: R | None
) -> R:
    """The row to change in `version`: the one `row` stands for, or a new one at the end."""
    if row is None:
        position = next_position(model, version)
        return model(domain_id=version.domain_id, version=version, position=position)
    found = same_row(row, version)
    assert isinstance(found, model)
    return found


def next_position(
    rows: "type[QualificationOutcome] | type[QualificationField]", version: ScriptVersion
) -> int:
    highest = rows.objects.filter(version=version).aggregate(top=Max("position"))["top"]
    return 0 if highest is None else highest + 1


def save_outcome(
    script: QualificationScript,
    outcome: QualificationOutcome | None,
    *,
    code: str,
    label: str,
    kind: str,
    by: User,
) -> QualificationOutcome:
    """Add (outcome None) or change an outcome of the script."""
    with editing(script, by=by) as version:
        row = row_in(version, QualificationOutcome, outcome)
        # The first outcome of its own replaces the standard four: it must be able to close;
        # and the last final one stays final.
        if kind != OutcomeKind.FINAL and (outcome is None or row.kind == OutcomeKind.FINAL):
            refuse_without_final(version, row if outcome else None, field="kind")
        row.code, row.label, row.kind = code.strip(), label.strip(), kind
        row.full_clean(exclude=["domain", "version"], validate_unique=False)
        if version.outcomes.exclude(pk=row.pk).filter(code=row.code).exists():
            raise ValidationError({"code": _("Another outcome already has this code.")})
        row.save()
    return row


def refuse_without_final(
    version: ScriptVersion, outcome: QualificationOutcome | None, *, field: str
) -> None:
    others = version.outcomes.all()
    if outcome is not None:
        others = others.exclude(pk=outcome.pk)
    if not others.filter(kind=OutcomeKind.FINAL).exists():
        raise ValidationError(
            {field: _("The script needs at least one final outcome, to close tickets.")}
        )


def delete_outcome(script: QualificationScript, outcome: QualificationOutcome, *, by: User) -> None:
    """Past processings keep the version they used; the last final outcome stays."""
    with editing(script, by=by) as version:
        found = same_row(outcome, version)
        assert isinstance(found, QualificationOutcome)
        if found.kind == OutcomeKind.FINAL:
            refuse_without_final(version, found, field="__all__")
        found.delete()


def move_row(script: QualificationScript, row: Row, *, up: bool, by: User) -> None:
    with editing(script, by=by) as version:
        found = same_row(row, version)
        rows: list[Row] = list(
            version.outcomes.all()
            if isinstance(found, QualificationOutcome)
            else version.questions.all()
        )
        swap_position(rows, found.pk, up=up)


def swap_position(rows: list[Row], pk: int, *, up: bool) -> None:
    """Exchange a row with its neighbour; positions are renumbered 0.. on the way."""
    index = next(i for i, row in enumerate(rows) if row.pk == pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(rows):
        return
    rows[index], rows[other] = rows[other], rows[index]
    for position, row in enumerate(rows):
        if row.position != position:
            row.position = position
            row.save(update_fields=["position"])


def save_field(
    script: QualificationScript,
    question: QualificationField | None,
    *,
    name: str,
    label: str,
    field_type: str,
    choices: list[str],
    required: bool,
    by: User,
) -> QualificationField:
    with editing(script, by=by) as version:
        row = row_in(version, QualificationField, question)
        row.name, row.label, row.field_type = name.strip(), label.strip(), field_type
        row.choices = [c.strip() for c in choices if c.strip()]
        row.required = required
        row.full_clean(exclude=["domain", "version"], validate_unique=False)
        if field_type == FieldType.CHOICE and not row.choices:
            raise ValidationError({"choices": _("A choice question needs its choices.")})
        if version.questions.exclude(pk=row.pk).filter(name=row.name).exists():
            raise ValidationError({"name": _("Another question already has this name.")})
        row.save()
    return row


def delete_field(script: QualificationScript, question: QualificationField, *, by: User) -> None:
    """Past answers stay in their processings, and the version they used keeps the question."""
    with editing(script, by=by) as version:
        same_row(question, version).delete()
