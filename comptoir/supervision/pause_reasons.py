"""A domain's pause reasons: the defaults every domain starts with, and the administrators'
changes (add, rename, deactivate or reactivate, reorder, remove).

Every change needs the right to manage the domain's users (`can_manage_users`, as the
people and teams pages) and checks its own input (ValidationError by field). A label is
unique in its domain, whatever its case. Spans keep a copy of the label, so renaming or
removing a reason never rewrites history.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from comptoir.lib.checks import Errors, check_text, raise_if_any, refuse
from comptoir.supervision.models import LABEL_LENGTH, PauseReason
from comptoir.tenancy.models import Domain, User

# Said in the domain's language when it is created (migration 0002 for the domains before).
DEFAULT_LABELS = (
    pgettext_lazy("pause reason", "Lunch"),
    pgettext_lazy("pause reason", "Break"),
    pgettext_lazy("pause reason", "Training"),
    pgettext_lazy("pause reason", "Meeting"),
    pgettext_lazy("pause reason", "Side task"),
)


def default_labels(language: str) -> list[str]:
    with translation.override(language):
        return [str(label) for label in DEFAULT_LABELS]


def add_default_reasons(domain: Domain) -> None:
    """The five default reasons, unless the domain has reasons already."""
    if PauseReason.objects.filter(domain=domain).exists():
        return
    labels = default_labels(domain.language or "en")
    PauseReason.objects.bulk_create(
        [
            PauseReason(domain=domain, label=label, position=position)
            for position, label in enumerate(labels)
        ],
        ignore_conflicts=True,
    )


def pause_reasons(domain: Domain, *, active_only: bool = False) -> list[PauseReason]:
    """The domain's reasons in their order (the agents' choice: `active_only`)."""
    reasons = PauseReason.objects.filter(domain=domain)
    if active_only:
        reasons = reasons.filter(is_active=True)
    return list(reasons.order_by("position", "id"))


def check_manages_people(user: User, domain_id: int) -> None:
    if not (user.is_active and user.can_manage_users and user.domain_id == domain_id):
        raise PermissionDenied("only the domain's user managers may change its pause reasons")


def checked_label(domain_id: int, label: object, *, exclude: int | None = None) -> str:
    errors: Errors = {}
    text = label if isinstance(label, str) else ""
    text = check_text(errors, "label", text, limit=LABEL_LENGTH, required=True)
    # Compared in Python (a domain has a handful): SQLite's iexact ignores only ASCII case.
    others = PauseReason.objects.filter(domain_id=domain_id).exclude(pk=exclude or 0)
    taken = {label.casefold() for label in others.values_list("label", flat=True)}
    if text and text.casefold() in taken:
        refuse(errors, "label", _("The domain already has a pause reason with this label."))
    raise_if_any(errors)
    return text


def saved_label(reason: PauseReason) -> PauseReason:
    """Save a new or renamed reason; a label taken meanwhile is refused as the check does."""
    try:
        with transaction.atomic():
            reason.save()
    except IntegrityError:
        taken = _("The domain already has a pause reason with this label.")
        raise ValidationError({"label": taken}) from None
    return reason


def add_pause_reason(domain: Domain, *, label: str, by: User) -> PauseReason:
    """A new reason, last in the list, offered to agents at once."""
    check_manages_people(by, domain.pk)
    text = checked_label(domain.pk, label)
    top = PauseReason.objects.filter(domain=domain).aggregate(top=Max("position"))["top"]
    position = 0 if top is None else top + 1
    return saved_label(PauseReason(domain=domain, label=text, position=position))


def rename_pause_reason(reason: PauseReason, *, label: str, by: User) -> PauseReason:
    check_manages_people(by, reason.domain_id)
    reason.label = checked_label(reason.domain_id, label, exclude=reason.pk)
    return saved_label(reason)


def set_pause_reason_active(reason: PauseReason, *, active: bool, by: User) -> PauseReason:
    """An inactive reason is no longer offered; the history that names it stays."""
    check_manages_people(by, reason.domain_id)
    reason.is_active = active
    reason.save(update_fields=["is_active"])
    return reason


def move_pause_reason(reason: PauseReason, *, up: bool, by: User) -> None:
    """Exchange the reason with its neighbour; positions are renumbered 0.. on the way."""
    check_manages_people(by, reason.domain_id)
    with transaction.atomic():
        rows = list(
            PauseReason.objects.select_for_update()
            .filter(domain_id=reason.domain_id)
            .order_by("position", "id")
        )
        index = next((i for i, row in enumerate(rows) if row.pk == reason.pk), None)
        other = None if index is None else index - 1 if up else index + 1
        if index is None or other is None or not 0 <= other < len(rows):
            return
        rows[index], rows[other] = rows[other], rows[index]
        for position, row in enumerate(rows):
            if row.position != position:
                row.position = position
                row.save(update_fields=["position"])


def remove_pause_reason(reason: PauseReason, *, by: User) -> None:
    """Gone from the list; the spans and presences keep their copy of its label."""
    check_manages_people(by, reason.domain_id)
    PauseReason.objects.filter(domain_id=reason.domain_id, pk=reason.pk).delete()
