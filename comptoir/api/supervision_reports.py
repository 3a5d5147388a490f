"""`GET /api/v1/supervision/reports`: every figure of a report (supervision.reports.report,
the very object the Reports page shows) as JSON, for the same period, step and filters.
Durations in seconds, shares and rates from 0 to 1, times with their offset."""

from dataclasses import asdict, fields
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import HttpRequest, JsonResponse, QueryDict
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.api.auth import ApiError, api_view, not_found
from comptoir.api.supervision import choice, fields_of, moment, named_ids
from comptoir.supervision.periods import Period
from comptoir.supervision.reports.query import ReportQuery, Step, period_bounds
from comptoir.supervision.reports.report import Report, full_report, may_see_reports
from comptoir.tenancy.models import User


def report_query(user: User, params: QueryDict) -> ReportQuery:
    """`start` and `end` (days or times, as the processings endpoint reads them), else a
    named `period` (default: today)."""
    zone = ZoneInfo(user.domain.time_zone)
    start, end = moment(params, "start", zone), moment(params, "end", zone)
    if start is None or end is None:
        if start is not None or end is not None:
            raise ApiError(400, _("The request is not valid."), {"end": _("Give both or none.")})
        period = choice(params, "period", tuple(p for p in Period.values if p != Period.CUSTOM))
        start, end = period_bounds(user.domain, period, now=timezone.now())
    step = choice(params, "step", (Step.DAY.value, Step.HOUR.value))
    return ReportQuery(user.domain, start, end, step=step, **named_ids(user, params))


def as_json(report: Report) -> dict[str, Any]:
    query = report.query
    figures = {f.name: asdict(report)[f.name] for f in fields(report) if f.name != "query"}
    period = {"start": query.start, "end": query.end, "step": query.step}
    return {"period": period, **figures}


@api_view("GET")
def reports(request: HttpRequest, user: User) -> HttpResponseBase:
    if not may_see_reports(user):
        raise PermissionDenied(_("Only supervisors see reports."))
    try:
        query = report_query(user, request.GET)
        return JsonResponse(as_json(full_report(user, query, now=timezone.now())))
    except ValidationError as error:
        raise ApiError(400, _("The request is not valid."), fields_of(error)) from error
    except ObjectDoesNotExist as missing:
        raise not_found() from missing
