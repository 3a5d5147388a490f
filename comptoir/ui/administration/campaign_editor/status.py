"""Deactivate, reactivate or delete a campaign, from the campaign editor: each a confirmation
page (GET) saying what will happen, then the change (POST). The right to manage campaigns;
another domain's campaign is 404. The changes are campaigns.actions.status."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from comptoir.campaigns.actions.status import delete_campaign, set_campaign_active
from comptoir.ui.administration.campaign_editor.tabs import tab_page
from comptoir.ui.common.access import campaign_managers_only, current_user, managed_campaign


def confirmation(request: HttpRequest, slug: str, action: str) -> HttpResponse:
    campaign = managed_campaign(request, slug)
    context = {
        "action": action,
        "tickets": campaign.tickets.count(),
        "addresses": campaign.addresses.order_by("address"),
        "mailboxes": campaign.imap_mailboxes.count(),
    }
    return tab_page(request, campaign, "info", context, template="ui/manage/campaign_status.html")


def set_active(request: HttpRequest, slug: str, *, active: bool, done: str) -> HttpResponse:
    """GET: what will happen; POST: the campaign (in)active, `done` said."""
    if request.method == "GET":
        return confirmation(request, slug, "reactivate" if active else "deactivate")
    campaign = managed_campaign(request, slug)
    set_campaign_active(campaign, active=active, by=current_user(request))
    messages.success(request, done % {"name": campaign})
    return redirect("ui:manage_info", campaign.slug)


@campaign_managers_only
@require_http_methods(["GET", "POST"])
def deactivate(request: HttpRequest, slug: str) -> HttpResponse:
    done = _("The campaign %(name)s is deactivated.")
    return set_active(request, slug, active=False, done=done)


@campaign_managers_only
@require_http_methods(["GET", "POST"])
def reactivate(request: HttpRequest, slug: str) -> HttpResponse:
    return set_active(request, slug, active=True, done=_("The campaign %(name)s is active again."))


@campaign_managers_only
@require_http_methods(["GET", "POST"])
def delete(request: HttpRequest, slug: str) -> HttpResponse:
    """Only a campaign that never had a ticket; otherwise the advice to deactivate it."""
    if request.method == "GET":
        return confirmation(request, slug, "delete")
    campaign = managed_campaign(request, slug)
    try:
        delete_campaign(campaign, by=current_user(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("ui:manage_delete", campaign.slug)
    messages.success(request, _("The campaign %(name)s is deleted.") % {"name": campaign})
    return redirect("ui:manage_campaigns")
