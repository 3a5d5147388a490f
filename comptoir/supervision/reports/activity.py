"""What agents did: handling time per processing, processings per agent, occupation.

A processing belongs to the period in which it ended. Handling time (durée moyenne de
traitement) is measured on the processings the agent ended (qualified or paused), on the
clock: from the claim to the end. Occupation needs the time agents spent in each state,
which supervision.states records: `occupation` takes those times as given, so it is
computed (and tested) apart from how they are read.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q

from comptoir.distribution.models import EndReason
from comptoir.scripts.models import OutcomeKind
from comptoir.supervision.reports.buckets import bucket_keys, bucket_of, key_of, start_of
from comptoir.supervision.reports.query import ReportQuery, scope
from comptoir.supervision.reports.rows import ended, handled
from comptoir.supervision.reports.stats import Summary, SummaryPoint, by_key, summarise
from comptoir.tenancy.models import User

# supervision.models.AgentState's values (supervision.states records the spans).
PROCESSING, AVAILABLE = "processing", "available"


@dataclass(frozen=True)
class AgentRef:
    agent_id: int
    name: str  # the display name, else the login


@dataclass(frozen=True)
class AgentSummary:
    agent: AgentRef
    summary: Summary


@dataclass(frozen=True)
class HandlingTime:
    overall: Summary  # seconds per processing
    buckets: list[SummaryPoint]
    agents: list[AgentSummary]  # by name


@dataclass(frozen=True)
class AgentProcessings:
    agent: AgentRef
    processings: int  # every processing that ended in the period
    qualified: int
    released: int  # paused by the agent (or their idle console)
    lapsed: int  # the lock expired, or a supervisor unlocked it
    attempts: int  # counted attempts (not finished, reopen later, waiting for the customer…)
    closings: int  # qualified with a final outcome


@dataclass(frozen=True)
class Occupation:
    agent_id: int
    processing_seconds: float
    available_seconds: float
    rate: float | None  # processing / (processing + available); None when both are 0


def agent_refs(agent_ids: set[int]) -> dict[int, AgentRef]:
    users = User.objects.filter(pk__in=agent_ids).values_list("id", "display_name", "login")
    return {pk: AgentRef(pk, shown or login) for pk, shown, login in users}


def handling_time(user: User, query: ReportQuery, *, now: datetime) -> HandlingTime:
    """Seconds from claim to end of the processings agents ended in the period: average
    and median over the period, per bucket (of their end) and per agent."""
    where = scope(user, query)
    rows = (
        handled(where, query)
        .annotate(bucket=bucket_of("ended_at", query))
        .values_list("agent_id", "started_at", "ended_at", "bucket")
    )
    seconds = [
        (agent, key_of(bucket), max(0.0, (end - start).total_seconds()))
        for agent, start, end, bucket in rows
        if end is not None  # always: filtered on the period
    ]
    per_bucket = by_key((key, value) for _agent, key, value in seconds)
    per_agent = by_key((agent, value) for agent, _key, value in seconds)
    refs = agent_refs(set(per_agent))
    return HandlingTime(
        summarise([value for _agent, _key, value in seconds]),
        [
            SummaryPoint(start_of(key, query), summarise(per_bucket.get(key, [])))
            for key in bucket_keys(query)
        ],
        sorted(
            (AgentSummary(refs[agent], summarise(values)) for agent, values in per_agent.items()),
            key=lambda row: (row.agent.name.lower(), row.agent.agent_id),
        ),
    )


def processings_by_agent(
    user: User, query: ReportQuery, *, now: datetime
) -> list[AgentProcessings]:
    """Per agent who ended at least one processing in the period: how many, by how they
    ended. One GROUP BY agent."""
    where = scope(user, query)
    lapsed = [EndReason.EXPIRED, EndReason.UNLOCKED]
    rows = (
        ended(where, query)
        .values("agent_id")
        .annotate(
            processings=Count("id"),
            qualified=Count("id", filter=Q(end_reason=EndReason.QUALIFIED)),
            released=Count("id", filter=Q(end_reason=EndReason.RELEASED)),
            lapsed=Count("id", filter=Q(end_reason__in=lapsed)),
            attempts=Count("id", filter=Q(counted_attempt=True)),
            closings=Count("id", filter=Q(outcome_kind=OutcomeKind.FINAL)),
        )
        .order_by()
    )
    found = list(rows)
    refs = agent_refs({row["agent_id"] for row in found})
    result = [
        AgentProcessings(
            refs[row["agent_id"]],
            row["processings"],
            row["qualified"],
            row["released"],
            row["lapsed"],
            row["attempts"],
            row["closings"],
        )
        for row in found
    ]
    return sorted(result, key=lambda row: (row.agent.name.lower(), row.agent.agent_id))


def report_agents(user: User, query: ReportQuery) -> list[AgentRef]:
    """The agents a report is about: those of its agent and team filters, else the members
    of the agent teams of its campaigns. Their ids are what supervision.states'
    time_in_states is asked for, to compute their occupation."""
    where = scope(user, query)
    agents = User.objects.filter(domain_id=where.domain_id)
    if where.agent_ids is not None:
        agents = agents.filter(pk__in=where.agent_ids)
    else:
        agents = agents.filter(teams__agent_campaigns__in=where.campaign_ids).distinct()
    refs = agent_refs(set(agents.values_list("id", flat=True)))
    return sorted(refs.values(), key=lambda ref: (ref.name.lower(), ref.agent_id))


def occupation(state_times: Mapping[int, Mapping[str, float]]) -> list[Occupation]:
    """Occupation per agent: the time in processing over the time in play (processing or
    available), from each agent's seconds per state (supervision.states.time_in_states).
    Paused and offline time count in neither."""
    result = []
    for agent_id, times in sorted(state_times.items()):
        busy, idle = float(times.get(PROCESSING, 0.0)), float(times.get(AVAILABLE, 0.0))
        rate = busy / (busy + idle) if busy + idle > 0 else None
        result.append(Occupation(agent_id, busy, idle, rate))
    return result
