"""The campaign editor's Icon tab: upload an icon, or pick a built-in one."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from comptoir.campaigns.icons import (
    BUILTIN_ICONS,
    MAX_ICON_BYTES,
    set_builtin_icon,
    set_uploaded_icon,
)
from comptoir.campaigns.models import Campaign
from comptoir.ui.administration.campaign_editor.forms import IconUploadForm
from comptoir.ui.administration.campaign_editor.tabs import tab_page
from comptoir.ui.common.access import campaign_managers_only, current_user, managed_campaign
from comptoir.ui.common.forms import show_action_errors


@campaign_managers_only
@require_http_methods(["GET", "POST"])
def icon(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = managed_campaign(request, slug)
    form = IconUploadForm()
    if request.method == "POST":
        if "builtin_icon" in request.POST:
            return pick_builtin(request, campaign)
        form = IconUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["icon"]
            try:
                # One byte more than allowed is enough to refuse without reading it all.
                set_uploaded_icon(
                    campaign, upload.read(MAX_ICON_BYTES + 1), by=current_user(request)
                )
            except ValidationError as error:
                show_action_errors(form, error)
            else:
                messages.success(request, _("The icon is saved."))
                return redirect("ui:manage_icon", campaign.slug)
    context = {"form": form, "builtin_icons": BUILTIN_ICONS}
    return tab_page(request, campaign, "icon", context, 400 if form.errors else 200)


def pick_builtin(request: HttpRequest, campaign: Campaign) -> HttpResponse:
    try:
        set_builtin_icon(campaign, request.POST.get("builtin_icon", ""), by=current_user(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The icon is saved."))
    return redirect("ui:manage_icon", campaign.slug)
