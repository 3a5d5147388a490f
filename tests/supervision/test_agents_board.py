"""The board's agents (supervision.agents_board.agent_board) over a scripted morning played
through the actions with `now`; every cell compared with the numbers counted by hand below.

Tuesday 17 November 2026 in Paris, looked at 10:20:
- alice: 09:00-09:06 qualified (6 min); 09:30-09:34 paused with « Pause » (4 min, the ticket
  goes back); 10:02 serves a third ticket, still processing (her console beats).
  Today: 2 processings, average (6 + 4) / 2 = 5 min, paused 09:34-10:02 = 28 min.
- bruno: yesterday 17:55-18:00 qualified (not today); 09:10 served, unlocked by sam at 09:20
  (counted, but not in the handling time: its end says nothing of the work); 09:30-09:45
  qualified (15 min); 10:00 pauses for lunch (« Déjeuner »).
  Today: 2 processings, average 15 min, paused 20 min, paused since 10:00 (20 min).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comptoir.distribution.actions import claim_next_ticket, heartbeat, qualify, release
from comptoir.distribution.models import Processing
from comptoir.distribution.steering import unlock
from comptoir.supervision import states
from comptoir.supervision.agents_board import AgentRow, agent_board
from comptoir.supervision.board import forget_board
from comptoir.supervision.models import AgentState, PauseReason
from comptoir.tenancy.models import Role, Team, User
from comptoir.tickets.models import Ticket
from tests.conftest import Acme
from tests.distribution.conftest import make_agent
from tests.ui.conftest import make_ticket

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 11, 17, 10, 20, tzinfo=PARIS)


def at(hour: int, minute: int = 0, second: int = 0, *, days: int = 0) -> datetime:
    day = NOW.date() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=PARIS)


def served(agent: User, acme: Acme, start: datetime) -> Processing:
    make_ticket(acme.support, subject=f"Demande de {start:%H:%M}")  # one more waits
    processing = claim_next_ticket(agent, acme.support, now=start).processing
    assert processing is not None
    return processing


def beats(agent: User, start: datetime, end: datetime) -> None:
    """The agent's page beats every minute from `start` to `end` (both included)."""
    moment = start
    while moment <= end:
        states.beat(agent, now=moment)
        moment += timedelta(minutes=1)


def reason(acme: Acme, label: str) -> PauseReason:
    return PauseReason.objects.get(domain=acme.domain, label=label)


@dataclass
class Morning:
    alice: User
    bruno: User
    live: Ticket


def play(acme: Acme) -> Morning:
    forget_board()
    alice, bruno = acme.agent, make_agent(acme, "bruno")
    qualify(
        served(bruno, acme, at(17, 55, days=-1)), outcome="done", answers={}, now=at(18, days=-1)
    )
    qualify(served(alice, acme, at(9)), outcome="done", answers={}, now=at(9, 6))
    first = served(bruno, acme, at(9, 10))
    unlock(first.ticket, by=acme.supervisor, now=at(9, 20))
    release(served(alice, acme, at(9, 30)), now=at(9, 34), reason=reason(acme, "Pause"))
    beats(alice, at(9, 35), at(10, 1))  # her pause page (else offline after 90 s)
    qualify(served(bruno, acme, at(9, 30)), outcome="done", answers={}, now=at(9, 45))
    states.pause(bruno, reason=reason(acme, "Déjeuner"), now=at(10))
    live = served(alice, acme, at(10, 2))
    for minute in range(3, 20):  # her console beats every minute, keeping the lock
        assert heartbeat(live, now=at(10, minute, 30))
    beats(bruno, at(10, 1), at(10, 19))  # his pause page too
    return Morning(alice, bruno, live.ticket)


def rows_by_login(user: User, now: datetime = NOW) -> dict[str, AgentRow]:
    rows = agent_board(user, now=now)
    logins = dict(User.objects.filter(pk__in=[r.agent_id for r in rows]).values_list("pk", "login"))
    return {logins[row.agent_id]: row for row in rows}


def test_every_cell_of_the_morning_is_the_one_counted_by_hand(acme: Acme) -> None:
    morning = play(acme)
    rows = rows_by_login(acme.supervisor)
    assert list(rows) == ["alice", "bruno"]  # by name
    alice, bruno = rows["alice"], rows["bruno"]
    assert (alice.state, alice.since, alice.seconds_in_state) == (
        AgentState.PROCESSING,
        at(10, 2),
        18 * 60.0,
    )
    assert (alice.ticket_number, alice.campaign_name) == (morning.live.number, "Support")
    assert (alice.processings_today, alice.average_handling_seconds) == (2, 5 * 60.0)
    assert alice.pause_seconds_today == 28 * 60.0
    assert (alice.pause_reason, alice.forced) == ("", False)
    assert (bruno.state, bruno.since, bruno.seconds_in_state) == (
        AgentState.PAUSED,
        at(10),
        20 * 60.0,
    )
    assert (bruno.pause_reason, bruno.ticket_number) == ("Déjeuner", None)
    assert (bruno.processings_today, bruno.average_handling_seconds) == (2, 15 * 60.0)
    assert bruno.pause_seconds_today == 20 * 60.0


def test_a_forced_pause_shows_at_once_after_the_shared_seconds(acme: Acme) -> None:
    morning = play(acme)
    assert rows_by_login(acme.supervisor)["alice"].state == AgentState.PROCESSING
    states.force_pause(
        morning.alice, reason=reason(acme, "Réunion"), by=acme.supervisor, now=at(10, 20, 1)
    )
    kept = rows_by_login(acme.supervisor, at(10, 20, 1))["alice"]
    assert kept.state == AgentState.PROCESSING  # the rows are shared for 2 s
    later = rows_by_login(acme.supervisor, at(10, 20, 3))["alice"]
    assert (later.state, later.pause_reason, later.forced) == (AgentState.PAUSED, "Réunion", True)
    assert later.ticket_number is None
    # Her processing went back as a pause does (10:02 to 10:20:01): a third one handled.
    assert later.processings_today == 3
    assert later.average_handling_seconds == pytest.approx((360 + 240 + 18 * 60 + 1) / 3)


def test_with_nothing_done_today_the_numbers_are_empty(acme: Acme) -> None:
    forget_board()
    (row,) = agent_board(acme.supervisor, now=NOW)
    assert (row.state, row.since, row.seconds_in_state) == (AgentState.OFFLINE, None, 0.0)
    assert (row.processings_today, row.average_handling_seconds) == (0, None)
    assert (row.pause_seconds_today, row.ticket_number, row.campaign_name) == (0.0, None, "")


def test_the_queries_do_not_grow_with_the_agents(acme: Acme) -> None:
    play(acme)

    def count(now: datetime) -> int:
        forget_board()
        with CaptureQueriesContext(connection) as queries:
            agent_board(acme.supervisor, now=now)
        return len(queries)

    few = count(NOW)
    assert few <= 9  # see docs/supervision.md, "The agents' table"
    for index in range(6):
        agent = make_agent(acme, f"agent{index}")
        qualify(served(agent, acme, at(8, index)), outcome="done", answers={}, now=at(8, 30))
        states.pause(agent, reason=reason(acme, "Pause"), now=at(10, 19))
    assert len(agent_board(acme.supervisor, now=NOW)) == 2  # still the kept rows
    assert count(NOW) == few


@pytest.fixture
def other_campaign(acme: Acme) -> tuple[User, User]:
    """Olga plays only `billing`, which Sue supervises (and nothing else)."""
    billing = acme.support.__class__.objects.create(
        domain=acme.domain, slug="billing", name="Factu"
    )
    players = Team.objects.create(domain=acme.domain, name="Facturation")
    watchers = Team.objects.create(domain=acme.domain, name="Superviseurs facturation")
    olga = User.objects.create_user(
        domain=acme.domain, login="olga", password="pw", role=Role.AGENT
    )
    sue = User.objects.create_user(
        domain=acme.domain, login="sue", password="pw", role=Role.SUPERVISOR, can_supervise=False
    )
    players.members.add(olga)
    watchers.members.add(sue)
    billing.agent_teams.add(players)
    billing.supervision_teams.add(watchers)
    return olga, sue


def test_a_supervisor_sees_only_the_agents_of_their_campaigns(
    acme: Acme, other_campaign: tuple[User, User]
) -> None:
    olga, sue = other_campaign
    forget_board()
    assert [row.agent_id for row in agent_board(sue, now=NOW)] == [olga.pk]
    # Sam supervises support and orders (his supervision team): not billing's Olga.
    assert {row.agent_id for row in agent_board(acme.supervisor, now=NOW)} == {acme.agent.pk}
    admin = User.objects.create_user(
        domain=acme.domain, login="ada", password="pw", role=Role.ADMIN, can_supervise=True
    )
    everyone = {row.agent_id for row in agent_board(admin, now=NOW)}
    assert everyone == {acme.agent.pk, olga.pk}  # an administrator: the whole domain
    assert agent_board(acme.agent, now=NOW) == []  # an agent supervises nothing
