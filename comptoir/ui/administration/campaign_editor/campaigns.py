"""The campaigns to edit ("Exploiter les campagnes"): the domain's list, a new campaign, and
the way into a campaign's editor. For those who may manage campaigns (403 otherwise)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from comptoir.campaigns.actions.campaign import create_campaign
from comptoir.campaigns.models import Campaign
from comptoir.ui.administration.campaign_editor.forms import NewCampaignForm
from comptoir.ui.common.access import campaign_managers_only, current_user, managed_campaign
from comptoir.ui.common.forms import show_action_errors
from comptoir.ui.common.pages import render_page

SHOWN = {"all": None, "active": True, "inactive": False}


@campaign_managers_only
@require_GET
def campaign_list(request: HttpRequest) -> HttpResponse:
    """Every campaign of the domain, inactive ones greyed; ?show=active or inactive filters."""
    show = request.GET.get("show", "all")
    show = show if show in SHOWN else "all"
    campaigns = Campaign.objects.filter(domain_id=current_user(request).domain_id).order_by("name")
    wanted = SHOWN[show]
    if wanted is not None:
        campaigns = campaigns.filter(active=wanted)
    context = {"campaigns": campaigns, "form": NewCampaignForm(), "show": show}
    return render_page(request, "ui/manage/campaigns.html", context)


@campaign_managers_only
@require_POST
def campaign_create(request: HttpRequest) -> HttpResponse:
    form = NewCampaignForm(request.POST)
    if form.is_valid():
        try:
            user = current_user(request)
            campaign = create_campaign(user.domain, name=form.cleaned_data["name"], by=user)
        except ValidationError as error:
            show_action_errors(form, error)
        else:
            messages.success(request, _("The campaign %(name)s is created.") % {"name": campaign})
            return redirect("ui:manage_info", campaign.slug)
    campaigns = Campaign.objects.filter(domain_id=current_user(request).domain_id).order_by("name")
    context = {"campaigns": campaigns, "form": form}
    return render_page(request, "ui/manage/campaigns.html", context, 400)


@campaign_managers_only
@require_GET
def campaign_edit(request: HttpRequest, slug: str) -> HttpResponse:
    return redirect("ui:manage_info", managed_campaign(request, slug).slug)
