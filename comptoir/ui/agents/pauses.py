"""The agent's pause (supervision.states): the reasons to choose from when pausing (the
console's "Pause" and the waiting page's), the page that says the agent is paused, or why a
supervisor paused them or took them out of play, with "Reprendre" (play again), and that
page's poll, a sign of life that keeps the agent paused rather than offline."""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from comptoir.campaigns.models import Campaign
from comptoir.supervision import states
from comptoir.supervision.models import AgentState, PauseReason
from comptoir.supervision.pause_reasons import pause_reasons
from comptoir.supervision.presence import Presence, offline_seconds
from comptoir.tenancy.models import User
from comptoir.tickets.access import playable_campaigns
from comptoir.ui.common.access import current_user, right_required
from comptoir.ui.common.forms import error_message
from comptoir.ui.common.pages import is_htmx, render_page

agents_only = right_required("can_process")


def chosen_reason(request: HttpRequest) -> PauseReason | None:
    """The reason the agent chose (the button they pressed); None when they chose none.
    One of another domain reads as none chosen: the core refuses an inactive one."""
    wanted = request.POST.get("reason", "")
    if not (wanted.isascii() and wanted.isdecimal() and len(wanted) < 19):
        return None
    user = current_user(request)
    return PauseReason.objects.filter(domain_id=user.domain_id, pk=int(wanted)).first()


def pause_menu(user: User) -> list[PauseReason]:
    """The reasons an agent chooses from (an empty list: a plain "Pause" button)."""
    return pause_reasons(user.domain, active_only=True)


def poll_seconds() -> int:
    """The pause page asks well within the offline limit, so an open page keeps the agent
    paused (COMPTOIR_OFFLINE_SECONDS, 90 s by default: every 30 s)."""
    return max(5, min(30, offline_seconds() // 3))


def resumable(user: User, presence: Presence) -> Campaign | None:
    """The campaign "Reprendre" plays again: the one of the pause, if still playable."""
    if presence.campaign_id is None:
        return None
    return playable_campaigns(user).filter(pk=presence.campaign_id).first()


def pause_context(user: User, presence: Presence) -> dict[str, Any]:
    forced_by = None
    if presence.forced_by_id is not None:
        forced_by = User.objects.filter(domain_id=user.domain_id, pk=presence.forced_by_id).first()
    return {
        "presence": presence,
        "paused": presence.state == AgentState.PAUSED,
        "offline": presence.state == AgentState.OFFLINE,
        "forced_by": forced_by,
        "resume_campaign": resumable(user, presence),
        "poll_seconds": poll_seconds(),
    }


@agents_only
@require_POST
def take_pause(request: HttpRequest) -> HttpResponse:
    """Pause without a ticket (from the waiting page), with the reason chosen."""
    user = current_user(request)
    try:
        states.pause(user, reason=chosen_reason(request), now=timezone.now())
    except ValidationError as error:
        error_message(request, error)
        return redirect("ui:campaigns")
    return redirect("ui:paused")


@agents_only
@require_GET
def paused(request: HttpRequest) -> HttpResponse:
    """Where a paused agent waits: why, since when, and "Reprendre"."""
    user = current_user(request)
    presence = states.presence_of(user, now=timezone.now())
    if presence.state != AgentState.PAUSED and not presence.forced:
        return redirect("ui:campaigns")
    return render_page(request, "ui/paused.html", pause_context(user, presence))


@agents_only
@require_POST
def paused_beat(request: HttpRequest) -> HttpResponse:
    """The pause page's poll (and the console's, once a supervisor paused the agent): a sign
    of life, answered with the state as it is now."""
    user = current_user(request)
    presence = states.beat(user, now=timezone.now())
    if not is_htmx(request):
        return redirect("ui:paused")
    return render_page(request, "ui/paused.html#status", pause_context(user, presence))
