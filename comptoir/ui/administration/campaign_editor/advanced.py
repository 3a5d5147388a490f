"""The campaign editor's Advanced tab: email templates (with a preview on a sample ticket),
reply header, priority, planning dates, weekly opening hours, public holidays, attempts and
blocking.

Planning dates are typed and shown in the domain's time zone (datetime-local has none)."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from itertools import groupby
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from comptoir.campaigns.actions import planning
from comptoir.campaigns.actions.campaign import (
    ADVANCED_FIELDS,
    AdvancedSettings,
    update_advanced_settings,
)
from comptoir.campaigns.actions.templates import delete_template, save_template
from comptoir.campaigns.models import Campaign, EmailTemplate, Holiday
from comptoir.campaigns.templating import render as render_template
from comptoir.campaigns.templating import template_errors
from comptoir.tenancy.models import User
from comptoir.tickets.models import Ticket
from comptoir.tickets.template_values import local_date, template_values
from comptoir.ui.administration.campaign_editor.forms import (
    TEMPLATE_FIELDS,
    WEEKDAYS,
    AdvancedForm,
    HolidayForm,
    HoursForm,
    TemplateForm,
)
from comptoir.ui.administration.campaign_editor.tabs import tab_page
from comptoir.ui.common.access import campaign_managers_only, current_user, managed_campaign
from comptoir.ui.common.confirm import remove_when_confirmed
from comptoir.ui.common.forms import form_for, save_form_with, show_action_errors
from comptoir.ui.common.pages import render_page

WEEKDAY_NAMES = dict(WEEKDAYS)


def advanced_url(campaign: Campaign) -> str:
    return reverse("ui:manage_advanced", args=[campaign.slug])


@contextmanager
def domain_time(campaign: Campaign) -> Iterator[None]:
    with timezone.override(ZoneInfo(campaign.domain.time_zone)):
        yield


def advanced_page(
    request: HttpRequest,
    campaign: Campaign,
    *,
    form: AdvancedForm | None = None,
    hours_form: HoursForm | None = None,
    holiday_form: HolidayForm | None = None,
    status: int = 200,
) -> HttpResponse:
    templates = campaign.email_templates.all()
    holidays = Holiday.objects.filter(domain_id=campaign.domain_id).filter(
        Q(campaign=campaign) | Q(campaign__isnull=True)
    )
    year = timezone.localdate(timezone=ZoneInfo(campaign.domain.time_zone)).year
    context = {
        "form": form or AdvancedForm(initial={f: getattr(campaign, f) for f in ADVANCED_FIELDS}),
        "hours_form": hours_form or HoursForm(),
        "hours": [(row, WEEKDAY_NAMES[row.weekday]) for row in campaign.opening_hours.all()],
        "holiday_form": holiday_form or HolidayForm(),
        "holidays": holidays,
        "holiday_years": {"year": str(year), "next_year": str(year + 1)},
        "template_groups": [(tag, list(rows)) for tag, rows in groupby(templates, lambda t: t.tag)],
    }
    return tab_page(request, campaign, "advanced", context, status)


@campaign_managers_only
@require_http_methods(["GET", "POST"])
def advanced(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = managed_campaign(request, slug)
    with domain_time(campaign):
        if request.method == "GET":
            return advanced_page(request, campaign)
        form = AdvancedForm(request.POST)
        if form.is_valid():
            try:
                settings = AdvancedSettings(**form.cleaned_data)
                update_advanced_settings(campaign, settings, by=current_user(request))
            except ValidationError as error:
                show_action_errors(form, error)
            else:
                messages.success(request, _("The advanced settings are saved."))
                return redirect("ui:manage_advanced", campaign.slug)
        campaign.refresh_from_db()
        return advanced_page(request, campaign, form=form, status=400)


def add_to_planning(
    request: HttpRequest,
    slug: str,
    form_class: type[HoursForm | HolidayForm],
    add: Callable[..., object],
    done: str,
) -> HttpResponse:
    """Opening hours or a holiday added from its form (`add`: the action, given the form's
    data); back to the tab, else the tab again with the form's errors."""
    campaign = managed_campaign(request, slug)
    form = form_class(request.POST)
    by = current_user(request)
    if save_form_with(request, form, lambda data: add(campaign, **data, by=by), done):
        return redirect("ui:manage_advanced", campaign.slug)
    with domain_time(campaign):
        if isinstance(form, HoursForm):
            return advanced_page(request, campaign, hours_form=form, status=400)
        return advanced_page(request, campaign, holiday_form=form, status=400)


@campaign_managers_only
@require_POST
def hours_add(request: HttpRequest, slug: str) -> HttpResponse:
    done = _("The opening hours are added.")
    return add_to_planning(request, slug, HoursForm, planning.add_opening_hours, done)


@campaign_managers_only
@require_http_methods(["GET", "POST"])
def hours_remove(request: HttpRequest, slug: str, hours_id: int) -> HttpResponse:
    campaign = managed_campaign(request, slug)
    row = get_object_or_404(campaign.opening_hours, pk=hours_id)
    hours = f"{WEEKDAY_NAMES[row.weekday]} {row.opens:%H:%M}–{row.closes:%H:%M}"
    return remove_when_confirmed(
        request,
        question=_("Remove the opening hours %(hours)s?") % {"hours": hours},
        back=advanced_url(campaign),
        remove=partial(planning.remove_opening_hours, campaign, hours_id, by=current_user(request)),
        done=_("The opening hours are removed."),
    )


@campaign_managers_only
@require_POST
def holiday_add(request: HttpRequest, slug: str) -> HttpResponse:
    done = _("The holiday is added.")
    return add_to_planning(request, slug, HolidayForm, planning.add_holiday, done)


@campaign_managers_only
@require_http_methods(["GET", "POST"])
def holiday_remove(request: HttpRequest, slug: str, holiday_id: int) -> HttpResponse:
    campaign = managed_campaign(request, slug)
    holiday = get_object_or_404(campaign.holidays, pk=holiday_id)
    by = current_user(request)
    return remove_when_confirmed(
        request,
        question=_("Remove the holiday “%(name)s”?") % {"name": holiday.name},
        back=advanced_url(campaign),
        remove=partial(planning.remove_holiday, campaign, holiday_id, by=by),
        done=_("The holiday is removed."),
    )


@campaign_managers_only
@require_POST
def holidays_france(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = managed_campaign(request, slug)
    added = planning.add_french_holidays(campaign, by=current_user(request))
    text = ngettext(
        "%(count)d public holiday is added.", "%(count)d public holidays are added.", added
    )
    messages.success(request, text % {"count": added})
    return redirect("ui:manage_advanced", campaign.slug)


def sample_values(campaign: Campaign, agent: User) -> dict[str, str]:
    """The variables of the campaign's latest ticket, else of a made-up one."""
    ticket = (
        Ticket.objects.filter(domain_id=campaign.domain_id, campaign=campaign, number__isnull=False)
        .select_related("contact", "domain", "campaign")
        .order_by("-created_at")
        .first()
    )
    if ticket is not None:
        return template_values(ticket, agent)
    return made_up_values(agent, campaign.name)


def made_up_values(agent: User, campaign_name: str) -> dict[str, str]:
    """The variables of a made-up ticket of the agent's domain, dated today."""
    domain = agent.domain
    today = local_date(timezone.now(), domain.language or "fr", domain.time_zone)
    return {
        "customer_name": "Claire Martin",
        "customer_email": "claire.martin@example.com",
        "ticket_number": "12345",
        "ticket_subject": _("My order has not arrived"),
        "ticket_date": today,
        "agent_name": agent.display_name or agent.login,
        "campaign_name": campaign_name,
        "today": today,
    }


def preview_of(request: HttpRequest, campaign: Campaign, subject: str, body: str) -> dict[str, Any]:
    values = sample_values(campaign, current_user(request))
    return {
        "subject": render_template(subject, values),
        "body": render_template(body, values),
        "errors": template_errors(subject) + template_errors(body),
    }


@campaign_managers_only
@require_http_methods(["GET", "POST"])
def template_edit(request: HttpRequest, slug: str, template_id: int | None = None) -> HttpResponse:
    campaign = managed_campaign(request, slug)
    template = None
    if template_id is not None:
        template = get_object_or_404(campaign.email_templates, pk=template_id)
    form = form_for(request, TemplateForm, template, TEMPLATE_FIELDS)
    if request.method == "POST" and save_form_with(
        request,
        form,
        lambda data: save_template(campaign, template, **data, by=current_user(request)),
        _("The template is saved."),
    ):
        return redirect("ui:manage_advanced", campaign.slug)
    preview = None
    if template is not None:
        preview = preview_of(request, campaign, template.subject, template.body)
    context = {"form": form, "template": template, "preview": preview}
    status = 400 if form.errors else 200
    return tab_page(
        request, campaign, "advanced", context, status, template="ui/manage/template.html"
    )


@campaign_managers_only
@require_POST
def template_preview(request: HttpRequest, slug: str) -> HttpResponse:
    """htmx: the template being typed, rendered on the sample ticket."""
    campaign = managed_campaign(request, slug)
    subject, body = request.POST.get("subject", ""), request.POST.get("body", "")
    context = {"preview": preview_of(request, campaign, subject, body)}
    return render_page(request, "ui/manage/template.html#preview", context)


@campaign_managers_only
@require_http_methods(["GET", "POST"])
def template_remove(request: HttpRequest, slug: str, template_id: int) -> HttpResponse:
    campaign = managed_campaign(request, slug)
    template: EmailTemplate = get_object_or_404(campaign.email_templates, pk=template_id)
    return remove_when_confirmed(
        request,
        question=_("Remove the template “%(name)s”?") % {"name": template.name},
        back=advanced_url(campaign),
        remove=partial(delete_template, template, by=current_user(request)),
        done=_("The template is removed."),
    )
