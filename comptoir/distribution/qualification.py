"""A campaign's qualification script: the outcomes that end a processing and the questions
answered on the way. Campaigns without a script (or whose script has no outcome yet) use the
four standard outcomes."""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from comptoir.campaigns.models import (
    Campaign,
    FieldType,
    OutcomeKind,
    QualificationField,
    QualificationOutcome,
    ScriptVersion,
)
from comptoir.lib.dates import answer_error, reopen_error

STANDARD_OUTCOMES = [
    ("done", gettext_lazy("Processed"), OutcomeKind.FINAL),
    ("reopen-later", gettext_lazy("Reopen later"), OutcomeKind.REOPEN_LATER),
    ("waiting-customer", gettext_lazy("Waiting for the customer"), OutcomeKind.WAITING_CUSTOMER),
    ("not-finished", gettext_lazy("Not finished"), OutcomeKind.NOT_FINISHED),
]


@dataclass
class Outcome:
    code: str
    label: str
    kind: str


@dataclass
class Question:
    name: str
    label: str
    field_type: str
    choices: list[str] = field(default_factory=list)
    required: bool = False


@dataclass
class Script:
    outcomes: list[Outcome]
    questions: list[Question]
    version_id: int | None = None  # None: the campaign has no script (standard outcomes)

    def outcome(self, code: str) -> Outcome | None:
        return next((o for o in self.outcomes if o.code == code), None)


class QualificationError(Exception):
    """What is wrong with a qualification, by field ("outcome", "reopen_at", a question)."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


# Frozen versions' own outcomes and questions by (id, creation time): the time keeps a
# reused id (SQLite reuses the ids of rolled-back rows) from finding another version's rows.
FROZEN: dict[tuple[int, datetime], tuple[list[Outcome], list[Question]]] = {}
FROZEN_LIMIT = 512


def script_for(campaign: Campaign, *, freeze: bool = False) -> Script:
    """The newest version of the campaign's script. With `freeze` (inside the transaction
    that records a qualification) that version is frozen first, so that what is read here is
    what it will always hold (campaigns.script_actions explains the versioning)."""
    if campaign.qualification_script_id is None and not freeze:
        return standard_script()
    # Through the campaign's row, not the object's attribute: in a qualification the object
    # may be stale (an administrator may have changed the campaign's script since).
    version = (
        ScriptVersion.objects.filter(script__campaigns=campaign.pk)
        .order_by("-number")
        .values("pk", "frozen", "created_at")
        .first()
    )
    if version is None:
        return standard_script()
    # A version frozen (and committed) never changes: its content is read once per process.
    key = (version["pk"], version["created_at"])
    if version["frozen"] and key in FROZEN:
        own, questions = FROZEN[key]
        return Script(list(own) or standard_outcomes(), list(questions), version["pk"])
    if freeze and not version["frozen"]:
        # Waits for an edit in progress on this version (it holds the row's lock), then
        # re-reads its rows below: they are final from now on.
        ScriptVersion.objects.filter(pk=version["pk"], frozen=False).update(frozen=True)
    rows = QualificationOutcome.objects.filter(version_id=version["pk"])
    own = [Outcome(o.code, o.label, o.kind) for o in rows]
    questions = [
        Question(q.name, q.label, q.field_type, list(q.choices or []), q.required)
        for q in QualificationField.objects.filter(version_id=version["pk"])
    ]
    if version["frozen"]:  # not one this transaction froze: it could still roll back
        if len(FROZEN) >= FROZEN_LIMIT:
            FROZEN.clear()
        FROZEN[key] = (own, questions)
    # Without outcomes of its own, the standard four (labels in the current language).
    return Script(list(own) or standard_outcomes(), list(questions), version["pk"])


def standard_outcomes() -> list[Outcome]:
    return [Outcome(code, str(label), kind) for code, label, kind in STANDARD_OUTCOMES]


def standard_script() -> Script:
    return Script(standard_outcomes(), [])


def check(
    script: Script,
    outcome_code: str,
    answers: dict[str, object],
    reopen_at: datetime | None,
    now: datetime,
) -> tuple[Outcome, dict[str, object]]:
    """The chosen outcome and the cleaned answers; QualificationError says what is wrong."""
    errors: dict[str, str] = {}
    outcome = script.outcome(outcome_code)
    if outcome is None:
        errors["outcome"] = _("Choose one of the campaign's outcomes.")
    elif outcome.kind == OutcomeKind.REOPEN_LATER:
        if reopen_at is None:
            errors["reopen_at"] = _("Reopening later needs a date.")
        elif reopen_error(reopen_at, now):
            errors["reopen_at"] = reopen_error(reopen_at, now)
    cleaned: dict[str, object] = {}
    for question in script.questions:
        value, error = clean_answer(question, answers.get(question.name))
        if error:
            errors[question.name] = error
        elif value not in (None, ""):
            cleaned[question.name] = value
    if errors:
        raise QualificationError(errors)
    assert outcome is not None
    return outcome, cleaned


def clean_answer(question: Question, raw: object) -> tuple[object, str]:
    """(value, error) for one answer."""
    text = "" if raw is None else str(raw).strip()
    if not text:
        return None, (_("This answer is required.") if question.required else "")
    if question.field_type == FieldType.CHOICE and text not in question.choices:
        return None, _("Choose one of: %(choices)s.") % {"choices": ", ".join(question.choices)}
    if question.field_type == FieldType.YES_NO:
        if text.lower() in ("yes", "true", "1", "on", "oui"):
            return True, ""
        if text.lower() in ("no", "false", "0", "off", "non"):
            return False, ""
        return None, _("Answer yes or no.")
    if question.field_type == FieldType.NUMBER:
        try:
            number = Decimal(text.replace(",", "."))
        except InvalidOperation:
            return None, _("Enter a number.")
        # Decimal also reads "NaN" and "Infinity": not numbers an agent means.
        return (str(number), "") if number.is_finite() else (None, _("Enter a number."))
    if question.field_type == FieldType.DATE:
        try:  # what an <input type="date"> sends: YYYY-MM-DD
            day = date.fromisoformat(text)
        except ValueError:
            return None, _("Enter a date (YYYY-MM-DD).")
        return (None, answer_error(day)) if answer_error(day) else (day.isoformat(), "")
    limit = 10_000 if question.field_type == FieldType.TEXTAREA else 500
    return text[:limit], ""
