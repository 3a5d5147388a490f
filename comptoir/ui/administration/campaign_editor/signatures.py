"""The signature editor's live preview (htmx): the signature being typed, sanitised and
rendered on sample values by the server, as the customer's mail client will show it (HTML)
and as its text part will read. Nothing is saved here; the right to manage campaigns."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from comptoir.campaigns.signatures import render_signature
from comptoir.campaigns.templating import template_errors
from comptoir.ui.administration.campaign_editor.advanced import made_up_values, sample_values
from comptoir.ui.common.access import campaign_managers_only, current_user, managed_campaign
from comptoir.ui.common.pages import render_page


def preview_of(signature: str, values: dict[str, str]) -> dict[str, Any]:
    rendered = render_signature(signature, values)
    return {"html": rendered.html, "text": rendered.text, "errors": template_errors(signature)}


def preview_response(request: HttpRequest, preview: dict[str, Any]) -> HttpResponse:
    return render_page(request, "ui/manage/signature_preview.html", {"preview": preview})


@campaign_managers_only
@require_POST
def campaign_signature_preview(request: HttpRequest, slug: str) -> HttpResponse:
    """The Information tab's signature, on the campaign's latest ticket (or a sample one)."""
    campaign = managed_campaign(request, slug)
    values = sample_values(campaign, current_user(request))
    return preview_response(request, preview_of(request.POST.get("signature", ""), values))


@campaign_managers_only
@require_POST
def library_signature_preview(request: HttpRequest) -> HttpResponse:
    # A shared signature belongs to no campaign: a made-up ticket.
    values = made_up_values(current_user(request), _("Customer service"))
    return preview_response(request, preview_of(request.POST.get("text", ""), values))
