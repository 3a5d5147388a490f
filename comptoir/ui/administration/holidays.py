"""The domain's public holidays (/manage/holidays/): the days every campaign of the domain is
closed (a campaign's own holidays are in its Advanced tab, which lists these too). The right
to manage campaigns; another domain's holidays are 404."""

from functools import partial
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from comptoir.campaigns.actions import planning
from comptoir.campaigns.models import Holiday
from comptoir.tenancy.models import Domain
from comptoir.ui.administration.campaign_editor.forms import HolidayForm
from comptoir.ui.common.access import campaign_managers_only, current_user
from comptoir.ui.common.confirm import remove_when_confirmed
from comptoir.ui.common.forms import save_form_with, show_action_errors
from comptoir.ui.common.pages import render_page


class FrenchHolidaysForm(forms.Form):
    year = forms.IntegerField(
        label=gettext_lazy("Year"),
        min_value=planning.FIRST_YEAR,
        max_value=planning.LAST_YEAR,
    )


def this_year(domain: Domain) -> int:
    return timezone.localdate(timezone=ZoneInfo(domain.time_zone)).year


def holidays_page(
    request: HttpRequest,
    *,
    form: HolidayForm | None = None,
    france_form: FrenchHolidaysForm | None = None,
    status: int = 200,
) -> HttpResponse:
    domain = current_user(request).domain
    context = {
        "holidays": planning.holidays_of(domain),
        "form": form or HolidayForm(),
        "france_form": france_form or FrenchHolidaysForm(initial={"year": this_year(domain)}),
    }
    return render_page(request, "ui/manage/holidays.html", context, status)


@campaign_managers_only
@require_GET
def holidays(request: HttpRequest) -> HttpResponse:
    return holidays_page(request)


@campaign_managers_only
@require_POST
def holiday_add(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    form = HolidayForm(request.POST)
    if save_form_with(
        request,
        form,
        lambda data: planning.add_holiday(user.domain, **data, by=user),
        _("The holiday is added."),
    ):
        return redirect("ui:manage_domain_holidays")
    return holidays_page(request, form=form, status=400)


@campaign_managers_only
@require_POST
def holidays_france(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    form = FrenchHolidaysForm(request.POST)
    if form.is_valid():
        try:
            added = planning.add_french_holidays(
                user.domain, year=form.cleaned_data["year"], by=user
            )
        except ValidationError as error:
            show_action_errors(form, error)
        else:
            text = ngettext(
                "%(count)d public holiday is added.", "%(count)d public holidays are added.", added
            )
            messages.success(request, text % {"count": added})
            return redirect("ui:manage_domain_holidays")
    return holidays_page(request, france_form=form, status=400)


@campaign_managers_only
@require_http_methods(["GET", "POST"])
def holiday_remove(request: HttpRequest, domain_holiday_id: int) -> HttpResponse:
    user = current_user(request)
    holiday = get_object_or_404(
        Holiday, domain_id=user.domain_id, campaign__isnull=True, pk=domain_holiday_id
    )
    return remove_when_confirmed(
        request,
        question=_("Remove the holiday “%(name)s”?") % {"name": holiday.name},
        detail=_("Every campaign of the domain opens again on that day."),
        back=reverse("ui:manage_domain_holidays"),
        remove=partial(planning.remove_holiday, user.domain, domain_holiday_id, by=user),
        done=_("The holiday is removed."),
    )
