"""The machinery under supervision.states: the presence row locked, a change of state
written as a span (close the open one, open the next), and the offline rule.

Every change runs in one transaction that first locks the agent's presence row (SELECT …
FOR UPDATE on PostgreSQL; SQLite's writers take turns), so two changes for one agent at
once follow each other and never leave two open spans; the partial unique index
`one_open_state_span` would refuse it anyway. Qualify and release record the state first in
their transaction, so they lock the presence before their ticket, as a supervisor's forcing
does; the claim locks its new ticket first, a ticket none of those paths locks (it was not
live yet): no cycle, no deadlock.

Offline: an agent not seen (no action, heartbeat or poll) for COMPTOIR_OFFLINE_SECONDS is
offline from the moment they were last seen, not from when someone noticed. Whoever looks
first settles it (`settle_offline`: the worker, the readers, the agent's next action).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from comptoir.lib.claims import db_time
from comptoir.lib.fastsql import insert
from comptoir.supervision.models import AgentPresence, AgentState, AgentStateSpan


@dataclass(frozen=True)
class Presence:
    """An agent's state at one moment, as readers and pages use it."""

    agent_id: int
    state: str
    campaign_id: int | None = None
    since: datetime | None = None  # None: never seen in play
    last_seen: datetime | None = None
    pause_reason_label: str = ""
    forced_by_id: int | None = None
    forced_message: str = ""

    @property
    def forced(self) -> bool:
        """A supervisor put the agent in this state (paused or out of play)."""
        return self.forced_by_id is not None

    def seconds(self, now: datetime) -> float:
        """Time in the current state at `now`."""
        return 0.0 if self.since is None else max(0.0, (now - self.since).total_seconds())


def snapshot(row: AgentPresence) -> Presence:
    return Presence(
        agent_id=row.agent_id,
        state=row.state,
        campaign_id=row.campaign_id,
        since=row.since,
        last_seen=row.last_seen,
        pause_reason_label=row.pause_reason_label,
        forced_by_id=row.forced_by_id,
        forced_message=row.forced_message,
    )


def never_seen(agent_id: int) -> Presence:
    return Presence(agent_id=agent_id, state=AgentState.OFFLINE)


# The statements of every change, in plain SQL built once: a change runs with each claim and
# each qualification, where building the ORM's queries cost more CPU than running them
# (docs/benchmarks.md, play mode; as distribution.claim).
PRESENCE, SPANS = AgentPresence._meta.db_table, AgentStateSpan._meta.db_table
COLUMNS = (
    "agent_id",
    "domain_id",
    "state",
    "campaign_id",
    "since",
    "last_seen",
    "pause_reason_label",
    "forced_by_id",
    "forced_message",
)
SELECT = f"SELECT {', '.join(COLUMNS)} FROM {PRESENCE} WHERE agent_id = %s"
SAVE = (
    f"UPDATE {PRESENCE} SET state = %s, campaign_id = %s, pause_reason_label = %s, since = %s, "
    "last_seen = %s, forced_by_id = %s, forced_message = %s WHERE agent_id = %s"
)
CLOSE = f"UPDATE {SPANS} SET ended_at = %s WHERE agent_id = %s AND ended_at IS NULL"
REPLACE = (
    f"UPDATE {SPANS} SET state = %s, campaign_id = %s, pause_reason_label = %s "
    "WHERE agent_id = %s AND ended_at IS NULL"
)


Param = int | str | datetime | None


def execute(sql: str, params: Sequence[Param]) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def utc(value: datetime) -> datetime:
    """A time read by plain SQL: SQLite gives it naive (stored in UTC)."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def read_locked(agent_id: int) -> AgentPresence | None:
    """The agent's presence row, locked for the transaction (SQLite: its writers take turns)."""
    suffix = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with connection.cursor() as cursor:
        cursor.execute(SELECT + suffix, [agent_id])
        found = cursor.fetchone()
    if found is None:
        return None
    row = AgentPresence(**dict(zip(COLUMNS, found, strict=True)))
    row.since, row.last_seen = utc(row.since), utc(row.last_seen)
    row._state.adding, row._state.db = False, connection.alias
    return row


def save(row: AgentPresence) -> None:
    values = [row.state, row.campaign_id, row.pause_reason_label, db_time(row.since)]
    values += [db_time(row.last_seen), row.forced_by_id, row.forced_message, row.agent_id]
    execute(SAVE, values)


def offline_seconds() -> int:
    return max(1, int(settings.COMPTOIR_OFFLINE_SECONDS))


def locked(agent_id: int, domain_id: int, now: datetime) -> AgentPresence:
    """The agent's presence row, locked; made (offline, no span) the first time."""
    row = read_locked(agent_id)
    if row is None:
        # A concurrent first change makes the same row: get_or_create takes theirs then.
        AgentPresence.objects.get_or_create(
            agent_id=agent_id,
            defaults={"domain_id": domain_id, "since": now, "last_seen": now},
        )
        row = read_locked(agent_id)
        assert row is not None
    return row


def stale(row: AgentPresence, now: datetime) -> bool:
    unseen = now - row.last_seen > timedelta(seconds=offline_seconds())
    return row.state != AgentState.OFFLINE and unseen


def offline_if_stale(row: AgentPresence, now: datetime) -> bool:
    """Settle a presence not seen for too long: offline from when it was last seen (or from
    when its state began, if a supervisor changed it after that). True when it did."""
    if not stale(row, now):
        return False
    move(row, AgentState.OFFLINE, now=max(row.last_seen, row.since), seen=False, keep_forced=True)
    return True


def unchanged(row: AgentPresence, state: str, campaign_id: int | None, label: str) -> bool:
    same = (row.state, row.campaign_id, row.pause_reason_label)
    return same == (state, campaign_id, label)


def move(
    row: AgentPresence,
    state: str,
    *,
    now: datetime,
    campaign_id: int | None = None,
    label: str = "",
    seen: bool = True,
    forced_by_id: int | None = None,
    message: str = "",
    keep_forced: bool = False,
) -> None:
    """Close the open span at `now` and open the new state's; the presence says the same.
    `seen`: the agent themself did it (last_seen moves); `forced_by_id`: a supervisor did."""
    # Never before the open span began (another server's clock a little behind).
    at = max(now, row.since)
    fields = [state, campaign_id, label, row.agent_id]
    # A state that began this very instant (qualify then the next claim, on one clock) is
    # replaced rather than kept as a span of no length.
    if not (row.since == at and execute(REPLACE, fields) == 1):
        execute(CLOSE, [db_time(at), row.agent_id])
        span = AgentStateSpan(domain_id=row.domain_id, agent_id=row.agent_id, started_at=at)
        span.state, span.campaign_id, span.pause_reason_label = state, campaign_id, label
        insert(span)
    row.state, row.campaign_id, row.pause_reason_label, row.since = state, campaign_id, label, at
    if seen:
        row.last_seen = max(row.last_seen, at)
    if not keep_forced:
        row.forced_by_id, row.forced_message = forced_by_id, message
    save(row)


def settle_offline(*, now: datetime, agent_ids: Iterable[int] | None = None) -> int:
    """Agents not seen for COMPTOIR_OFFLINE_SECONDS become offline from their last sign of
    life (the worker calls it every round, the readers for their agents); how many did."""
    limit = now - timedelta(seconds=offline_seconds())
    candidates = AgentPresence.objects.exclude(state=AgentState.OFFLINE).filter(last_seen__lt=limit)
    if agent_ids is not None:
        candidates = candidates.filter(agent_id__in=list(agent_ids))
    settled = 0
    for agent_id in candidates.values_list("agent_id", flat=True):
        with transaction.atomic():
            row = read_locked(agent_id)
            settled += row is not None and offline_if_stale(row, now)  # else seen meanwhile
    return settled


def offline_job(worker_id: str, once: bool) -> int:
    """`comptoir worker`'s job: settle who went offline (any number of workers may: each
    agent is settled under its presence lock, once)."""
    return settle_offline(now=timezone.now())
