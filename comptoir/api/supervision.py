"""/api/v1/supervision/: what supervisors' tools read (docs/api.md, docs/exports.md).

`GET supervision/processings`: the processings detail (supervision.processings) as JSON
pages with a cursor, or as a streamed CSV or XLSX file. Campaigns are named by slug, agents
by login and teams by name, as elsewhere in the API; one the user cannot see is a 404.
"""

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import HttpRequest, JsonResponse, QueryDict
from django.http.response import HttpResponseBase
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from comptoir.api.auth import ApiError, api_view, not_found
from comptoir.campaigns.models import Campaign
from comptoir.lib.dates import year_error
from comptoir.lib.storable import unstorable_reason
from comptoir.lib.streaming import attachment_response
from comptoir.supervision.periods import FIRST_YEAR, LAST_YEAR, local_midnight
from comptoir.supervision.processings import (
    ProcessingQuery,
    export_filename,
    may_export,
    processing_page,
    processing_rows,
)
from comptoir.supervision.tabular import CONTENT_TYPES, Dialect, Format, encoded
from comptoir.tenancy.models import Team, User

FORMATS = ("json", "csv", "xlsx")
MAX_LIMIT = 2000


def invalid(field: str, message: str) -> ApiError:
    return ApiError(400, _("The request is not valid."), {field: message})


def moment(params: QueryDict, name: str, zone: ZoneInfo) -> datetime | None:
    """A day (its start in the domain's time zone; for `end`, the next day's: the day is
    included) or a date and time with its offset (as it is)."""
    text = params.get(name, "")
    if not text:
        return None
    value: date | datetime | None
    try:
        value = date.fromisoformat(text) if len(text) == 10 else parse_datetime(text)
    except ValueError:
        value = None
    if value is None or (isinstance(value, datetime) and value.tzinfo is None):
        raise invalid(name, _("Give a day (2026-11-02) or a date and time with its offset."))
    if year_error(value, FIRST_YEAR, LAST_YEAR):
        raise invalid(name, year_error(value, FIRST_YEAR, LAST_YEAR))
    if isinstance(value, datetime):
        return value
    return local_midnight(value + timedelta(days=1 if name == "end" else 0), zone)


def named_ids(user: User, params: QueryDict) -> dict[str, list[int]]:
    """The ids of the campaigns (slugs), teams (names) and agents (logins) the request names:
    404 for one that is not of the user's domain."""
    wanted = {
        "campaign_ids": (Campaign, "slug", params.getlist("campaign")),
        "team_ids": (Team, "name", params.getlist("team")),
        "agent_ids": (User, "login", params.getlist("agent")),
    }
    found: dict[str, list[int]] = {}
    for key, (model, field, names) in wanted.items():
        if any(unstorable_reason(name) for name in names):  # a NUL: no row has that name
            raise not_found()
        rows = model.objects.filter(domain_id=user.domain_id, **{f"{field}__in": names})  # type: ignore[attr-defined]
        ids = dict(rows.values_list(field, "id"))
        if set(names) - set(ids):
            raise not_found()
        found[key] = sorted(set(ids.values()))
    return found


def api_query(user: User, params: QueryDict) -> ProcessingQuery:
    zone = ZoneInfo(user.domain.time_zone)
    start = moment(params, "start", zone)
    if start is None:  # today, from midnight in the domain's time zone
        start = local_midnight(timezone.now().astimezone(zone).date(), zone)
    end = moment(params, "end", zone)
    return ProcessingQuery(user.domain, start, end, **named_ids(user, params))


def choice(params: QueryDict, name: str, allowed: tuple[str, ...]) -> str:
    value = params.get(name, allowed[0])
    if value not in allowed:
        raise invalid(name, _("Choose one of: %(choices)s.") % {"choices": ", ".join(allowed)})
    return value


def limit_of(params: QueryDict) -> int:
    text = params.get("limit", "500")
    if not (text.isascii() and text.isdecimal() and 1 <= int(text) <= MAX_LIMIT):
        raise invalid("limit", _("Enter a whole number from 1 to %(max)d.") % {"max": MAX_LIMIT})
    return int(text)


@api_view("GET")
def processings(request: HttpRequest, user: User) -> HttpResponseBase:
    if not may_export(user):
        raise PermissionDenied(_("You may not export processings."))
    params = request.GET
    fmt = choice(params, "format", FORMATS)
    try:
        query = api_query(user, params)
        if fmt == "json":
            size = limit_of(params)
            page = processing_page(user, query, cursor=params.get("cursor", ""), size=size)
            return JsonResponse({"processings": page.rows, "next_cursor": page.next_cursor})
        return file_response(user, query, params, Format(fmt))
    except ValidationError as error:
        raise ApiError(400, _("The request is not valid."), fields_of(error)) from error
    except ObjectDoesNotExist as missing:
        raise not_found() from missing


def file_response(
    user: User, query: ProcessingQuery, params: QueryDict, fmt: Format
) -> HttpResponseBase:
    """CSV or XLSX: the header in keys (the default) or in the user's language (`labels`)."""
    dialect = Dialect(choice(params, "separator", ("comma", "semicolon")))
    keys = choice(params, "headers", ("keys", "labels")) == "keys"
    with translation.override(user.language or user.domain.language):
        table = processing_rows(user, query, keys_header=keys)
        return attachment_response(
            encoded(table, fmt, dialect=dialect, title=_("Processings")),
            filename=export_filename(query, fmt.value),
            content_type=CONTENT_TYPES[fmt],
        )


def fields_of(error: ValidationError) -> dict[str, Any]:
    if not hasattr(error, "error_dict"):
        return {"request": " ".join(error.messages)}
    return {field: " ".join(error.message_dict[field]) for field in error.error_dict}
