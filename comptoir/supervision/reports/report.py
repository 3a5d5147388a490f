"""Every figure of a report at once, for the Reports page, its API and the scheduled mail.

One call of each figure's function (volumes, response, activity, outcomes, backlog) on one
checked query; occupation from the time agents spent in each state (supervision.states.
time_in_states) through activity.occupation. The UI, the API and the mail show this one
object, so they cannot disagree.
"""

from dataclasses import dataclass
from datetime import datetime

from comptoir.supervision.reports.activity import (
    AgentProcessings,
    AgentRef,
    HandlingTime,
    Occupation,
    handling_time,
    occupation,
    processings_by_agent,
    report_agents,
)
from comptoir.supervision.reports.backlog import BacklogPoint, backlog
from comptoir.supervision.reports.buckets import CountPoint
from comptoir.supervision.reports.outcomes import (
    AttemptsRow,
    OutcomeRow,
    ReopenLaterPoint,
    attempts_distribution,
    outcomes_by_script_version,
    reopen_later,
    reopened_after_final,
)
from comptoir.supervision.reports.query import ReportQuery, scope
from comptoir.supervision.reports.response import (
    DurationFigure,
    first_response_time,
    resolution_time,
)
from comptoir.supervision.reports.volumes import (
    MessagePoint,
    ReceivedPoint,
    messages,
    tickets_closed,
    tickets_received,
)
from comptoir.supervision.states import time_in_states
from comptoir.tenancy.models import User
from comptoir.tickets.access import supervised_campaigns


@dataclass(frozen=True)
class Report:
    query: ReportQuery
    received: list[ReceivedPoint]
    messages: list[MessagePoint]
    closed: list[CountPoint]
    first_response: DurationFigure
    resolution: DurationFigure
    handling: HandlingTime
    processings: list[AgentProcessings]
    agents: list[AgentRef]  # the agents the report is about (occupation is theirs)
    occupation: list[Occupation]
    outcomes: list[OutcomeRow]
    attempts: list[AttemptsRow]
    reopen_later: list[ReopenLaterPoint]
    reopened: list[CountPoint]
    backlog: list[BacklogPoint]


def may_see_reports(user: User) -> bool:
    """Who reaches the reports: users with the right to supervise (a supervisor whose teams
    supervise nothing sees empty reports) and whoever supervises a campaign; never agents."""
    return user.is_active and (user.can_supervise or supervised_campaigns(user).exists())


def full_report(user: User, query: ReportQuery, *, now: datetime) -> Report:
    """Every figure for the query. PermissionDenied, ValidationError or DoesNotExist as
    `query.scope` raises them (checked once, before any figure)."""
    scope(user, query)
    agents = report_agents(user, query)
    times = time_in_states([a.agent_id for a in agents], query.start, query.end, now=now)
    return Report(
        query=query,
        received=tickets_received(user, query, now=now),
        messages=messages(user, query, now=now),
        closed=tickets_closed(user, query, now=now),
        first_response=first_response_time(user, query, now=now),
        resolution=resolution_time(user, query, now=now),
        handling=handling_time(user, query, now=now),
        processings=processings_by_agent(user, query, now=now),
        agents=agents,
        occupation=occupation(times),
        outcomes=outcomes_by_script_version(user, query, now=now),
        attempts=attempts_distribution(user, query, now=now),
        reopen_later=reopen_later(user, query, now=now),
        reopened=reopened_after_final(user, query, now=now),
        backlog=backlog(user, query, now=now),
    )
