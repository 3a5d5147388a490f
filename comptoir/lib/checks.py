"""The checks core actions make on what they are given: texts, numbers, addresses.

Every action checks its own input (issue 12: forms only present the action's refusal), so
that the UI, the API and the commands refuse the same values with the same sentence, and
nothing out of range reaches the database: an over-long text or a negative count would be
a DataError or IntegrityError (a 500) on PostgreSQL and stored as is on SQLite, which
enforces neither. The bounds are explicit here because Django's own integer validators
follow the backend (SQLite allows 64 bits, PostgreSQL's `integer` 32).

Each function appends its message to `errors` (a field -> messages dict an action raises
as one ValidationError), so that an action reports every field it refuses at once.
"""

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

Errors = dict[str, list[str]]
# An EmailField's length (RFC 5321's path limit), and what an `integer` column holds.
ADDRESS_LENGTH = 254
INTEGER_MAX = 2_147_483_647


def refuse(errors: Errors, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def check_text(errors: Errors, field: str, value: str, *, limit: int, required: bool) -> str:
    """The text stripped; refused when blank (if required) or longer than `limit`."""
    value = value.strip()
    if required and not value:
        refuse(errors, field, _("This field is required."))
    elif len(value) > limit:
        text = _("At most %(limit)d characters (it has %(length)d).")
        refuse(errors, field, text % {"limit": limit, "length": len(value)})
    return value


def check_number(errors: Errors, field: str, value: object, low: int, high: int) -> None:
    """A whole number from `low` to `high` (a bool or a float is refused too)."""
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        text = _("Enter a whole number from %(low)d to %(high)d.")
        refuse(errors, field, text % {"low": low, "high": high})


def check_address(errors: Errors, field: str, value: str) -> str:
    """An email address (blank allowed), stripped; refused when malformed or too long."""
    value = value.strip()
    if not value:
        return value
    try:
        if len(value) > ADDRESS_LENGTH:
            raise ValidationError("too long")
        validate_email(value)
    except ValidationError:
        refuse(errors, field, _("Enter a valid email address."))
    return value


def storable_ids(ids: object) -> set[int] | None:
    """The ids as a set, or None when one cannot be a row's id (a database would fail on
    it: SQLite stops at 64 bits): such an id names no row of the domain."""
    if not isinstance(ids, list | tuple | set | frozenset):
        return None
    wanted = set(ids)
    if all(isinstance(i, int) and not isinstance(i, bool) and 0 < i < 2**63 for i in wanted):
        return wanted
    return None


def raise_if_any(errors: Errors, kind: type[ValidationError] = ValidationError) -> None:
    """Refuse with every message gathered, by field (`kind`: a ValidationError subclass)."""
    if errors:
        raise kind(errors)
