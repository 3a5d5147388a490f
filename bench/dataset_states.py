"""What later schemas add to the supervision data set, filled when the schema has it: columns
the application derives from the data (a migration's backfill ran on empty tables when the
data set was built), and agents' states: a month of AgentStateSpan rows and the AgentPresence
of now (issue 13's comptoir.supervision.models). A kept data set gets them after the migration
that adds them (`python -m bench.dataset complete`, run by bench.dataset.ensure).

Every agent works Monday to Friday over the processing window, starting between 8:00 and 9:00
(Europe/Paris) for 8 hours: ten-minute blocks of 7 minutes in processing and 3 available, a
break (Pause) at +2 h and +6.5 h, lunch (Déjeuner) at +4 h, then offline until the next
working day. Spans are cut at the anchor: the one containing it stays open (one per agent),
and it gives the agent's presence. Synthetic: the states are not derived from the agents'
processings (which start at any hour), so occupation figures are plausible, not exact.
"""

import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bench import dataset_sql as q

SPANS, PRESENCE = "supervision_agentstatespan", "supervision_agentpresence"
SHIFT_HOURS = 8
BLOCK = (420, 180)  # seconds in processing, then available
BREAKS = {120: ("Pause", 900), 240: ("Déjeuner", 3600), 390: ("Pause", 900)}  # minute: (label, s)


def day_slots() -> list[tuple[int, int, int, str, str]]:
    """(k, offset, length, state, pause label) of a working day from the shift's start, the
    last one offline (its end: the next shift)."""
    slots: list[tuple[int, int, int, str, str]] = []
    moment, end = 0, SHIFT_HOURS * 3600
    breaks = dict(BREAKS)

    def add(length: int, state: str, label: str = "") -> None:
        nonlocal moment
        slots.append((len(slots), moment, length, state, label))
        moment += length

    while moment < end:
        due = next((m for m in sorted(breaks) if m * 60 <= moment), None)
        if due is not None:
            label, length = breaks.pop(due)
            add(length, "paused", label)
            continue
        add(BLOCK[0], "processing")
        add(BLOCK[1], "available")
    add(0, "offline")
    return slots


def working_days(anchor: datetime, window_days: int) -> list[tuple[int, int, int | None]]:
    """(id, 8:00 local in Unix seconds, the next working day's 8:00 or None)."""
    zone = ZoneInfo("Europe/Paris")
    today = anchor.astimezone(zone).date()
    days = [today - timedelta(days=n) for n in range(window_days, -1, -1)]
    starts = [eight(day, zone) for day in days if day.weekday() < 5]
    return [
        (i, start, starts[i + 1] if i + 1 < len(starts) else None) for i, start in enumerate(starts)
    ]


def eight(day: date, zone: ZoneInfo) -> int:
    return int(datetime(day.year, day.month, day.day, 8, tzinfo=zone).timestamp())


def has_tables() -> bool:
    from django.db import connection

    with connection.cursor() as cursor:
        names = set(connection.introspection.table_names(cursor))
    return SPANS in names and PRESENCE in names


# Columns kept by the application that a migration backfills from the data (the migration
# ran on empty tables here): filled the same way when the schema has them.
DERIVED = {
    "first_response_at": (
        "UPDATE tickets_ticket SET first_response_at = (SELECT MIN(m.created_at)"
        " FROM tickets_message m WHERE m.ticket_id = tickets_ticket.id"
        " AND m.direction = 'outbound' AND NOT m.is_automatic)"
    ),
}


def derived_columns(say: Callable[[str], None]) -> None:
    from django.db import connection, transaction

    from bench.dataset_fill import execute

    with connection.cursor() as cursor:
        columns = {
            c.name for c in connection.introspection.get_table_description(cursor, "tickets_ticket")
        }
    for column, sql in DERIVED.items():
        if column in columns:
            started = time.perf_counter()
            with transaction.atomic():
                execute(sql)
            say(f"    {column}: {time.perf_counter() - started:.0f} s")


def spans_sql(d: q.Dialect, domain_id: int, anchor: int) -> str:
    begin = "dy.start + a.shift + s.at_s"
    end = f"(CASE WHEN s.state = 'offline' THEN dy.next_start + a.shift ELSE {begin} + s.len_s END)"
    return f"""INSERT INTO {SPANS} (domain_id, agent_id, state, campaign_id, pause_reason_label,
  started_at, ended_at)
SELECT {domain_id}, a.user_id, s.state,
  (CASE WHEN s.state = 'offline' THEN NULL ELSE a.campaign_id END), s.label, {d.ts(begin)},
  (CASE WHEN {end} IS NULL OR {end} > {anchor} THEN NULL ELSE {d.ts(end)} END)
FROM bench_state_agent a CROSS JOIN bench_day dy CROSS JOIN bench_slot s
WHERE a.domain_id = {domain_id} AND {begin} <= {anchor}"""


def presence_sql(d: q.Dialect, domain_id: int, anchor: int) -> str:
    return f"""INSERT INTO {PRESENCE} (agent_id, domain_id, state, campaign_id, since, last_seen,
  pause_reason_label, forced_by_id, forced_message)
SELECT agent_id, domain_id, state, campaign_id, started_at,
  (CASE WHEN state = 'offline' THEN started_at ELSE {d.ts(str(anchor))} END),
  pause_reason_label, NULL, ''
FROM {SPANS} WHERE domain_id = {domain_id} AND ended_at IS NULL"""


def fill_states(
    domain_ids: list[int], anchor: datetime, window_days: int, say: Callable[[str], None]
) -> dict[str, Any]:
    """Spans and presences for every agent of these domains, by SQL."""
    from django.db import connection, transaction

    from bench.dataset_fill import execute, put

    if not has_tables():
        say("    agent states: no supervision_agentstatespan table in this schema, none made")
        return {"rows": 0, "seconds": 0.0}
    started, d, rows = time.perf_counter(), q.Dialect(connection.vendor), 0
    execute("CREATE TABLE bench_day (id INTEGER PRIMARY KEY, start BIGINT, next_start BIGINT)")
    execute(
        "CREATE TABLE bench_slot (k INTEGER PRIMARY KEY, at_s BIGINT, len_s BIGINT,"
        " state TEXT, label TEXT)"
    )
    execute(
        "CREATE TABLE bench_state_agent (user_id BIGINT PRIMARY KEY, domain_id BIGINT,"
        " campaign_id BIGINT, shift BIGINT)"
    )
    put("bench_day", working_days(anchor, window_days))
    put("bench_slot", day_slots())
    for domain_id in domain_ids:
        put("bench_state_agent", state_agents(domain_id))
    epoch = int(anchor.timestamp())
    with transaction.atomic():
        for domain_id in domain_ids:
            execute(f"DELETE FROM {PRESENCE} WHERE domain_id = {domain_id}")
            rows += execute(spans_sql(d, domain_id, epoch))
            execute(presence_sql(d, domain_id, epoch))
    for table in ("bench_day", "bench_slot", "bench_state_agent"):
        execute(f"DROP TABLE {table}")
    spent = time.perf_counter() - started
    say(f"    agent states: {rows:,} spans, {spent:.0f} s")
    return {"rows": rows, "seconds": round(spent, 1)}


def state_agents(domain_id: int) -> list[tuple[int, int, int, int]]:
    """(agent, domain, the campaign they play: the first of theirs, shift offset 0-60 min),
    read from the database (a kept data set gets its states after a migration added them)."""
    from comptoir.campaigns.models import Campaign

    first: dict[int, int] = {}
    campaigns = Campaign.objects.filter(domain_id=domain_id).order_by("-id")
    for campaign_id, user_id in campaigns.values_list("id", "agent_teams__members"):
        if user_id is not None:
            first[user_id] = campaign_id  # by decreasing id: the first campaign wins
    return [
        (user_id, domain_id, campaign_id, (user_id * 420) % 3600)
        for user_id, campaign_id in sorted(first.items())
    ]


def later_schemas(
    domain_ids: list[int], anchor: datetime, window_days: int, say: Callable[[str], None]
) -> dict[str, Any]:
    derived_columns(say)
    return fill_states(domain_ids, anchor, window_days, say)


def complete(say: Callable[[str], None]) -> bool:
    """A kept data set, migrated since: fill the states when their tables have come and are
    empty (derived columns: the migration's backfill did it); whether anything was added."""
    from django.db import connection

    from bench.dataset_fill import META, put
    from comptoir.tenancy.models import Domain

    if not has_tables():
        return False
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT key, value FROM {META}")
        meta = dict(cursor.fetchall())
        cursor.execute(f"SELECT count(*) FROM {SPANS}")
        if meta.get("states") == "yes" or cursor.fetchone()[0]:
            return False
    ids = list(Domain.objects.filter(slug__startswith="bench").values_list("id", flat=True))
    anchor = datetime.fromisoformat(meta["anchor"])
    fill_states(ids, anchor, int(meta.get("window_days", "30")), say)
    meta["states"] = "yes"
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {META}")
    put(META, sorted(meta.items()))
    return True
