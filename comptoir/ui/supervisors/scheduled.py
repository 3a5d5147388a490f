"""The scheduled reports' page: the schedules a supervisor manages, a form to add one, and
their deletion behind a confirmation. The core (supervision.schedules) checks names,
campaigns, recipients and rights; this view shows its refusals next to the fields."""

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from comptoir.supervision.models import Frequency
from comptoir.supervision.reports.report import may_see_reports
from comptoir.supervision.schedules import (
    create_schedule,
    delete_schedule,
    managed_schedules,
    possible_recipients,
)
from comptoir.tenancy.models import User
from comptoir.tickets.access import supervised_campaigns
from comptoir.ui.common.access import current_user, login_required_in_domain
from comptoir.ui.common.confirm import remove_when_confirmed
from comptoir.ui.common.forms import show_action_errors
from comptoir.ui.common.pages import GET_POST, render_page


class ScheduleForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    frequency = forms.ChoiceField(label=gettext_lazy("Frequency"), choices=Frequency.choices)
    # Any number is accepted here: the core refuses what is not the user's to choose.
    campaigns = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Campaigns"),
        coerce=int,
        required=False,
        help_text=gettext_lazy("None chosen: every campaign each recipient supervises."),
        widget=forms.CheckboxSelectMultiple,
    )
    recipients = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Recipients"), coerce=int, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        campaigns = supervised_campaigns(user).order_by("name")
        self.fields["campaigns"].choices = [(c.pk, c.name) for c in campaigns]  # type: ignore[attr-defined]
        people = [(u.pk, f"{u} <{u.email}>") for u in possible_recipients(user)]
        self.fields["recipients"].choices = people  # type: ignore[attr-defined]


def schedule_rows(user: User) -> list[dict[str, Any]]:
    schedules = managed_schedules(user).prefetch_related("campaigns", "recipients")
    return [
        {
            "schedule": s,
            "campaigns": ", ".join(c.name for c in s.campaigns.all()) or _("All campaigns"),
            "recipients": ", ".join(str(r) for r in s.recipients.all()),
        }
        for s in schedules
    ]


def allowed(request: HttpRequest) -> User:
    user = current_user(request)
    if not may_see_reports(user):
        raise PermissionDenied
    return user


@login_required_in_domain
@require_http_methods(GET_POST)
def scheduled_reports(request: HttpRequest) -> HttpResponse:
    user = allowed(request)
    data = request.POST if request.method == "POST" else None
    form = ScheduleForm(data, user=user)
    status = 200
    if data is not None:
        if form.is_valid():
            try:
                fields = form.cleaned_data
                create_schedule(
                    user, name=fields["name"], frequency=fields["frequency"],
                    campaign_ids=fields["campaigns"], recipient_ids=fields["recipients"],
                    now=timezone.now(),
                )  # fmt: skip
            except ValidationError as error:
                show_action_errors(form, error)
            else:
                messages.success(request, _("The report is scheduled."))
                return redirect("ui:scheduled_reports")
        status = 400
    context = {"form": form, "rows": schedule_rows(user)}
    return render_page(request, "ui/supervisors/scheduled_reports.html", context, status)


@login_required_in_domain
@require_http_methods(GET_POST)
def delete_scheduled_report(request: HttpRequest, schedule_id: int) -> HttpResponse:
    user = allowed(request)
    schedule = managed_schedules(user).filter(pk=schedule_id).first()
    if schedule is None:
        raise Http404
    return remove_when_confirmed(
        request,
        question=_("Delete the scheduled report “%(name)s”?") % {"name": schedule.name},
        back=reverse("ui:scheduled_reports"),
        remove=lambda: delete_schedule(user, schedule),
        done=_("The scheduled report is deleted."),
    )
