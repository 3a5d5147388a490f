"""The script a campaign qualifies with, as plain data: the outcomes that end a processing and
the questions answered on the way. Campaigns without a script (or whose script has no outcome
yet) use the four standard outcomes. A frozen version never changes, so its content is read
once per process (FROZEN); comptoir.scripts.answers checks a qualification against it."""

from dataclasses import dataclass, field
from datetime import datetime

from django.utils.translation import gettext_lazy

from comptoir.campaigns.models import Campaign
from comptoir.scripts.models import (
    OutcomeKind,
    QualificationField,
    QualificationOutcome,
    ScriptVersion,
)

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


# Frozen versions' own outcomes and questions by (id, creation time): the time keeps a
# reused id (SQLite reuses the ids of rolled-back rows) from finding another version's rows.
FROZEN: dict[tuple[int, datetime], tuple[list[Outcome], list[Question]]] = {}
FROZEN_LIMIT = 512


def script_for(campaign: Campaign, *, freeze: bool = False) -> Script:
    """The newest version of the campaign's script. With `freeze` (inside the transaction
    that records a qualification) that version is frozen first, so that what is read here is
    what it will always hold (comptoir.scripts.actions explains the versioning)."""
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
