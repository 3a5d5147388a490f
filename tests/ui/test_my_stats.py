""" "Mes statistiques": an agent's own processings and handling time today and this week,
their pause time and occupation today, from a scripted morning with known times."""

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from comptoir.distribution.actions import claim_next_ticket, qualify
from comptoir.supervision import states
from comptoir.supervision.my_stats import my_stats
from comptoir.supervision.pause_reasons import pause_reasons
from comptoir.tenancy.models import User
from tests.conftest import Acme
from tests.distribution.conftest import customer_writes
from tests.supervision.conftest import MONDAY, World, make_world

# Wednesday 4 November 2026, 09:00 in Paris: this week began on MONDAY.
WEDNESDAY = MONDAY + timedelta(days=2)
NOW = WEDNESDAY + timedelta(minutes=30)


def beats(agent: User, start: datetime, end: datetime) -> None:
    """The console's (or the pause page's) heartbeat every 30 s from `start` to `end`."""
    moment = start
    while moment <= end:
        states.beat(agent, now=moment)
        moment += timedelta(seconds=30)


def handled(acme: Acme, start: datetime, seconds: int) -> None:
    """A customer writes; alice plays at `start`, her console beating, and qualifies."""
    customer_writes(acme)
    processing = claim_next_ticket(acme.agent, acme.support, now=start).processing
    assert processing is not None
    beats(acme.agent, start, start + timedelta(seconds=seconds - 1))
    qualify(processing, outcome="resolu", answers={}, now=start + timedelta(seconds=seconds))


@pytest.fixture
def world(db: None, monkeypatch: pytest.MonkeyPatch) -> World:
    """Alice: one processing on Monday (60 s); on Wednesday she plays at 09:00, handles 95 s
    and 185 s (09:00 and 09:05), is available until 09:10, then paused until now (09:30)."""
    made = make_world()
    acme = made.acme
    # What the core reads as now (ingest settles agents gone quiet): the script's time.
    clock = [MONDAY]
    monkeypatch.setattr(timezone, "now", lambda: clock[0])
    handled(acme, MONDAY, 60)
    clock[0] = WEDNESDAY
    handled(acme, WEDNESDAY, 95)
    beats(acme.agent, WEDNESDAY + timedelta(seconds=95), WEDNESDAY + timedelta(minutes=5))
    clock[0] = WEDNESDAY + timedelta(minutes=5)
    handled(acme, clock[0], 185)
    beats(acme.agent, clock[0] + timedelta(seconds=185), WEDNESDAY + timedelta(minutes=10))
    reason = pause_reasons(acme.domain, active_only=True)[0]
    states.pause(acme.agent, reason=reason, now=WEDNESDAY + timedelta(minutes=10))
    beats(acme.agent, WEDNESDAY + timedelta(minutes=10), NOW)
    clock[0] = NOW
    return made


def test_the_figures_are_the_ones_counted_by_hand(world: World) -> None:
    stats = my_stats(world.acme.agent, now=NOW)
    assert (stats.today.processings, stats.today.average_seconds) == (2, 140.0)
    assert (stats.week.processings, stats.week.average_seconds) == (3, (60 + 95 + 185) / 3)
    assert stats.pause_seconds == 20 * 60
    # In play from 09:00 to 09:10: 280 s processing, 320 s available.
    assert stats.processing_seconds == 280 and stats.available_seconds == 320
    assert stats.occupation == pytest.approx(280 / 600)
    assert stats.today.start == datetime(2026, 11, 3, 23, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("fr", ["Mes statistiques", "2 min 20 s", "1 min 53 s", "20 min 00 s", "46,7 %"]),
        ("en", ["My statistics", "2 min 20 s", "1 min 53 s", "20 min 00 s", "46.7 %"]),
    ],
)
def test_the_page_shows_them_in_the_agents_language(
    world: World, language: str, words: list[str]
) -> None:
    agent = world.acme.agent
    agent.language = language
    agent.save(update_fields=["language"])
    client = Client(HTTP_HOST="acme.localhost")
    client.force_login(agent)
    page = client.get("/my-stats/")
    assert page.status_code == 200
    text = page.content.decode()
    for word in words:
        assert word in text, word
    assert 'data-testid="nav-my-stats"' in text


def test_only_agents_have_statistics(world: World) -> None:
    client = Client(HTTP_HOST="acme.localhost")
    world.sue.can_process = False
    world.sue.save(update_fields=["can_process"])
    client.force_login(world.sue)  # a supervisor without the right to process
    assert client.get("/my-stats/").status_code == 403
