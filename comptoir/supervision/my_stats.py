"""An agent's own figures ("Mes statistiques"): their processings and average handling time
today and this week, their pause time and occupation today.

The same definitions as the supervisors' reports (supervision.reports): a processing
belongs to the period in which it ended; handling time is measured on those the agent ended
(qualified or paused), from the claim to the end; occupation is the time in processing over
the time in play, from supervision.states.time_in_states. Only the agent's own rows: no
right beyond being an agent is needed.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from comptoir.distribution.models import EndReason, Processing
from comptoir.supervision.models import AgentState
from comptoir.supervision.periods import days_bounds
from comptoir.supervision.reports.activity import occupation
from comptoir.supervision.reports.stats import summarise
from comptoir.supervision.states import time_in_states
from comptoir.tenancy.models import User


@dataclass(frozen=True)
class PeriodStats:
    start: datetime
    end: datetime
    processings: int  # every processing the agent's that ended in the period
    handled: int  # of which ended by the agent (qualified or paused)
    average_seconds: float | None  # handling time, over the handled ones


@dataclass(frozen=True)
class MyStats:
    today: PeriodStats
    week: PeriodStats
    pause_seconds: float  # today
    processing_seconds: float  # today
    available_seconds: float  # today
    occupation: float | None  # today, from 0 to 1; None before any time in play


def period_stats(agent: User, start: datetime, end: datetime) -> PeriodStats:
    ended = Processing.objects.filter(
        domain_id=agent.domain_id, agent_id=agent.pk, ended_at__gte=start, ended_at__lt=end
    )
    handled = ended.filter(end_reason__in=[EndReason.QUALIFIED, EndReason.RELEASED])
    seconds = [
        max(0.0, (stop - begin).total_seconds())
        for begin, stop in handled.values_list("started_at", "ended_at")
        if stop is not None
    ]
    summary = summarise(seconds)
    return PeriodStats(start, end, ended.count(), summary.count, summary.average)


def my_stats(agent: User, *, now: datetime) -> MyStats:
    zone = ZoneInfo(agent.domain.time_zone)
    today = now.astimezone(zone).date()
    monday = today - timedelta(days=today.weekday())
    day_start, day_end = days_bounds(today, today, zone)
    week_start, week_end = days_bounds(monday, monday + timedelta(days=6), zone)
    times = time_in_states([agent.pk], day_start, day_end, now=now)[agent.pk]
    (busy,) = occupation({agent.pk: times})
    return MyStats(
        today=period_stats(agent, day_start, day_end),
        week=period_stats(agent, week_start, week_end),
        pause_seconds=times.get(AgentState.PAUSED, 0.0),
        processing_seconds=busy.processing_seconds,
        available_seconds=busy.available_seconds,
        occupation=busy.rate,
    )
