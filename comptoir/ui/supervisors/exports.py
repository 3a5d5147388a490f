"""The Exports page: the processings detail (supervision.processings) downloaded as XLSX or
CSV for a period and filters (docs/exports.md). The core decides rights and rows; this view
reads the form and streams what the core writes."""

from typing import Any

from django import forms
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from comptoir.campaigns.models import Campaign
from comptoir.lib.streaming import attachment_response
from comptoir.supervision.periods import Period, period_bounds
from comptoir.supervision.processings import (
    ProcessingQuery,
    export_filename,
    may_export,
    processing_rows,
)
from comptoir.supervision.tabular import CONTENT_TYPES, Dialect, Format, encoded
from comptoir.tenancy.models import Team, User
from comptoir.tickets.access import supervised_campaigns
from comptoir.ui.common.access import current_user, login_required_in_domain
from comptoir.ui.common.forms import show_action_errors
from comptoir.ui.common.pages import render_page
from comptoir.ui.supervisors.forms import PeriodForm

# The file formats offered: (format, CSV dialect).
FORMATS = {
    "xlsx": (Format.XLSX, Dialect.COMMA),
    "csv-semicolon": (Format.CSV, Dialect.SEMICOLON),
    "csv": (Format.CSV, Dialect.COMMA),
}


def format_choices() -> list[tuple[str, str]]:
    """XLSX first (no separator to choose); among the CSVs, the French Excel one first for a
    French reader, the comma one first for others."""
    french = ("csv-semicolon", _("CSV for French Excel (separator ;, decimal comma)"))
    plain = ("csv", _("CSV (separator ,, decimal point)"))
    csvs = [french, plain] if (get_language() or "").startswith("fr") else [plain, french]
    return [("xlsx", _("Excel workbook (XLSX)")), *csvs]


class ExportForm(PeriodForm):
    campaign = forms.TypedChoiceField(label=gettext_lazy("Campaign"), coerce=int, required=False)
    team = forms.TypedChoiceField(label=gettext_lazy("Team"), coerce=int, required=False)
    agent = forms.TypedChoiceField(label=gettext_lazy("Agent"), coerce=int, required=False)
    format = forms.ChoiceField(label=gettext_lazy("Format"))
    keys_header = forms.BooleanField(
        label=gettext_lazy("Column names for a BI tool"),
        required=False,
        help_text=gettext_lazy(
            "Stable names (ended_at, outcome_code…) and codes instead of words, whatever "
            "the language."
        ),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        campaigns = supervised_campaigns(user).order_by("name")
        teams, agents = filter_choices(user, campaigns)
        choices = {
            "campaign": everything(_("All campaigns"), campaigns),
            "team": everything(_("All teams"), teams),
            "agent": everything(_("All agents"), agents),
            "format": format_choices(),
        }
        for name, values in choices.items():
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = values


def filter_choices(
    user: User, campaigns: QuerySet[Campaign]
) -> tuple[QuerySet[Team], QuerySet[User]]:
    """The agent teams of those campaigns, and their members."""
    teams = Team.objects.filter(
        domain_id=user.domain_id, agent_campaigns__in=campaigns.values("id")
    ).distinct()
    agents = User.objects.filter(domain_id=user.domain_id, teams__in=teams.values("id"))
    return teams.order_by("name"), agents.distinct().order_by("display_name", "login")


def everything(label: str, objects: QuerySet[Any]) -> list[tuple[Any, str]]:
    return [("", label), *((item.pk, str(item)) for item in objects)]


def export_query(user: User, data: dict[str, Any]) -> ProcessingQuery:
    start, end = period_bounds(
        user.domain,
        data["period"],
        now=timezone.now(),
        first_day=data["first_day"],
        last_day=data["last_day"],
    )
    picked = {name: [data[name]] if data[name] else [] for name in ("campaign", "team", "agent")}
    return ProcessingQuery(
        user.domain,
        start,
        end,
        campaign_ids=picked["campaign"],
        team_ids=picked["team"],
        agent_ids=picked["agent"],
    )


def download(user: User, data: dict[str, Any]) -> HttpResponseBase:
    query = export_query(user, data)
    fmt, dialect = FORMATS[data["format"]]
    table = processing_rows(user, query, keys_header=data["keys_header"])
    campaign = Campaign.objects.get(pk=data["campaign"]).name if data["campaign"] else ""
    return attachment_response(
        encoded(table, fmt, dialect=dialect, title=_("Processings")),
        filename=export_filename(query, fmt.value, campaign=campaign),
        content_type=CONTENT_TYPES[fmt],
    )


@login_required_in_domain
@require_GET
def exports(request: HttpRequest) -> HttpResponseBase:
    """The form; with `download`, the file (or the form again with what is wrong)."""
    user = current_user(request)
    if not may_export(user):
        raise PermissionDenied
    bound = "download" in request.GET
    form = ExportForm(request.GET if bound else None, user=user, initial=initial())
    if bound and form.is_valid():
        try:
            return download(user, form.cleaned_data)
        except ValidationError as error:
            show_action_errors(form, error)
        except ObjectDoesNotExist as missing:
            raise Http404 from missing
    status = 400 if bound else 200
    return render_page(request, "ui/supervisors/exports.html", {"form": form}, status=status)


def initial() -> dict[str, str]:
    return {"period": Period.YESTERDAY, "format": "xlsx"}
