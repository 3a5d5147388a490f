"""Occupation from given state times, and processings whose lock lapsed or was unlocked:
counted as processings, left out of the handling time (their end says nothing of the work)."""

from datetime import date, timedelta

import pytest

from comptoir.distribution.steering import unlock
from comptoir.supervision.reports.activity import (
    Occupation,
    handling_time,
    occupation,
    processings_by_agent,
)
from comptoir.supervision.reports.stats import Summary
from tests.conftest import Acme
from tests.supervision.reports.conftest import Clock, Month, agent_of, claims, paris, writes


def test_occupation_is_processing_over_processing_and_available() -> None:
    times = {
        7: {"processing": 3600.0, "available": 1200.0, "paused": 1800.0, "offline": 9000.0},
        3: {"processing": 0.0, "available": 600.0},
        5: {"paused": 600.0},  # never in play
        9: {"processing": 60.0},
    }
    assert occupation(times) == [
        Occupation(3, 0.0, 600.0, 0.0),
        Occupation(5, 0.0, 0.0, None),
        Occupation(7, 3600.0, 1200.0, 0.75),
        Occupation(9, 60.0, 0.0, 1.0),
    ]


def test_no_agents_no_occupation() -> None:
    assert occupation({}) == []


@pytest.fixture
def lapsed(acme: Acme, clock: Clock, settings) -> Acme:  # type: ignore[no-untyped-def]
    """Alice's lock lapses and Bob takes the ticket; then Sam unlocks Bob's processing."""
    settings.COMPTOIR_LOCK_SECONDS = 300
    bob = agent_of(acme, "bob")
    writes(clock, paris(3, 9), "anne@client.test")
    claims(clock, paris(3, 9, 1), acme.agent, acme.support)
    claims(clock, paris(3, 9, 30), bob, acme.support)  # alice's processing expires here
    clock.at(paris(3, 9, 40))
    unlock(bob.processings.get().ticket, by=acme.supervisor, now=clock.now)
    return acme


def test_lapsed_and_unlocked_processings_count_apart(lapsed: Acme) -> None:
    query = Month(lapsed).query(date(2025, 3, 3), date(2025, 3, 3))
    rows = processings_by_agent(lapsed.supervisor, query, now=paris(4, 0))
    counts = {r.agent.name: (r.processings, r.qualified, r.released, r.lapsed) for r in rows}
    assert counts == {"alice": (1, 0, 0, 1), "bob": (1, 0, 0, 1)}
    figure = handling_time(lapsed.supervisor, query, now=paris(4, 0))
    assert (figure.overall, figure.agents) == (Summary(0, None, None), [])


def test_a_processing_belongs_to_the_day_it_ended(acme: Acme, clock: Clock, settings) -> None:  # type: ignore[no-untyped-def]
    from comptoir.distribution.actions import qualify

    settings.COMPTOIR_LOCK_SECONDS = 3600
    writes(clock, paris(3, 23), "anne@client.test", to="orders@acme.test")
    processing = claims(clock, paris(3, 23, 50), acme.agent, acme.orders)
    qualify(processing, outcome="done", answers={}, now=clock.at(paris(4, 0, 10)))
    monday = Month(acme).query(date(2025, 3, 3), date(2025, 3, 3))
    tuesday = Month(acme).query(date(2025, 3, 4), date(2025, 3, 4))
    assert processings_by_agent(acme.supervisor, monday, now=clock.now) == []
    [row] = processings_by_agent(acme.supervisor, tuesday, now=clock.now)
    assert (row.processings, row.closings) == (1, 1)
    figure = handling_time(acme.supervisor, tuesday, now=clock.now)
    assert figure.overall == Summary(1, 1200.0, 1200.0)
    assert figure.overall.average == timedelta(minutes=20).total_seconds()
