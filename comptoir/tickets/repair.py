"""Repair dates written before their range was checked (issue 10, finding 8).

Until comptoir.lib.dates existed, `reopen_at: 9999-12-31T23:59:59-14:00` was stored as year
10000 UTC: the database keeps it, but Python cannot read it back, so every page and command
reading that row failed. This finds such values with SQL alone (reading them through the ORM
is what fails) and replaces them by the furthest date the actions accept now, or by null.
Run once by migration tickets 0005; harmless to run again.
"""

from collections.abc import Callable
from datetime import UTC, datetime

from django.db import connection
from django.db.models import Model
from django.utils import timezone

from comptoir.lib.dates import FIRST_READABLE, LAST_READABLE, PLANNING_LAST_YEAR, reopen_horizon

# SQLite keeps "YYYY-MM-DD HH:MM:SS" text: a fifth year digit, or the edge years, is unreadable.
SQLITE_UNREADABLE = "substr({c}, 5, 1) <> '-' OR substr({c}, 1, 4) IN ('0000', '0001', '9999')"


def unreadable_where(column: str) -> tuple[str, list[datetime]]:
    quoted = connection.ops.quote_name(column)
    if connection.vendor == "sqlite":
        return SQLITE_UNREADABLE.format(c=quoted), []
    return f"{quoted} > %s OR {quoted} < %s", [LAST_READABLE, FIRST_READABLE]


def replace_unreadable(model: type[Model], column: str, value: datetime | None) -> int:
    """Set `column` to `value` wherever it holds a date Python cannot read; how many rows."""
    where, params = unreadable_where(column)
    stored = connection.ops.adapt_datetimefield_value(value) if value is not None else None
    table = connection.ops.quote_name(model._meta.db_table)
    quoted = connection.ops.quote_name(column)
    with connection.cursor() as cursor:
        sql = f"UPDATE {table} SET {quoted} = %s WHERE {where}"
        cursor.execute(sql, [stored, *params])
        return cursor.rowcount


def repair_out_of_range_dates(
    get_model: Callable[[str, str], type[Model]] | None = None, now: datetime | None = None
) -> int:
    """Repair every date column an action fills from a person's input; how many values."""
    if get_model is None:
        from django.apps import apps

        get_model = apps.get_model
    now = now or timezone.now()
    horizon = reopen_horizon(now)
    last_planning = datetime(PLANNING_LAST_YEAR, 12, 31, tzinfo=UTC)
    columns: list[tuple[str, str, str, datetime | None]] = [
        # A ticket parked "forever" stays parked, as far as is accepted now.
        ("tickets", "Ticket", "reopen_at", horizon),
        ("tickets", "Ticket", "blocked_until", horizon),
        ("tickets", "Ticket", "locked_until", None),
        ("distribution", "Processing", "reopen_at", horizon),
        # A campaign that starts or ends "never" does so at the last accepted date.
        ("campaigns", "Campaign", "planning_start", last_planning),
        ("campaigns", "Campaign", "planning_end", last_planning),
        # A message's Date header from the sender: unknown rather than unreadable.
        ("tickets", "Message", "date", None),
    ]
    total = 0
    for app, name, column, value in columns:
        total += replace_unreadable(get_model(app, name), column, value)
    return total
