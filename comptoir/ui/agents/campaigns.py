""" "Exploiter les campagnes": the campaign cards (where whoever processes or supervises tickets
lands), their icons, the play button ("Traiter les tickets") for the campaigns the user may
play, the card's menu ("Modifier la campagne") for those who may edit campaigns, the waiting
page that serves the next ticket as soon as one comes, and "My tickets".

Play and its waiting page exist only for a campaign given to one of the user's agent teams.
"""

import mimetypes
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from comptoir.campaigns.icons import BUILTIN_ICONS
from comptoir.campaigns.models import Campaign
from comptoir.distribution.actions import NextTicket, claim_next_ticket, settle_lapsed
from comptoir.distribution.planning import Availability, availability
from comptoir.distribution.queues import (
    assigned_state,
    assigned_to,
    due_for,
    returning_for,
    waiting_count,
)
from comptoir.tenancy.models import User
from comptoir.tickets.access import (
    playable_campaigns,
    supervised_campaigns,
    visible_campaigns,
    visible_tickets,
)
from comptoir.ui.agents.pauses import pause_menu
from comptoir.ui.common.access import current_user, login_required_in_domain
from comptoir.ui.common.downloads import download_response, is_previewable_image
from comptoir.ui.common.pages import is_htmx, render_page

BADGE_COLOURS = 6


@dataclass
class CampaignCard:
    campaign: Campaign
    waiting: int
    due: int
    availability: Availability
    badge_colour: int
    playable: bool
    editable: bool


def campaign_card(user: User, campaign: Campaign, now: datetime, playable: bool) -> CampaignCard:
    return CampaignCard(
        campaign=campaign,
        waiting=waiting_count(campaign, now),
        due=due_for(user, campaign, now).count() if playable else 0,
        availability=availability(campaign, now),
        # A stable colour for the initial badge of a campaign without an icon.
        badge_colour=sum(campaign.slug.encode()) % BADGE_COLOURS,
        playable=playable,
        editable=user.can_manage_campaigns,
    )


def card_campaigns(user: User) -> QuerySet[Campaign]:
    """The campaigns on the user's cards: those they may play, those they supervise, and every
    campaign of the domain for whoever may edit campaigns."""
    if user.can_manage_campaigns:
        return Campaign.objects.filter(domain_id=user.domain_id)
    given = Q(id__in=playable_campaigns(user).values("id"))
    return Campaign.objects.filter(
        given | Q(id__in=supervised_campaigns(user).values("id")), domain_id=user.domain_id
    )


@login_required_in_domain
@require_GET
def campaign_list(request: HttpRequest) -> HttpResponse:
    user, now = current_user(request), timezone.now()
    # Abandoned consoles first give back their tickets, so that "due" counts what play serves.
    settle_lapsed(user, now=now)
    playable = set(playable_campaigns(user).values_list("id", flat=True))
    campaigns = card_campaigns(user).select_related("domain").order_by("-active", "name")
    cards = [campaign_card(user, c, now, c.pk in playable) for c in campaigns]
    return render_page(request, "ui/campaigns.html", {"cards": cards})


def playable_campaign(request: HttpRequest, slug: str) -> Campaign:
    campaigns = playable_campaigns(current_user(request)).select_related("domain")
    return get_object_or_404(campaigns, slug=slug)


def icon_type(campaign: Campaign) -> str:
    guessed = mimetypes.guess_type(campaign.icon.name or "")[0] or ""
    if guessed == "image/svg+xml":  # sanitised when uploaded (campaigns.icons)
        return guessed
    return guessed if is_previewable_image(guessed) else ""


def svg_response(content: bytes) -> HttpResponse:
    """An SVG to show in an <img>: nothing may run or load, should it be opened directly."""
    response = HttpResponse(content, content_type="image/svg+xml")
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required_in_domain
@require_GET
def campaign_icon(request: HttpRequest, slug: str) -> HttpResponse:
    """The campaign's icon, for those who see the campaign (or manage campaigns): an uploaded
    PNG, JPEG or sanitised SVG, or a built-in icon from the static files."""
    user = current_user(request)
    campaigns = visible_campaigns(user)
    if user.can_manage_campaigns:
        campaigns = Campaign.objects.filter(domain_id=user.domain_id)
    campaign = get_object_or_404(campaigns, slug=slug)
    if not campaign.icon and campaign.builtin_icon in BUILTIN_ICONS:
        return redirect(static(f"ui/icons/{campaign.builtin_icon}.svg"))
    if not campaign.icon or not icon_type(campaign):
        raise Http404
    try:
        with campaign.icon.open("rb") as icon:
            content = icon.read()
    except FileNotFoundError:
        raise Http404 from None
    if icon_type(campaign) == "image/svg+xml":
        return svg_response(content)
    return download_response(content, filename=f"{slug}-icon", content_type=icon_type(campaign))


@login_required_in_domain
@require_POST
def play(request: HttpRequest, slug: str) -> HttpResponse:
    """Play ("Traiter les tickets"): the next ticket, locked to the agent, in the console."""
    campaign = playable_campaign(request, slug)
    served = claim_next_ticket(current_user(request), campaign)
    if served.processing is not None:
        return redirect("ui:process", served.processing.pk, permanent=False)
    return nothing_to_play(request, campaign, served, fragment=False)


@login_required_in_domain
@require_POST
def wait(request: HttpRequest, slug: str) -> HttpResponse:
    """The waiting page asks again (htmx, every COMPTOIR_QUEUE_POLL_SECONDS): a ticket served
    now opens the console; otherwise the page stays, with its reasons brought up to date."""
    campaign = playable_campaign(request, slug)
    # Its asking counts as the agent's sign of life, and never ends their pause.
    served = claim_next_ticket(current_user(request), campaign, waiting=True)
    if served.paused:
        return go_to(request, reverse("ui:paused"))
    if served.processing is not None:
        return go_to(request, reverse("ui:process", args=[served.processing.pk]))
    if not is_htmx(request):
        return nothing_to_play(request, campaign, served, fragment=False)
    return render_page(request, "ui/idle.html#waiting", idle_context(request, campaign, served))


def go_to(request: HttpRequest, url: str) -> HttpResponse:
    """The whole page goes to `url` (htmx: HX-Redirect; a plain POST: a redirect)."""
    if not is_htmx(request):
        return redirect(url)
    response = HttpResponse(status=204)
    response["HX-Redirect"] = url
    return response


def idle_context(request: HttpRequest, campaign: Campaign, served: NextTicket) -> dict[str, Any]:
    now = timezone.now()
    return {
        "campaign": campaign,
        "served": served,
        "reasons": pause_menu(current_user(request)),
        "returning": returning_for(current_user(request), campaign, now),
        "poll_seconds": max(1, int(settings.COMPTOIR_QUEUE_POLL_SECONDS)),
        "checked_at": now,
    }


def nothing_to_play(
    request: HttpRequest, campaign: Campaign, served: NextTicket, *, fragment: bool, done: str = ""
) -> HttpResponse:
    """No ticket now: why, when the campaign opens or held tickets come back, and a page that
    keeps asking (htmx polling) and opens the console as soon as a ticket is served."""
    context = {**idle_context(request, campaign, served), "done": done}
    name = "ui/idle.html#idle" if fragment else "ui/idle.html"
    response = render_page(request, name, context)
    if fragment:
        response["HX-Push-Url"] = reverse("ui:campaigns")
    return response


@login_required_in_domain
@require_GET
def my_tickets(request: HttpRequest) -> HttpResponse:
    """The agent's assigned tickets that are not closed, with where each one stands."""
    user, now = current_user(request), timezone.now()
    settle_lapsed(user, now=now)
    tickets = assigned_to(user).filter(pk__in=visible_tickets(user).values("pk"))
    rows = [(ticket, assigned_state(ticket, now)) for ticket in tickets]
    return render_page(request, "ui/my_tickets.html", {"rows": rows, "now": now})
