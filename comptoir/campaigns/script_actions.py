"""Changes to a campaign's qualification script (outcomes and questions), from its editor.

Versioning: a processing keeps what it was qualified with (Processing.outcome_code, _label,
_kind and answers are copies, not links), so editing a label, a kind or the questions never
rewrites the past. What would break the past is reusing a code with another meaning, or
losing it: an outcome code already used by a processing of the campaign cannot be changed
(the editor keeps the old one and says why). Deleting such an outcome is allowed (past rows
keep their copy); deleting the last final outcome is refused, since a script without one
could never close a ticket.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from comptoir.campaigns.actions import check_manages
from comptoir.campaigns.models import (
    Campaign,
    FieldType,
    OutcomeKind,
    QualificationField,
    QualificationOutcome,
)
from comptoir.tenancy.models import User


def code_in_use(campaign: Campaign, code: str) -> bool:
    from comptoir.distribution.models import Processing

    return Processing.objects.filter(
        domain_id=campaign.domain_id, campaign=campaign, outcome_code=code
    ).exists()


def next_position(
    rows: "type[QualificationOutcome] | type[QualificationField]", campaign: Campaign
) -> int:
    highest = rows.objects.filter(campaign=campaign).aggregate(top=Max("position"))["top"]
    return 0 if highest is None else highest + 1


def save_outcome(
    campaign: Campaign,
    outcome: QualificationOutcome | None,
    *,
    code: str,
    label: str,
    kind: str,
    by: User,
) -> QualificationOutcome:
    """Create (outcome None) or change an outcome of the script."""
    check_manages(by, campaign.domain_id)
    if outcome is None:
        # The first outcome of its own replaces the standard four: it must be able to close.
        if kind != OutcomeKind.FINAL:
            refuse_without_final(campaign, QualificationOutcome(), field="kind")
        outcome = QualificationOutcome(
            domain_id=campaign.domain_id,
            campaign=campaign,
            position=next_position(QualificationOutcome, campaign),
        )
    else:
        if code.strip() != outcome.code and code_in_use(campaign, outcome.code):
            raise ValidationError(
                {
                    "code": _("Processings already used the code %(code)s: it cannot change.")
                    % {"code": outcome.code}
                }
            )
        if kind != OutcomeKind.FINAL and outcome.kind == OutcomeKind.FINAL:
            refuse_without_final(campaign, outcome, field="kind")
    outcome.code, outcome.label, outcome.kind = code.strip(), label.strip(), kind
    outcome.full_clean(exclude=["domain", "campaign"], validate_unique=False)
    if campaign.qualification_outcomes.exclude(pk=outcome.pk).filter(code=outcome.code).exists():
        raise ValidationError({"code": _("Another outcome already has this code.")})
    outcome.save()
    return outcome


def refuse_without_final(campaign: Campaign, outcome: QualificationOutcome, *, field: str) -> None:
    others = campaign.qualification_outcomes.exclude(pk=outcome.pk)
    if not others.filter(kind=OutcomeKind.FINAL).exists():
        raise ValidationError(
            {field: _("The script needs at least one final outcome, to close tickets.")}
        )


def delete_outcome(outcome: QualificationOutcome, *, by: User) -> None:
    """Past processings keep their own copy of the outcome; the last final one stays."""
    check_manages(by, outcome.domain_id)
    if outcome.kind == OutcomeKind.FINAL:
        refuse_without_final(outcome.campaign, outcome, field="__all__")
    outcome.delete()


def move_outcome(outcome: QualificationOutcome, *, up: bool, by: User) -> None:
    check_manages(by, outcome.domain_id)
    rows: list[QualificationOutcome | QualificationField] = list(
        outcome.campaign.qualification_outcomes.all()
    )
    swap_position(rows, outcome.pk, up=up)


def swap_position(
    rows: list[QualificationOutcome | QualificationField], pk: int, *, up: bool
) -> None:
    """Exchange a row with its neighbour; positions are renumbered 0.. on the way."""
    index = next(i for i, row in enumerate(rows) if row.pk == pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(rows):
        return
    rows[index], rows[other] = rows[other], rows[index]
    with transaction.atomic():
        for position, row in enumerate(rows):
            if row.position != position:
                row.position = position
                row.save(update_fields=["position"])


def save_field(
    campaign: Campaign,
    question: QualificationField | None,
    *,
    name: str,
    label: str,
    field_type: str,
    choices: list[str],
    required: bool,
    by: User,
) -> QualificationField:
    check_manages(by, campaign.domain_id)
    if question is None:
        question = QualificationField(
            domain_id=campaign.domain_id,
            campaign=campaign,
            position=next_position(QualificationField, campaign),
        )
    question.name, question.label, question.field_type = name.strip(), label.strip(), field_type
    question.choices = [c.strip() for c in choices if c.strip()]
    question.required = required
    question.full_clean(exclude=["domain", "campaign"], validate_unique=False)
    if field_type == FieldType.CHOICE and not question.choices:
        raise ValidationError({"choices": _("A choice question needs its choices.")})
    if campaign.qualification_fields.exclude(pk=question.pk).filter(name=question.name).exists():
        raise ValidationError({"name": _("Another question already has this name.")})
    question.save()
    return question


def delete_field(question: QualificationField, *, by: User) -> None:
    """Past answers stay in their processings (Processing.answers)."""
    check_manages(by, question.domain_id)
    question.delete()


def move_field(question: QualificationField, *, up: bool, by: User) -> None:
    check_manages(by, question.domain_id)
    rows: list[QualificationOutcome | QualificationField] = list(
        question.campaign.qualification_fields.all()
    )
    swap_position(rows, question.pk, up=up)


def copy_script(source: Campaign, target: Campaign, *, by: User) -> None:
    """Replace the target's script by a copy of the source's (same domain): "reusable across
    campaigns". Past processings of the target keep their own copies of what they used."""
    check_manages(by, target.domain_id)
    if source.domain_id != target.domain_id or source.pk == target.pk:
        raise ValidationError({"source": _("Choose another campaign of this domain.")})
    with transaction.atomic():
        target.qualification_fields.all().delete()
        target.qualification_outcomes.all().delete()
        for outcome in source.qualification_outcomes.all():
            outcome.pk, outcome.campaign = None, target
            outcome.save()
        for question in source.qualification_fields.all():
            question.pk, question.campaign = None, target
            question.save()
