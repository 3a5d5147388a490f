"""The Reports page: every figure of supervision.reports for a period and filters kept in the
URL's query, as tables (each downloadable as CSV or XLSX) and, where a picture reads better,
a chart drawn by ui/reports.js from the table's own numbers (a JSON data element: no inline
script). The core decides rights and numbers; this view reads the form and shows them."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from comptoir.lib.streaming import attachment_response
from comptoir.supervision.periods import Period
from comptoir.supervision.report_tables import Figure, chart_data, figures
from comptoir.supervision.reports.query import ReportQuery, Step, period_bounds
from comptoir.supervision.reports.report import Report, full_report, may_see_reports
from comptoir.supervision.tabular import CONTENT_TYPES, encoded
from comptoir.tenancy.models import User
from comptoir.tickets.access import supervised_campaigns
from comptoir.ui.common.access import current_user, login_required_in_domain
from comptoir.ui.common.forms import show_action_errors
from comptoir.ui.common.pages import render_page
from comptoir.ui.supervisors.exports import FORMATS, everything, filter_choices
from comptoir.ui.supervisors.forms import PeriodForm

# The page without a query: today, by hour, every campaign.
DEFAULTS = {"period": Period.TODAY.value, "step": Step.HOUR.value}


FILTERS = ("campaign", "team", "agent")


def picked(label: Any) -> forms.IntegerField:
    """A filter shown as a list; any number is accepted here so that one outside the
    user's reach reaches the core, which answers DoesNotExist (a 404, as elsewhere)."""
    return forms.IntegerField(label=label, required=False, widget=forms.Select)


class ReportForm(PeriodForm):
    step = forms.ChoiceField(label=gettext_lazy("Step"), choices=Step.choices)
    campaign = picked(gettext_lazy("Campaign"))
    team = picked(gettext_lazy("Team"))
    agent = picked(gettext_lazy("Agent"))

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        campaigns = supervised_campaigns(user).order_by("name")
        teams, agents = filter_choices(user, campaigns)
        choices = {
            "campaign": everything(_("All campaigns"), campaigns),
            "team": everything(_("All teams"), teams),
            "agent": everything(_("All agents"), agents),
        }
        for name, values in choices.items():
            widget = self.fields[name].widget
            assert isinstance(widget, forms.Select)
            widget.choices = values


def report_query(user: User, data: dict[str, Any], *, now: datetime) -> ReportQuery:
    start, end = period_bounds(
        user.domain, data["period"], now=now, first_day=data["first_day"],
        last_day=data["last_day"],
    )  # fmt: skip
    ids = {name: [] if data[name] is None else [data[name]] for name in FILTERS}
    return ReportQuery(
        user.domain, start, end, step=data["step"], campaign_ids=ids["campaign"],
        team_ids=ids["team"], agent_ids=ids["agent"],
    )  # fmt: skip


def cell_text(value: Any) -> str:
    """A value as the page shows it, in the reader's language."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return date_format(timezone.localtime(value, value.tzinfo), "SHORT_DATETIME_FORMAT")
    if isinstance(value, date):
        return date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, Decimal):
        return number_format(value, 1, use_l10n=True)
    return str(value)


def shown(figure: Figure) -> dict[str, Any]:
    """The figure for the template: its rows as text, and its chart's data from them."""
    rows = [[cell_text(value) for value in row] for row in figure.rows]
    labels = [" · ".join(row[i] for i in figure.label_columns) for row in rows]
    return {"figure": figure, "rows": rows, "chart": chart_data(figure, labels)}


def download(figure: Figure, report: Report, fmt_name: str) -> HttpResponseBase:
    fmt, dialect = FORMATS[fmt_name]
    query = report.query
    first = query.start.astimezone(query.zone).date()
    last = (query.end.astimezone(query.zone)).date()
    name = f"{figure.key}-{first.isoformat()}-{last.isoformat()}.{fmt.value}"
    return attachment_response(
        encoded(figure.table(query.zone), fmt, dialect=dialect, title=str(figure.title)[:31]),
        filename=name,
        content_type=CONTENT_TYPES[fmt],
    )


def chosen_download(request: HttpRequest, found: list[Figure]) -> tuple[Figure, str] | None:
    key, fmt = request.GET.get("download", ""), request.GET.get("format", "csv")
    if not key:
        return None
    figure = next((f for f in found if f.key == key), None)
    if figure is None or fmt not in FORMATS:
        raise Http404
    return figure, fmt


@login_required_in_domain
@require_GET
def reports(request: HttpRequest) -> HttpResponseBase:
    user = current_user(request)
    if not may_see_reports(user):
        raise PermissionDenied
    data = request.GET if "period" in request.GET else DEFAULTS
    form = ReportForm(data, user=user)
    context: dict[str, Any] = {"form": form, "formats": FORMATS}
    status = 200
    if form.is_valid():
        now = timezone.now()
        try:
            report = full_report(user, report_query(user, form.cleaned_data, now=now), now=now)
        except ValidationError as error:
            show_action_errors(form, error)
            status = 400
        except ObjectDoesNotExist as missing:
            raise Http404 from missing
        else:
            found = figures(report)
            wanted = chosen_download(request, found)
            if wanted is not None:
                return download(wanted[0], report, wanted[1])
            context.update(report=report, figures=[shown(f) for f in found])
            context["query_string"] = request.GET.urlencode()
    else:
        status = 400
    return render_page(request, "ui/supervisors/reports.html", context, status=status)
