"""The board's agents (issue 13): one row per agent of the campaigns on the user's board
(members of their agent teams; with the right to supervise, every campaign of the domain,
so every agent of one): their state and since when, their live ticket, and today's numbers.

Today is the domain's day (board.local_day). Processings today are those of the board's
campaigns that ended today, whatever their end (a processing belongs to the day it ended, as
in the reports); the average handling time is over those the agent ended (qualified or
paused: supervision.reports.rows.handled's rule), from claim to end; the pause time is the
time in the paused state today (supervision.states.pause_time), whatever the campaign.

A fixed number of queries whatever the number of agents (each reader is one grouped query),
and the rows are kept FRESH_SECONDS like the campaigns' figures, shared by the supervisors who
see the same campaigns.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.db.models import F

from comptoir.campaigns.models import Campaign
from comptoir.distribution.models import EndReason, Processing
from comptoir.supervision import states
from comptoir.supervision.board import _fresh, local_day, supervised
from comptoir.supervision.figures import Day
from comptoir.supervision.models import AgentState
from comptoir.tenancy.models import User

HANDLED = (EndReason.QUALIFIED, EndReason.RELEASED)


@dataclass(frozen=True)
class AgentRow:
    """One agent as the board shows them at `now`."""

    agent_id: int
    name: str  # the display name, else the login
    state: str  # supervision.models.AgentState
    since: datetime | None  # None: never seen in play
    seconds_in_state: float
    pause_reason: str  # when paused
    forced: bool  # a supervisor put them in this state
    ticket_number: int | None  # their live processing's ticket
    campaign_name: str  # the live processing's campaign, else the campaign they play
    processings_today: int
    average_handling_seconds: float | None  # None: nothing handled today
    pause_seconds_today: float


def board_agents(campaign_ids: list[int], domain_id: int) -> dict[int, str]:
    """The active agents of these campaigns' agent teams, with the name shown."""
    users = (
        User.objects.filter(
            domain_id=domain_id,
            is_active=True,
            can_process=True,
            teams__agent_campaigns__in=campaign_ids,
        )
        .distinct()
        .values_list("id", "display_name", "login")
    )
    return {pk: shown or login for pk, shown, login in users}


def live_processings(
    domain_id: int, agent_ids: list[int], now: datetime
) -> dict[int, tuple[int, int]]:
    """Each agent's live processing: (ticket number, campaign id); the latest if several. A
    lapsed lock is no longer one, as for the campaigns' figures (figures.live_processings)."""
    rows = (
        Processing.objects.filter(
            domain_id=domain_id,
            agent_id__in=agent_ids,
            ended_at=None,
            ticket__locked_by=F("agent"),
            ticket__locked_until__gte=now,
        )
        .order_by("started_at")
        .values_list("agent_id", "ticket__number", "campaign_id")
    )
    return {agent: (number, campaign) for agent, number, campaign in rows if number is not None}


@dataclass
class Today:
    processings: int = 0
    handled: int = 0
    handled_seconds: float = 0.0

    @property
    def average(self) -> float | None:
        return self.handled_seconds / self.handled if self.handled else None


def processings_today(
    domain_id: int, campaign_ids: list[int], agent_ids: list[int], day: Day
) -> dict[int, Today]:
    """Per agent, the processings of the campaigns that ended today and their handling time."""
    rows = Processing.objects.filter(
        domain_id=domain_id,
        campaign_id__in=campaign_ids,
        agent_id__in=agent_ids,
        ended_at__gte=day.start,
        ended_at__lt=day.end,
    ).values_list("agent_id", "started_at", "ended_at", "end_reason")
    found: dict[int, Today] = defaultdict(Today)
    for agent, started, ended, reason in rows:
        today = found[agent]
        today.processings += 1
        if reason in HANDLED and ended is not None:  # always: filtered on the day
            today.handled += 1
            today.handled_seconds += max(0.0, (ended - started).total_seconds())
    return found


def compute(campaigns: list[Campaign], domain_id: int, now: datetime, day: Day) -> list[AgentRow]:
    campaign_ids = [c.pk for c in campaigns]
    names = {c.pk: c.name for c in Campaign.objects.filter(domain_id=domain_id)}
    agents = board_agents(campaign_ids, domain_id)
    ids = sorted(agents)
    presences = states.current_states(ids, now=now)
    paused = states.pause_time(ids, day.start, day.end, now=now)
    live = live_processings(domain_id, ids, now)
    done = processings_today(domain_id, campaign_ids, ids, day)
    rows = []
    for agent_id in ids:
        presence, today = presences[agent_id], done.get(agent_id, Today())
        number, campaign_id = live.get(agent_id, (None, presence.campaign_id))
        shown_campaign = campaign_id if presence.state != AgentState.OFFLINE else None
        rows.append(
            AgentRow(
                agent_id=agent_id,
                name=agents[agent_id],
                state=presence.state,
                since=presence.since,
                seconds_in_state=presence.seconds(now),
                pause_reason=presence.pause_reason_label,
                forced=presence.forced,
                ticket_number=number,
                campaign_name=names.get(shown_campaign, "") if shown_campaign else "",
                processings_today=today.processings,
                average_handling_seconds=today.average,
                pause_seconds_today=paused.get(agent_id, 0.0),
            )
        )
    return sorted(rows, key=lambda row: (row.name.lower(), row.agent_id))


def agent_board(user: User, *, now: datetime, only: Campaign | None = None) -> list[AgentRow]:
    """The agents of the campaigns on the user's board (or of `only`, one of them), by name.
    Kept FRESH_SECONDS per set of campaigns: supervisors who see the same share them."""
    campaigns = supervised(user)
    if only is not None:
        campaigns = [c for c in campaigns if c.pk == only.pk]
    if not campaigns:
        return []
    key = ("agents", user.domain_id, tuple(c.pk for c in campaigns))
    kept = _fresh.get(key, now)
    if isinstance(kept, list):
        return kept
    rows = compute(campaigns, user.domain_id, now, local_day(now, user.domain.time_zone))
    _fresh.put(key, now, rows)
    return rows
