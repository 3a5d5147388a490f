"""The qualification form of the console, built from the campaign's script.

It only parses what the agent typed (the reopening date in the domain's time zone); whether
the outcome, the date and the answers are acceptable is decided by distribution.qualify,
whose QualificationError lands on the fields it names.
"""

from datetime import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from comptoir.scripts.frozen import Question, Script
from comptoir.scripts.models import FieldType, OutcomeKind

ANSWER_PREFIX = "answer_"


def answer_field_name(question_name: str) -> str:
    return ANSWER_PREFIX + question_name


def question_field(question: Question) -> forms.Field:
    """The form field of one question, by type (all optional here: the core checks)."""
    options: dict[str, Any] = {"label": question.label, "required": False}
    attrs = {"aria-required": "true"} if question.required else {}
    if question.required:
        options["help_text"] = _("Required.")
    if question.field_type == FieldType.TEXTAREA:
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 3, **attrs}), **options)
    if question.field_type == FieldType.CHOICE:
        choices = [("", "—"), *[(choice, choice) for choice in question.choices]]
        return forms.ChoiceField(choices=choices, widget=forms.Select(attrs=attrs), **options)
    if question.field_type == FieldType.YES_NO:
        yes_no: list[tuple[str, Any]] = [("yes", _("Yes")), ("no", _("No"))]
        return forms.ChoiceField(choices=yes_no, widget=forms.RadioSelect, **options)
    if question.field_type == FieldType.NUMBER:
        widget = forms.TextInput(attrs={"inputmode": "decimal", **attrs})
        return forms.CharField(widget=widget, **options)
    if question.field_type == FieldType.DATE:
        return forms.CharField(widget=forms.DateInput(attrs={"type": "date", **attrs}), **options)
    return forms.CharField(widget=forms.TextInput(attrs=attrs), max_length=500, **options)


class QualificationForm(forms.Form):
    outcome = forms.CharField(required=False)
    reopen_at = forms.DateTimeField(
        label=_("Reopen on"),
        required=False,
        help_text=_("For “Reopen later”: the ticket comes back to you at this date."),
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local", "data-testid": "reopen-at"},
            format="%Y-%m-%dT%H:%M",
        ),
    )

    def __init__(self, script: Script, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "qualify-%s")
        super().__init__(*args, **kwargs)
        self.script = script
        for question in script.questions:
            self.fields[answer_field_name(question.name)] = question_field(question)

    def outcomes(self) -> list[dict[str, object]]:
        """The outcome radios: code, label, kind, and whether it is the one chosen."""
        chosen = self["outcome"].value() or ""
        return [
            {
                "code": outcome.code,
                "label": outcome.label,
                "kind": outcome.kind,
                "checked": outcome.code == chosen,
                "reopen": outcome.kind == OutcomeKind.REOPEN_LATER,
            }
            for outcome in self.script.outcomes
        ]

    def question_fields(self) -> list[forms.BoundField]:
        return [self[answer_field_name(question.name)] for question in self.script.questions]

    def answers(self) -> dict[str, object]:
        """The raw answers by question name (call after is_valid)."""
        return {
            question.name: self.cleaned_data.get(answer_field_name(question.name), "")
            for question in self.script.questions
        }

    def chosen_reopen_at(self) -> datetime | None:
        """The reopening date, for an outcome that reopens later only (the field is hidden
        for the others, but a browser may still send what was typed before)."""
        outcome = self.script.outcome(self.cleaned_data.get("outcome", ""))
        if outcome is None or outcome.kind != OutcomeKind.REOPEN_LATER:
            return None
        value: datetime | None = self.cleaned_data.get("reopen_at")
        return value

    def add_core_errors(self, errors: dict[str, str]) -> None:
        """QualificationError's messages on the fields they are about."""
        questions = {question.name for question in self.script.questions}
        for key, message in errors.items():
            if key in ("outcome", "reopen_at"):
                self.add_error(key, message)
            elif key in questions:
                self.add_error(answer_field_name(key), message)
            else:
                self.add_error(None, message)
