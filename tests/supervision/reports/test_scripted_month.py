"""Every figure of the reports over the scripted March (scripted_month.py), compared with
numbers computed by hand from its timeline. Durations are in seconds; "business" counts
only support's 09:00-12:00 and 14:00-18:00 on open weekdays, orders' every hour but the
domain's holiday."""

from datetime import date

import pytest
from django.utils import translation

from comptoir.supervision.reports.activity import (
    AgentRef,
    handling_time,
    processings_by_agent,
    report_agents,
)
from comptoir.supervision.reports.backlog import backlog
from comptoir.supervision.reports.outcomes import (
    attempts_distribution,
    outcomes_by_script_version,
    reopen_later,
    reopened_after_final,
)
from comptoir.supervision.reports.query import Step
from comptoir.supervision.reports.response import first_response_time, resolution_time
from comptoir.supervision.reports.stats import Summary
from comptoir.supervision.reports.volumes import messages, tickets_closed, tickets_received
from tests.conftest import Acme
from tests.supervision.reports.conftest import Clock, Month, paris
from tests.supervision.reports.scripted_month import World, scripted_month

NOW = paris(12, 12)  # Wednesday 12 March, noon: the month is not over
HOUR, MINUTE = 3600, 60


@pytest.fixture
def world(acme: Acme, clock: Clock, settings) -> World:  # type: ignore[no-untyped-def]
    # Locks outlast every processing of the script (no heartbeats are sent).
    settings.COMPTOIR_LOCK_SECONDS = 4 * HOUR
    made = scripted_month(acme, clock)
    clock.at(NOW)
    return made


def by_day(points: list, attribute: str = "count") -> dict[int, object]:  # type: ignore[type-arg]
    """The non-zero values of a day-bucketed series, by day of March."""
    values = {p.start.day: getattr(p, attribute) for p in points}
    return {day: value for day, value in values.items() if value}


def test_every_day_of_the_month_is_a_bucket_starting_at_local_midnight(world: World) -> None:
    points = tickets_received(world.acme.supervisor, Month(world.acme).query(), now=NOW)
    assert [p.start for p in points] == [paris(day, 0) for day in range(1, 32)]
    # 30 March is 23 hours long: the next bucket still starts at midnight, Paris time.
    assert points[30].start.utcoffset() != points[28].start.utcoffset()


def test_tickets_received(world: World) -> None:
    points = tickets_received(world.acme.supervisor, Month(world.acme).query(), now=NOW)
    assert by_day(points, "tickets") == {3: 2, 4: 1, 5: 1, 7: 1}
    assert sum(p.automatic for p in points) == 0


def test_messages_in_and_out_with_acknowledgements_apart(world: World) -> None:
    points = messages(world.acme.supervisor, Month(world.acme).query(), now=NOW)
    assert by_day(points, "inbound") == {3: 2, 4: 2, 5: 1, 6: 1, 7: 1}
    assert by_day(points, "replies") == {3: 1, 4: 2, 6: 2, 10: 1}
    # Orders acknowledged T5; acknowledgements are not replies.
    assert by_day(points, "acknowledgements") == {4: 1}
    assert sum(p.inbound_automatic for p in points) == 0


def test_replies_follow_the_agent_filter_and_the_rest_does_not(world: World) -> None:
    query = Month(world.acme).query(agent_ids=[world.bob.pk])
    points = messages(world.acme.supervisor, query, now=NOW)
    assert by_day(points, "replies") == {4: 1}
    assert by_day(points, "inbound") == {3: 2, 4: 2, 5: 1, 6: 1, 7: 1}


def test_tickets_closed_by_day_agent_and_campaign(world: World) -> None:
    month = Month(world.acme)
    sam = world.acme.supervisor
    assert by_day(tickets_closed(sam, month.query(), now=NOW)) == {3: 1, 4: 1, 7: 1, 10: 1, 11: 1}
    alice = month.query(agent_ids=[world.alice.pk])
    assert by_day(tickets_closed(sam, alice, now=NOW)) == {3: 1, 7: 1, 11: 1}
    orders = month.query(campaign_ids=[world.acme.orders.pk])
    assert by_day(tickets_closed(sam, orders, now=NOW)) == {10: 1}


def test_first_response_time_in_business_hours(world: World) -> None:
    figure = first_response_time(world.acme.supervisor, Month(world.acme).query(), now=NOW)
    # T1 30 min; T2 Mon 19:00 -> Tue 09:10: 10 min; T5 (orders) Tue 22:00 -> Thu 01:00 with
    # Wednesday off: 3 h; T3 Wed (holiday) 10:00 -> Thu 09:30: 30 min; T4 Fri 17:00 -> Mon
    # 10 11:00, a holiday of support: 1 h.
    business = [30 * MINUTE, 10 * MINUTE, 3 * HOUR, 30 * MINUTE, HOUR]
    elapsed = [30 * MINUTE, 14 * HOUR + 10 * MINUTE, 27 * HOUR, 23.5 * HOUR, 66 * HOUR]
    assert figure.business == Summary(5, sum(business) / 5, 30 * MINUTE)
    assert figure.elapsed == Summary(5, sum(elapsed) / 5, 23.5 * HOUR)
    thursday = figure.buckets[5]
    assert thursday.start == paris(6, 0)
    assert thursday.business == Summary(2, 105 * MINUTE, 105 * MINUTE)
    assert [p.business.count for p in figure.buckets if p.business.count] == [1, 1, 2, 1]


def test_resolution_time_counts_each_closing_from_creation(world: World) -> None:
    figure = resolution_time(world.acme.supervisor, Month(world.acme).query(), now=NOW)
    # P1 T1 40 min; P3 T1 again: Mon 10:00-18:00 (6 h) + Tue 20 min; P7 T2: Tue 7 h + Thu
    # 7 h + Fri 20 min; P8 T5 (orders): Tue 2 h + Thu..Sun 96 h + Mon 11.5 h; P9 T3: Thu
    # 7 h + Fri 7 h + Tue 10 min (Wed and Mon 10 are holidays of support).
    business = [40 * MINUTE, 6 * HOUR + 20 * MINUTE, 14 * HOUR + 20 * MINUTE]
    business += [109.5 * HOUR, 14 * HOUR + 10 * MINUTE]
    assert figure.business == Summary(5, sum(business) / 5, 14 * HOUR + 10 * MINUTE)
    days = [40 * MINUTE, 23 * HOUR + 20 * MINUTE, 3 * 24 * HOUR + 14 * HOUR + 20 * MINUTE]
    days += [5 * 24 * HOUR + 13.5 * HOUR, 5 * 24 * HOUR + 23 * HOUR + 10 * MINUTE]
    assert figure.elapsed == Summary(5, sum(days) / 5, days[2])
    query = Month(world.acme).query(agent_ids=[world.alice.pk])
    alice = resolution_time(world.acme.supervisor, query, now=NOW)
    mine = [40 * MINUTE, 14 * HOUR + 20 * MINUTE, 14 * HOUR + 10 * MINUTE]
    assert alice.business == Summary(3, sum(mine) / 3, 14 * HOUR + 10 * MINUTE)


def test_handling_time_per_processing_overall_and_by_agent(world: World) -> None:
    figure = handling_time(world.acme.supervisor, Month(world.acme).query(), now=NOW)
    alice = [20, 30, 45, 20, 10, 10]  # P1 P2 P4 P7 P9 P10, minutes
    bob = [15, 10, 30, 30]  # P3, P5 (paused), P6, P8
    assert figure.overall == Summary(10, (sum(alice) + sum(bob)) * 6, 20 * MINUTE)
    [a, b] = figure.agents
    assert a.agent == AgentRef(world.alice.pk, "alice")
    assert a.summary == Summary(6, sum(alice) * MINUTE / 6, 20 * MINUTE)
    assert b.summary == Summary(4, sum(bob) * MINUTE / 4, 22.5 * MINUTE)
    # Thursday: P4 45 min, P5 10 min, P6 30 min.
    assert by_day(figure.buckets, "summary")[6] == Summary(3, 85 * MINUTE / 3, 30 * MINUTE)


def test_processings_per_agent(world: World) -> None:
    rows = processings_by_agent(world.acme.supervisor, Month(world.acme).query(), now=NOW)
    counts = {
        r.agent.name: (r.processings, r.qualified, r.released, r.lapsed, r.attempts, r.closings)
        for r in rows
    }
    assert counts == {"alice": (6, 6, 0, 0, 3, 3), "bob": (4, 3, 1, 0, 1, 2)}


def test_outcomes_by_script_version_under_each_versions_label(world: World) -> None:
    with translation.override("en"):
        rows = outcomes_by_script_version(world.acme.supervisor, Month(world.acme).query(), now=NOW)
    found = [(r.script, r.version, r.code, r.label, r.count, r.share) for r in rows]
    assert found == [
        ("", None, "done", "Processed", 1, 1.0),
        ("Support", 2, "resolu", "Problème résolu", 2, 2 / 3),
        ("Support", 2, "rappel", "À rappeler", 1, 1 / 3),
        ("Support", 1, "resolu", "Résolu", 2, 0.4),
        ("Support", 1, "attente", "Attente client", 1, 0.2),
        ("Support", 1, "nonfini", "Non terminé", 1, 0.2),
        ("Support", 1, "rappel", "À rappeler", 1, 0.2),
    ]


def test_attempts_distribution_of_the_closings(world: World) -> None:
    rows = attempts_distribution(world.acme.supervisor, Month(world.acme).query(), now=NOW)
    # T1 twice in one attempt each, T5 once; T3 after a "reopen later"; T2 after waiting
    # for the customer and "not finished" (the pause with nothing done is no attempt).
    assert [(r.attempts, r.tickets) for r in rows] == [(1, 3), (2, 1), (3, 1)]


def test_reopen_later_made_and_due(world: World) -> None:
    points = reopen_later(world.acme.supervisor, Month(world.acme).query(), now=NOW)
    assert by_day(points, "scheduled") == {6: 1, 11: 1}
    assert by_day(points, "due") == {10: 1, 18: 1}


def test_reopened_after_a_final_outcome_only(world: World) -> None:
    points = reopened_after_final(world.acme.supervisor, Month(world.acme).query(), now=NOW)
    # T1 on Tuesday; T2's customer reopened a ticket that waited for them: not counted.
    assert by_day(points) == {4: 1}


def test_backlog_at_the_end_of_each_day(world: World) -> None:
    points = backlog(world.acme.supervisor, Month(world.acme).query(), now=NOW)
    assert [p.day for p in points] == [date(2025, 3, day) for day in range(1, 13)]
    assert [p.open_tickets for p in points] == [0, 0, 1, 2, 3, 3, 3, 3, 3, 2, 1, 1]
    assert points[2].at == paris(4, 0)
    assert points[-1].at == NOW  # today is not over


def test_backlog_of_a_period_starts_from_what_was_open_before_it(world: World) -> None:
    query = Month(world.acme).query(date(2025, 3, 4), date(2025, 3, 7))
    points = backlog(world.acme.supervisor, query, now=NOW)
    assert [(p.day.day, p.open_tickets) for p in points] == [(4, 2), (5, 3), (6, 3), (7, 3)]
    support = Month(world.acme).query(campaign_ids=[world.acme.support.pk])
    levels = [p.open_tickets for p in backlog(world.acme.supervisor, support, now=NOW)]
    assert levels == [0, 0, 1, 1, 2, 2, 2, 2, 2, 2, 1, 1]


def test_by_hour_on_one_day(world: World) -> None:
    query = Month(world.acme).query(date(2025, 3, 4), date(2025, 3, 4), step=Step.HOUR)
    points = messages(world.acme.supervisor, query, now=NOW)
    assert len(points) == 24
    hours = {p.start.hour: (p.inbound, p.replies) for p in points if p.inbound or p.replies}
    assert hours == {8: (1, 0), 9: (0, 2), 22: (1, 0)}
    closed = tickets_closed(world.acme.supervisor, query, now=NOW)
    assert [(p.start, p.count) for p in closed if p.count] == [(paris(4, 9), 1)]


def test_a_team_filter_is_its_members(world: World) -> None:
    from comptoir.tenancy.models import Team

    evening = Team.objects.create(domain=world.acme.domain, name="Soir")
    evening.members.add(world.bob)
    query = Month(world.acme).query(team_ids=[evening.pk])
    rows = processings_by_agent(world.acme.supervisor, query, now=NOW)
    assert [r.agent.name for r in rows] == ["bob"]
    assert report_agents(world.acme.supervisor, query) == [AgentRef(world.bob.pk, "bob")]
    both = Month(world.acme).query(team_ids=[evening.pk], agent_ids=[world.alice.pk])
    assert processings_by_agent(world.acme.supervisor, both, now=NOW) == []


def test_the_agents_of_a_report_are_its_campaigns_agents(world: World) -> None:
    agents = report_agents(world.acme.supervisor, Month(world.acme).query())
    assert [a.name for a in agents] == ["alice", "bob"]


def test_tina_sees_supports_figures_only(world: World) -> None:
    query = Month(world.acme).query()
    points = tickets_received(world.tina, query, now=NOW)
    assert by_day(points, "tickets") == {3: 2, 5: 1, 7: 1}
    assert by_day(tickets_closed(world.tina, query, now=NOW)) == {3: 1, 4: 1, 7: 1, 11: 1}
