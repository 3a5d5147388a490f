"""The campaign editor's Icon tab (upload, or pick a built-in icon) and Import history tab."""

from importlib import import_module
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from comptoir.campaigns.icons import (
    BUILTIN_ICONS,
    MAX_ICON_BYTES,
    set_builtin_icon,
    set_uploaded_icon,
)
from comptoir.campaigns.models import Campaign
from comptoir.ui.account.login import current_user
from comptoir.ui.administration.campaign_editor.forms import IconUploadForm
from comptoir.ui.administration.campaign_editor.info import (
    managed_campaign,
    manager_required,
    refused,
    tab_page,
)


@manager_required
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
                refused(form, error)
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


def import_jobs(campaign: Campaign) -> list[Any] | None:
    """The campaign's imports, newest first; None while the imports app has no ImportJob."""
    try:
        model = import_module("comptoir.imports.models").ImportJob
    except (ImportError, AttributeError):
        return None
    rows = model.objects.filter(domain_id=campaign.domain_id, campaign=campaign)
    return list(rows.select_related("created_by").order_by("-pk")[:200])


@manager_required
@require_GET
def history(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = managed_campaign(request, slug)
    return tab_page(request, campaign, "history", {"jobs": import_jobs(campaign)})
