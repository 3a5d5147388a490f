"""The processings several figures read, filtered the same way for all of them."""

from django.db.models import Q, QuerySet

from comptoir.distribution.models import EndReason, Processing
from comptoir.scripts.models import OutcomeKind
from comptoir.supervision.reports.query import ReportQuery, Scope


def by_agents(field: str, where: Scope) -> Q:
    """The agent filter on `field` (no condition without one)."""
    return Q() if where.agent_ids is None else Q(**{f"{field}__in": where.agent_ids})


def ended(where: Scope, query: ReportQuery) -> QuerySet[Processing]:
    """The processings of the campaigns (and agents) that ended in the period, whatever
    their end: a processing belongs to the period in which it ended."""
    return Processing.objects.filter(
        by_agents("agent_id", where),
        domain_id=where.domain_id,
        campaign_id__in=where.campaign_ids,
        ended_at__gte=query.start,
        ended_at__lt=query.end,
    )


def handled(where: Scope, query: ReportQuery) -> QuerySet[Processing]:
    """Those the agent ended (qualified, or paused): their end is when the agent stopped.
    A lock that expired or was unlocked ends when noticed, which says nothing of the work."""
    return ended(where, query).filter(end_reason__in=[EndReason.QUALIFIED, EndReason.RELEASED])


def qualified(where: Scope, query: ReportQuery) -> QuerySet[Processing]:
    return ended(where, query).filter(end_reason=EndReason.QUALIFIED)


def closings(where: Scope, query: ReportQuery) -> QuerySet[Processing]:
    """The qualifications with a final outcome (the only way a ticket is closed)."""
    return ended(where, query).filter(outcome_kind=OutcomeKind.FINAL)
