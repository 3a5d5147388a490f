"""How processings ended: outcomes by script version, attempts, reopen later, reopened.

A qualification records its script version and copies its outcome's code and label
(distribution.actions.qualify): the outcomes are grouped by version and code and shown with
the label that version had, so a code renamed between versions shows under each label.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, Max, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from comptoir.distribution.models import Processing
from comptoir.scripts.frozen import STANDARD_OUTCOMES
from comptoir.scripts.models import OutcomeKind
from comptoir.supervision.reports.buckets import (
    CountPoint,
    bucket_keys,
    count_points,
    grouped,
    start_of,
)
from comptoir.supervision.reports.query import ReportQuery, scope
from comptoir.supervision.reports.rows import closings, qualified
from comptoir.tenancy.models import User
from comptoir.tickets.models import EventKind, TicketEvent, TicketStatus


@dataclass(frozen=True)
class OutcomeRow:
    script: str  # the script's name ("" for the standard outcomes, without a script)
    version: int | None  # the script version's number; None: the standard outcomes
    code: str
    label: str  # as that version named it
    kind: str  # OutcomeKind
    count: int
    share: float  # of the qualifications with this version, from 0 to 1


@dataclass(frozen=True)
class AttemptsRow:
    attempts: int
    tickets: int


@dataclass(frozen=True)
class ReopenLaterPoint:
    start: datetime
    scheduled: int  # "reopen later" qualifications made in the bucket
    due: int  # of all of them, those whose reopening date falls in the bucket


def standard_label(code: str, stored: str) -> str:
    """Standard outcomes were copied in their qualifier's language: shown in the reader's."""
    return next((str(label) for known, label, _kind in STANDARD_OUTCOMES if known == code), stored)


def outcomes_by_script_version(
    user: User, query: ReportQuery, *, now: datetime
) -> list[OutcomeRow]:
    """Qualifications that ended in the period, by script version and outcome, with each
    outcome's share of its version's qualifications; newest versions first, then by count."""
    where = scope(user, query)
    rows = list(
        qualified(where, query)
        .values(
            "script_version_id",
            "script_version__number",
            "script_version__script__name",
            "outcome_code",
        )
        .annotate(count=Count("id"), label=Max("outcome_label"), kind=Max("outcome_kind"))
        .order_by()
    )
    totals: dict[int | None, int] = {}
    for row in rows:
        totals[row["script_version_id"]] = totals.get(row["script_version_id"], 0) + row["count"]
    result = [outcome_row(row, totals[row["script_version_id"]]) for row in rows]
    newest_first = sorted(result, key=lambda r: (r.script, -(r.version or 0), -r.count, r.code))
    return newest_first


def outcome_row(row: Mapping[str, Any], total: int) -> OutcomeRow:
    version = row["script_version__number"]
    label, count, code = str(row["label"]), int(row["count"]), str(row["outcome_code"])
    return OutcomeRow(
        script=str(row["script_version__script__name"] or ""),
        version=version,
        code=code,
        label=label if version is not None else standard_label(code, label),
        kind=str(row["kind"]),
        count=count,
        share=count / total,
    )


def attempts_distribution(user: User, query: ReportQuery, *, now: datetime) -> list[AttemptsRow]:
    """For each closing in the period: how many attempts the ticket took, that is the
    counted attempts that ended before it (not finished, reopen later, waiting for the
    customer, a reply then a pause) plus the closing one; how many closings per number."""
    where = scope(user, query)
    earlier = (
        Processing.objects.filter(
            ticket_id=OuterRef("ticket_id"),
            counted_attempt=True,
            ended_at__lte=OuterRef("ended_at"),
        )
        .order_by()
        .values("ticket_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    rows = (
        closings(where, query)
        .annotate(attempts=Coalesce(Subquery(earlier), Value(0)) + 1)
        .values("attempts")
        .annotate(tickets=Count("id"))
        .order_by("attempts")
    )
    return [AttemptsRow(row["attempts"], row["tickets"]) for row in rows]


def reopen_later(user: User, query: ReportQuery, *, now: datetime) -> list[ReopenLaterPoint]:
    """ "Reopen later" qualifications: made in each bucket (by their time), and due in each
    bucket (by the reopening date they set, made whenever)."""
    where = scope(user, query)
    scheduled = grouped(
        qualified(where, query).filter(outcome_kind=OutcomeKind.REOPEN_LATER),
        "ended_at",
        query,
        count=Count("id"),
    )
    due_rows = Processing.objects.filter(
        domain_id=where.domain_id,
        campaign_id__in=where.campaign_ids,
        outcome_kind=OutcomeKind.REOPEN_LATER,
        reopen_at__gte=query.start,
        reopen_at__lt=query.end,
    )
    if where.agent_ids is not None:
        due_rows = due_rows.filter(agent_id__in=where.agent_ids)
    due = grouped(due_rows, "reopen_at", query, count=Count("id"))
    return [
        ReopenLaterPoint(
            start_of(key, query),
            scheduled.get(key, {}).get("count", 0),
            due.get(key, {}).get("count", 0),
        )
        for key in bucket_keys(query)
    ]


def reopened_after_final(user: User, query: ReportQuery, *, now: datetime) -> list[CountPoint]:
    """Tickets reopened in each bucket after a final outcome: a customer's message on a
    closed ticket (tickets.actions.wake records `ticket_reopened`, previous "closed").
    A campaign's number: the agent and team filters do not apply."""
    where = scope(user, query)
    events = TicketEvent.objects.filter(
        Q(data__previous=TicketStatus.CLOSED),
        domain_id=where.domain_id,
        kind=EventKind.TICKET_REOPENED,
        created_at__gte=query.start,
        created_at__lt=query.end,
        ticket__campaign_id__in=where.campaign_ids,
    )
    return count_points(grouped(events, "created_at", query, count=Count("id")), query)
