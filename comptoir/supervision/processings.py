"""The processings detail (docs/exports.md): one row per processing ended in a period, the
feed a contact centre gives its BI tool. Read in chunks (keyset pages of PAGE rows on
(ended_at, id)), never all at once, so that memory stays flat whatever the period.

Rights: the `can_export` right, and the campaigns the user supervises (tickets.access:
their supervision teams' campaigns, every campaign of the domain for its
administrators); agents, who supervise nothing, are refused. Only ended processings are in it:
a row never changes once exported, so a BI tool may load each period once.
"""

import base64
import binascii
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from comptoir.campaigns.models import Campaign
from comptoir.distribution.models import Processing
from comptoir.lib.checks import Errors, raise_if_any, refuse, storable_ids
from comptoir.supervision.filters import agent_filter
from comptoir.supervision.processing_columns import (
    FIELDS,
    Question,
    answer_columns,
    display_names,
    fixed_columns,
    questions_of,
    row_values,
)
from comptoir.supervision.tabular import Table
from comptoir.tenancy.models import Domain, User
from comptoir.tickets.access import supervised_campaigns

PAGE = 2000


@dataclass(frozen=True)
class ProcessingQuery:
    """Processings ended in [start, end) (no end: up to now), narrowed by campaigns, by the
    members of teams and by agents (teams and agents both: those in both)."""

    domain: Domain
    start: datetime
    end: datetime | None = None
    campaign_ids: Sequence[int] = ()
    team_ids: Sequence[int] = ()
    agent_ids: Sequence[int] = ()

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.domain.time_zone)


def may_export(user: User) -> bool:
    """The right to export, and at least one campaign to export from."""
    if not (user.is_active and user.can_export):
        return False
    return supervised_campaigns(user).exists()


def check_query(query: ProcessingQuery) -> None:
    errors: Errors = {}
    if query.start.tzinfo is None or (query.end is not None and query.end.tzinfo is None):
        refuse(errors, "start", _("The period needs dates with a time zone."))
    elif query.end is not None and query.end <= query.start:
        refuse(errors, "end", _("The end of the period must be after its start."))
    for field in ("campaign_ids", "team_ids", "agent_ids"):
        if storable_ids(list(getattr(query, field))) is None:
            refuse(errors, field, _("Choose from the list."))
    raise_if_any(errors)


def scoped(user: User, query: ProcessingQuery) -> QuerySet[Processing]:
    """The processings of the query the user may export. PermissionDenied without the right
    (or for agents); DoesNotExist for a campaign, team or agent out of the user's reach
    (the edges answer 404, as for any object they cannot see); ValidationError by field."""
    if user.domain_id != query.domain.pk or not may_export(user):
        raise PermissionDenied(_("You may not export processings."))
    check_query(query)
    rows = Processing.objects.filter(domain_id=user.domain_id, ended_at__gte=query.start)
    if query.end is not None:
        rows = rows.filter(ended_at__lt=query.end)
    allowed = supervised_campaigns(user)
    if query.campaign_ids:
        wanted = set(query.campaign_ids)
        if allowed.filter(pk__in=wanted).count() != len(wanted):
            raise Campaign.DoesNotExist("not a campaign this user supervises")
        rows = rows.filter(campaign_id__in=sorted(wanted))
    else:
        rows = rows.filter(campaign_id__in=allowed.values("id"))
    agents = agent_filter(user.domain_id, query.team_ids, query.agent_ids)
    return rows if agents is None else rows.filter(agent_id__in=agents)


def questions_in(rows: QuerySet[Processing]) -> list[Question]:
    versions = rows.filter(script_version__isnull=False).values("script_version_id").distinct()
    return questions_of(list(versions.values_list("script_version_id", flat=True)))


def keys_after(
    rows: QuerySet[Processing], after: tuple[datetime, int] | None, size: int
) -> list[tuple[datetime, int]]:
    """The (ended_at, id) of the next `size` rows after `after` (keyset pagination): a query
    on the processings alone, which its index (domain, ended_at, id) answers in order and
    stops early, whatever the statistics say (joined to four tables, the planner fresh from
    a bulk load once sorted the whole period for every page)."""
    found = rows.order_by("ended_at", "id").values_list("ended_at", "id")
    if after is not None:
        moment, pk = after
        # `ended_at >= moment` is implied by the OR, but written so that the index's range
        # starts at the cursor: with the OR alone, each page would read every row before it.
        found = found.filter(ended_at__gte=moment)
        found = found.filter(Q(ended_at__gt=moment) | Q(ended_at=moment, id__gt=pk))
    # Every row here has ended (the period's range filters on ended_at).
    return [(moment, pk) for moment, pk in found[:size] if moment is not None]


def rows_of(keys: Sequence[tuple[datetime, int]]) -> list[tuple[Any, ...]]:
    """The FIELDS of these processings, in the keys' order."""
    ids = [pk for _moment, pk in keys]
    found = {row[0]: row for row in Processing.objects.filter(id__in=ids).values_list(*FIELDS)}
    return [found[pk] for pk in ids]


def pages(rows: QuerySet[Processing]) -> Iterator[list[tuple[Any, ...]]]:
    """The rows PAGE at a time, each page its own short queries: no cursor stays open while a
    slow client or writer takes its time."""
    after = None
    while True:
        keys = keys_after(rows, after, PAGE)
        if keys:
            yield rows_of(keys)
        if len(keys) < PAGE:
            return
        after = keys[-1]


def processing_rows(user: User, query: ProcessingQuery, *, keys_header: bool = False) -> Table:
    """The processings detail as a table for the CSV and XLSX writers. Its column labels,
    and the end reasons and outcome kinds in words, are in the active language; with
    `keys_header` the header is the columns' stable keys and those values their codes."""
    rows = scoped(user, query)
    questions = questions_in(rows)
    names = None if keys_header else display_names()

    def values() -> Iterator[tuple[Any, ...]]:
        for page in pages(rows):
            for row in page:
                yield row_values(row, questions, names)

    columns = fixed_columns() + answer_columns(questions)
    return Table(columns, values(), query.zone, keys_header=keys_header)


@dataclass
class Page:
    """One page of the API's JSON: rows as dicts, and the cursor of the next page."""

    rows: list[dict[str, Any]]
    next_cursor: str | None


def processing_page(
    user: User, query: ProcessingQuery, *, cursor: str = "", size: int = 500
) -> Page:
    """`size` processings after `cursor` (from a previous page; "" for the first)."""
    after = read_cursor(cursor)
    keys = keys_after(scoped(user, query), after, size + 1)
    more, keys = len(keys) > size, keys[:size]
    names = [column.key for column in fixed_columns()]
    result = [json_row(row, names, query.zone) for row in rows_of(keys)]
    following = make_cursor(*keys[-1]) if more else None
    return Page(result, following)


def json_row(row: Sequence[Any], keys: list[str], zone: ZoneInfo) -> dict[str, Any]:
    """A row for JSON: the columns' keys, codes, times with their offset, answers as stored."""
    values = dict(zip(keys, row_values(row, (), None), strict=True))
    for key in ("started_at", "ended_at", "reopen_at"):
        if values[key] is not None:
            values[key] = values[key].astimezone(zone).isoformat()
    for key in ("end_reason", "outcome_code", "outcome", "outcome_kind"):
        values[key] = values[key] or None
    values["answers"] = row[-1] if isinstance(row[-1], dict) else {}
    return values


def make_cursor(moment: datetime, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{moment.isoformat()}|{pk}".encode()).decode().rstrip("=")


def read_cursor(cursor: str) -> tuple[datetime, int] | None:
    """The (ended_at, id) a cursor names; ValidationError when it is not one of ours."""
    if not cursor:
        return None
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        moment_text, _bar, pk_text = text.partition("|")
        moment, pk = parse_datetime(moment_text), int(pk_text)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        moment, pk = None, 0
    if moment is None or moment.tzinfo is None or not 0 < pk < 2**63:
        raise ValidationError({"cursor": _("This cursor is not one this API gave.")})
    return moment, pk


def export_filename(query: ProcessingQuery, extension: str, *, campaign: str = "") -> str:
    """`processings-<first day>_<last day>[-<campaign>].<ext>` in the reader's language; the
    campaign's name may hold accents (the response names it per RFC 5987)."""
    zone = query.zone
    first = query.start.astimezone(zone).date()
    last = (query.end - timedelta(microseconds=1)).astimezone(zone).date() if query.end else None
    days = first.isoformat() if last in (None, first) else f"{first}_{last}"
    name = _("processings") + f"-{days}"
    # Only letters, digits and a few marks of the campaign's name: nothing a file system or
    # a header could take for something else.
    kept = "".join(c if c.isalnum() or c in " -_" else " " for c in campaign)
    kept = "-".join(kept.split())[:60]
    return f"{name}-{kept}.{extension}" if kept else f"{name}.{extension}"
