"""The live board (supervision.board): where supervisors land. One table per campaign they
supervise; `supervision/campaigns/<slug>/` shows one of them (404 for a campaign they do not
supervise), and users who supervise nothing get the refusal page (403) at `supervision/`,
as for the flagged tickets.

Live by htmx polling (every POLL_SECONDS) with a conditional request: the fragment carries
the ETag of what it shows and sends it back as If-None-Match; nothing changed answers 304
with no body, which htmx leaves alone (base.html's responseHandling). docs/supervision.md
gives the figures that chose this over server-sent events.
"""

import hashlib
from dataclasses import dataclass, replace
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.http import parse_etags, quote_etag
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from comptoir.campaigns.models import Campaign
from comptoir.supervision.agents_board import AgentRow, agent_board
from comptoir.supervision.board import Board, CampaignRow, campaign_board
from comptoir.supervision.figures import CampaignFigures
from comptoir.tenancy.models import User
from comptoir.tickets.access import supervised_campaigns
from comptoir.ui.common.access import current_user, login_required_in_domain
from comptoir.ui.common.pages import is_htmx, render_page

# With the board's 2 s of shared figures, a change shows within 5 s.
POLL_SECONDS = 3


def minutes_text(minutes: int) -> str:
    """A duration to the minute, short: 7 min, 2 h 05, 3 d 4 h."""
    if minutes < 60:
        return _("%(minutes)d min") % {"minutes": minutes}
    hours = minutes // 60
    if hours < 24:
        return _("%(hours)d h %(minutes)02d") % {"hours": hours, "minutes": minutes % 60}
    return _("%(days)d d %(hours)d h") % {"days": hours // 24, "hours": hours % 24}


def age(since: datetime | None, now: datetime) -> str:
    if since is None:
        return ""
    return minutes_text(max(0, int((now - since).total_seconds() // 60)))


@dataclass(frozen=True)
class Line:
    """A processing as the board shows it."""

    number: int
    subject: str
    agent: str
    since: datetime
    age: str


@dataclass(frozen=True)
class Panel:
    """One campaign's table: everything the template shows, so that its ETag is exact."""

    pk: int
    slug: str
    name: str
    active: bool
    figures: CampaignFigures
    oldest_wait: str
    lines: tuple[Line, ...]


def panel(row: CampaignRow, now: datetime) -> Panel:
    numbers, campaign = row.figures, row.campaign
    lines = tuple(
        Line(p.ticket_number, p.subject, p.agent_name, p.since, age(p.since, now))
        for p in numbers.processing
    )
    oldest = age(numbers.oldest_waiting_since, now)
    return Panel(campaign.pk, campaign.slug, campaign.name, campaign.active, numbers, oldest, lines)


@dataclass(frozen=True)
class AgentLine:
    """One agent's row as the table shows it (durations to the minute)."""

    row: AgentRow
    in_state: str
    average: str
    paused: str


def duration(seconds: float | None) -> str:
    return "" if seconds is None else minutes_text(int(seconds // 60))


def agent_line(row: AgentRow) -> AgentLine:
    """Everything but `row.seconds_in_state` and `row.pause_seconds_today` (to the second)
    goes into the ETag through `row`: those two only as the minutes shown."""
    kept = replace(row, seconds_in_state=0.0, pause_seconds_today=0.0)
    return AgentLine(
        kept,
        duration(row.seconds_in_state) if row.since else "",
        duration(row.average_handling_seconds),
        duration(row.pause_seconds_today),
    )


def etag_of(
    user: User,
    board: Board,
    panels: list[Panel],
    agents: list[AgentLine],
    time_zone: str,
    *,
    one: bool = False,
) -> str:
    """What the fragment depends on: the reader, their language, the page (all campaigns or
    `one`), the numbers, the agents' rows and the durations to the minute (the figures' own
    time is left out: `at` is not in their repr)."""
    seen = (
        user.pk,
        user.can_supervise,
        get_language(),
        time_zone,
        one,
        board.quarantine,
        panels,
        agents,
    )
    return hashlib.sha256(repr(seen).encode()).hexdigest()[:32]


def unchanged(request: HttpRequest, etag: str) -> bool:
    wanted = parse_etags(request.headers.get("If-None-Match", ""))
    return quote_etag(etag) in wanted


def board_response(request: HttpRequest, only: Campaign | None) -> HttpResponse:
    user, now = current_user(request), timezone.now()
    board = campaign_board(user, now=now, only=only)
    time_zone = user.domain.time_zone
    panels = [panel(row, now) for row in board.rows]
    agents = [agent_line(row) for row in agent_board(user, now=now, only=only)]
    etag = etag_of(user, board, panels, agents, time_zone, one=only is not None)
    fragment = is_htmx(request)
    if fragment and unchanged(request, etag):
        response: HttpResponse = HttpResponseNotModified()
    else:
        here = reverse("ui:board_campaign", args=[only.slug]) if only else reverse("ui:board")
        context = {
            "board": board,
            "panels": panels,
            "agents": agents,
            "only": only,
            "etag": etag,
            "page_url": here,
            "poll_seconds": POLL_SECONDS,
            "board_time_zone": time_zone,
        }
        name = "ui/supervisors/board.html#live" if fragment else "ui/supervisors/board.html"
        response = render_page(request, name, context)
    response["ETag"] = quote_etag(etag)
    # Revalidated every time: the browser keeps no copy to show as current.
    response["Cache-Control"] = "no-cache, private"
    response["Vary"] = "HX-Request, Accept-Language, Cookie"
    return response


def check_supervises_some(user: User) -> None:
    """The board exists for whoever has the right to supervise (with no campaign entrusted
    to their teams: an empty board that says so) or supervises a campaign; the others get
    the refusal page."""
    if not (user.is_active and user.can_supervise) and not supervised_campaigns(user).exists():
        raise PermissionDenied


@login_required_in_domain
@require_GET
def board(request: HttpRequest) -> HttpResponse:
    check_supervises_some(current_user(request))
    return board_response(request, only=None)


@login_required_in_domain
@require_GET
def campaign_board_page(request: HttpRequest, slug: str) -> HttpResponse:
    """One campaign's board: 404 for a campaign the user does not supervise (of their domain
    or another), as for whoever supervises nothing."""
    campaign = get_object_or_404(supervised_campaigns(current_user(request)), slug=slug)
    return board_response(request, only=campaign)
