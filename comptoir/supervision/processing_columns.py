"""The columns of the processings detail (docs/exports.md) and each row's values.

The fixed columns come first, in a fixed order, so that a BI tool's mapping never moves;
the answers follow, one column per question name of the script versions the rows were
qualified with (a question kept across versions is one column; its label and type are
those of its newest version, its type TEXT when versions disagree)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from comptoir.distribution.models import EndReason
from comptoir.scripts.models import FieldType, OutcomeKind, QualificationField
from comptoir.supervision.tabular import Column, Kind

# What values_list reads, in this order; `row_values` turns it into the columns' values.
FIELDS = (
    *("id", "ticket__number", "campaign__slug", "campaign__name", "agent__login"),
    *("agent__display_name", "started_at", "ended_at", "end_reason", "outcome_code"),
    *("outcome_label", "outcome_kind", "script_version__script__name"),
    *("script_version__number", "counted_attempt", "reopen_at", "answers"),
)
ANSWER_KINDS: dict[str, Kind] = {
    FieldType.NUMBER: Kind.DECIMAL,
    FieldType.YES_NO: Kind.BOOLEAN,
    FieldType.DATE: Kind.DATE,
}


def fixed_columns() -> list[Column]:
    """The columns every export has (labels in the active language)."""
    return [
        Column("processing", _("Processing"), Kind.INTEGER, 11),
        Column("ticket", _("Ticket"), Kind.INTEGER, 9),
        Column("campaign_slug", _("Campaign code"), Kind.TEXT, 14),
        Column("campaign", _("Campaign"), Kind.TEXT, 20),
        Column("agent_login", _("Agent login"), Kind.TEXT, 14),
        Column("agent", _("Agent"), Kind.TEXT, 20),
        Column("started_at", _("Start"), Kind.DATETIME, 19),
        Column("ended_at", _("End"), Kind.DATETIME, 19),
        Column("duration_seconds", _("Duration (seconds)"), Kind.INTEGER, 10),
        Column("end_reason", _("End reason"), Kind.TEXT, 16),
        Column("outcome_code", _("Outcome code"), Kind.TEXT, 16),
        Column("outcome", _("Outcome"), Kind.TEXT, 24),
        Column("outcome_kind", _("Outcome kind"), Kind.TEXT, 18),
        Column("script", _("Qualification script"), Kind.TEXT, 20),
        Column("script_version", _("Script version"), Kind.INTEGER, 8),
        Column("counted_attempt", _("Counted attempt"), Kind.BOOLEAN, 9),
        Column("reopen_at", _("Reopening date"), Kind.DATETIME, 19),
    ]


@dataclass(frozen=True)
class Question:
    name: str
    label: str
    kind: Kind


def questions_of(version_ids: Sequence[int]) -> list[Question]:
    """One question per name over these versions: the newest version's label, its type
    when every version agrees on it, else text. Ordered by script, then position."""
    rows = (
        QualificationField.objects.filter(version_id__in=list(version_ids))
        .order_by("version__script__name", "version__script_id", "-version__number", "position")
        .values_list("name", "label", "field_type")
    )
    found: dict[str, Question] = {}
    for name, label, field_type in rows:
        kind = ANSWER_KINDS.get(field_type, Kind.TEXT)
        if name not in found:
            found[name] = Question(name, label, kind)
        elif found[name].kind != kind:
            found[name] = Question(name, found[name].label, Kind.TEXT)
    return list(found.values())


def answer_columns(questions: Sequence[Question]) -> list[Column]:
    return [Column(f"answer_{q.name}", q.label, q.kind, 18) for q in questions]


def typed_answer(value: Any, kind: Kind) -> Any:
    """A stored answer as its column's type (numbers and dates are stored as text); left as
    stored when it does not read as that type."""
    if value is None or value == "":
        return None
    try:
        if kind == Kind.DECIMAL:
            number = Decimal(str(value))
            return number if number.is_finite() else str(value)
        if kind == Kind.DATE:
            return date.fromisoformat(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    if kind == Kind.BOOLEAN:
        return bool(value)
    return value if isinstance(value, str) else str(value)


def seconds_between(start: datetime, end: datetime | None) -> int | None:
    return None if end is None else round((end - start).total_seconds())


def display_names() -> dict[str, str]:
    """The end reasons' and outcome kinds' names in the active language (labels mode)."""
    choices = [*EndReason.choices, *OutcomeKind.choices]
    return {code: str(name) for code, name in choices}


def row_values(
    row: Sequence[Any], questions: Sequence[Question], names: dict[str, str] | None
) -> tuple[Any, ...]:
    """A values_list row (FIELDS) as the columns' values; `names` turns the end reason and the
    outcome kind into words (people), None keeps their codes (machines)."""
    (pk, number, slug, campaign, login, agent, started, ended, reason, code, label, kind) = row[:12]
    script, version, counted, reopen_at, answers = row[12:]
    if names is not None:
        reason, kind = names.get(reason, reason), names.get(kind, kind)
    answers = answers if isinstance(answers, dict) else {}
    return (
        *(pk, number, slug, campaign, login, agent or login, started, ended),
        *(seconds_between(started, ended), reason, code, label, kind, script, version),
        *(counted, reopen_at),
        *(typed_answer(answers.get(q.name), q.kind) for q in questions),
    )
