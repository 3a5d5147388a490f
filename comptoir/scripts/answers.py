"""A qualification checked against the script it is made with: the outcome is one of the
script's, a later reopening has its date, and every answer is cleaned to its question's type
(QualificationError says what is wrong, by field)."""

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from comptoir.lib.dates import answer_error, reopen_error
from comptoir.scripts.frozen import Outcome, Question, Script
from comptoir.scripts.models import FieldType, OutcomeKind


class QualificationError(Exception):
    """What is wrong with a qualification, by field ("outcome", "reopen_at", a question)."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


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
