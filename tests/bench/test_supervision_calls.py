"""The supervision benchmark's harness (bench.supervision_calls, bench.supervision_worker) on
the small data set: what it measures, and that a missing function is "not available yet"."""

import inspect
from datetime import datetime

import pytest

from bench import supervision_calls as sc
from bench.supervision_worker import measure_one
from comptoir.campaigns.models import Campaign
from comptoir.tenancy.models import Team
from tests.bench.conftest import ANCHOR

pytestmark = pytest.mark.django_db


def test_the_stand_in_board_counts_the_supervisors_campaigns_only(built: object) -> None:
    context = sc.context(ANCHOR)
    mine = set(
        Campaign.objects.filter(
            supervision_teams__in=Team.objects.filter(members=context.supervisor)
        ).values_list("id", flat=True)
    )
    assert len(mine) == 4
    rows = sc.dummy_board(context.supervisor, now=ANCHOR)
    assert rows
    assert {row["campaign_id"] for row in rows} <= mine
    everyone = {row["campaign_id"] for row in sc.dummy_board(context.admin, now=ANCHOR)}
    assert len(everyone) > len(mine)


def test_a_measured_function_reports_its_times_and_slow_queries(built: object) -> None:
    call = next(c for c in sc.CALLS if c.name.startswith("dummy board"))
    result = measure_one(call, sc.context(ANCHOR), calls=3)
    assert result["status"] == "ok"
    assert 0 < result["ms"]["p50"] <= result["ms"]["p95"]
    assert result["queries_per_call"] >= 2


def test_a_missing_function_is_not_available_yet(built: object) -> None:
    call = sc.Call("missing", "comptoir.supervision.nowhere:board", lambda f, c: f())
    result = measure_one(call, sc.context(ANCHOR), calls=3)
    assert result["status"] == "not available yet"


def test_a_failing_function_fails(built: object) -> None:
    call = sc.Call("failing", "bench.supervision_calls:received_today", lambda f, c: f())
    assert measure_one(call, sc.context(ANCHOR), calls=3)["status"] == "FAILED"


def test_slow_reads_are_explained(built: object) -> None:
    plan = sc.explain(sc.Captured("SELECT count(*) FROM tickets_ticket", [], 25.0))
    assert plan
    assert sc.explain(sc.Captured("UPDATE tickets_ticket SET priority = 0", [], 25.0)) == [
        "(not a read: no EXPLAIN)"
    ]


def test_a_report_figure_is_recognised_by_its_signature() -> None:
    class ReportQuery:
        pass

    def figure(user: object, query: ReportQuery, *, now: datetime) -> int:
        return 0

    def helper(user: object, query: ReportQuery) -> int:
        return 0

    assert sc.is_figure(inspect.signature(figure))
    assert not sc.is_figure(inspect.signature(helper))
