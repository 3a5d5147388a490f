"""GET /api/v1/supervision/reports: the figures of supervision.reports.report, the same
numbers as the core's functions (and so as the Reports page), its parameters and rights."""

import json
from dataclasses import asdict
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from comptoir.supervision.periods import days_bounds
from comptoir.supervision.reports.activity import handling_time, processings_by_agent
from comptoir.supervision.reports.outcomes import outcomes_by_script_version
from comptoir.supervision.reports.query import ReportQuery, Step
from comptoir.supervision.reports.report import full_report
from comptoir.supervision.reports.volumes import tickets_closed
from comptoir.tenancy.models import User
from tests.api.conftest import Api
from tests.api.test_supervision_processings import token
from tests.supervision.conftest import MONDAY, World, make_world, processed

URL = "/api/v1/supervision/reports"
MONDAY_PARAMS = "start=2026-11-02&end=2026-11-02&step=hour"


@pytest.fixture
def sup(db: None) -> World:
    made = make_world()
    acme = made.acme
    processed(acme, acme.support, MONDAY, 95, outcome="resolu")
    processed(acme, acme.support, MONDAY + timedelta(hours=1), 185, outcome="rappel",
              reopen_at=MONDAY + timedelta(days=1))  # fmt: skip
    processed(acme, acme.orders, MONDAY + timedelta(hours=2), 30, outcome="done")
    return made


def fetch(api: Api, user: User, query: str) -> Any:
    key = token(user)
    return api.client.get(f"{URL}?{query}", headers={"Authorization": f"Bearer {key}"})


def monday(sup: World, **filters: Any) -> ReportQuery:
    zone = ZoneInfo(sup.acme.domain.time_zone)
    start, end = days_bounds(date(2026, 11, 2), date(2026, 11, 2), zone)
    return ReportQuery(sup.acme.domain, start, end, step=Step.HOUR, **filters)


def plain(value: Any) -> Any:
    """A core value as JSON reads it back."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def test_the_numbers_are_the_core_functions(sup: World, api: Api) -> None:
    answer = fetch(api, sup.sam, MONDAY_PARAMS)
    assert answer.status_code == 200, answer.content
    body = answer.json()
    query, now = monday(sup), timezone.now()
    closed = [asdict(p) for p in tickets_closed(sup.sam, query, now=now)]
    assert body["closed"] == plain(closed)
    assert body["handling"] == plain(asdict(handling_time(sup.sam, query, now=now)))
    agents = [asdict(p) for p in processings_by_agent(sup.sam, query, now=now)]
    assert body["processings"] == plain(agents)
    outcomes = [asdict(o) for o in outcomes_by_script_version(sup.sam, query, now=now)]
    assert body["outcomes"] == plain(outcomes)
    assert body["handling"]["overall"] == {"count": 3, "average": 310 / 3, "median": 95.0}
    assert body["period"] == {"start": "2026-11-02T00:00:00+01:00",
                              "end": "2026-11-03T00:00:00+01:00", "step": "hour"}  # fmt: skip
    assert len(body["received"]) == 24


def test_filters_by_slug_and_rights(sup: World, api: Api) -> None:
    support = sup.acme.support
    answer = fetch(api, sup.sue, f"{MONDAY_PARAMS}&campaign={support.slug}").json()
    report = full_report(sup.sue, monday(sup, campaign_ids=[support.pk]), now=timezone.now())
    assert answer["processings"][0]["processings"] == 2
    assert answer["backlog"] == plain([b.__dict__ for b in report.backlog])
    assert (
        fetch(api, sup.sue, f"{MONDAY_PARAMS}&campaign={sup.acme.orders.slug}").status_code == 404
    )
    assert fetch(api, sup.sue, f"{MONDAY_PARAMS}&campaign=nowhere").status_code == 404
    assert fetch(api, sup.acme.agent, MONDAY_PARAMS).status_code == 403
    assert fetch(api, sup.ada, "period=yesterday").status_code == 200


def test_parameters_are_refused_by_name(sup: World, api: Api) -> None:
    answer = fetch(api, sup.sam, "start=2026-11-02")
    assert answer.status_code == 400 and "end" in answer.json()["fields"]
    assert "step" in fetch(api, sup.sam, "step=minute").json()["fields"]
    assert "period" in fetch(api, sup.sam, "period=custom").json()["fields"]
    long = fetch(api, sup.sam, "start=2026-01-01&end=2026-03-01&step=hour")
    assert long.status_code == 400 and "step" in long.json()["fields"]
