"""Fill a migrated, empty database with the supervision data set; inside a Django process
(`python -m bench.dataset fill`, started by bench.dataset with DATABASE_URL or
COMPTOIR_DATA_DIR set).

The small rows come from the ORM (bench.dataset_people), the lookup tables bench_* from Python
(words, sentences, the hours' weights), then the big tables by SQL (bench.dataset_sql) in
chunks of tickets, one transaction each, with a progress line per step. The lookup tables are
dropped at the end; bench_dataset (what was built, for reuse) stays.
"""

import random
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bench import dataset_events as events
from bench import dataset_sql as q
from bench import dataset_words as w
from bench.dataset_people import BENCH_PASSWORD, DomainSpec, Made, make_domain, specs
from bench.dataset_states import has_tables, later_schemas

VERSION = "2"  # 2: supervisors by team only; the anchor at 15:00 of a working day
CHUNK = 50_000  # tickets per transaction
SEED = 20260313
SENTENCES, SUBJECTS = 20_000, 3_000
HOUR_WEIGHTS = [0.3, 0.2, 0.15, 0.1, 0.1, 0.2, 0.6, 1.5, 3.5, 5.5, 6.0, 5.5, 4.0, 4.2, 5.5,
                5.8, 5.2, 4.5, 3.5, 2.8, 2.3, 1.8, 1.2, 0.6]  # fmt: skip
WEEKDAY_WEIGHTS = [1.3, 1.15, 1.05, 1.0, 0.95, 0.55, 0.35]
MONTH_WEIGHTS = [1.1, 0.95, 1.0, 0.95, 0.9, 0.95, 0.85, 0.7, 1.05, 1.0, 1.15, 1.35]

LOOKUPS = {
    "bench_hour": "id BIGINT PRIMARY KEY, dom INTEGER, first BIGINT, t BIGINT, len BIGINT,"
    " cnt BIGINT",
    "bench_pick_campaign": "dom INTEGER, slot INTEGER, idx INTEGER, PRIMARY KEY (dom, slot)",
    "bench_campaign": "dom INTEGER, idx INTEGER, id BIGINT, max_attempts INTEGER, agents"
    " INTEGER, script_id BIGINT, sender TEXT, address TEXT, name TEXT, PRIMARY KEY (dom, idx)",
    "bench_agent": "dom INTEGER, cidx INTEGER, k INTEGER, user_id BIGINT, name TEXT,"
    " PRIMARY KEY (dom, cidx, k)",
    "bench_outcome": "script_id BIGINT, ver INTEGER, code TEXT, label TEXT, kind TEXT,"
    " version_id BIGINT, PRIMARY KEY (script_id, ver, code)",
    "bench_k": "k INTEGER PRIMARY KEY",
    "bench_sentence": "id INTEGER PRIMARY KEY, text TEXT",
    "bench_subject": "id INTEGER PRIMARY KEY, text TEXT",
    "bench_first": "id INTEGER PRIMARY KEY, name TEXT, slug TEXT",
    "bench_last": "id INTEGER PRIMARY KEY, name TEXT, slug TEXT",
    "bench_maildomain": "id INTEGER PRIMARY KEY, name TEXT",
    "bench_rare": "id INTEGER PRIMARY KEY, text TEXT",
    "bench_rare_pick": "slot INTEGER PRIMARY KEY, rank INTEGER",
    "bench_motif": "id INTEGER PRIMARY KEY, text TEXT",
    "bench_opening": "id INTEGER PRIMARY KEY, text TEXT",
    "bench_closing": "id INTEGER PRIMARY KEY, text TEXT",
    "bench_agent_opening": "id INTEGER PRIMARY KEY, text TEXT",
    "bench_agent_closing": "id INTEGER PRIMARY KEY, text TEXT",
}
META = "bench_dataset"


def execute(sql: str, rows: list[tuple[Any, ...]] | None = None) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        if rows is None:
            cursor.execute(sql)
        elif rows:
            cursor.executemany(sql, rows)
        if cursor.rowcount >= 0 or connection.vendor != "sqlite":
            return cursor.rowcount
        # Python's sqlite3 says -1 for a statement that starts with WITH.
        cursor.execute("SELECT changes()")
        return int(cursor.fetchone()[0])


def put(table: str, rows: list[tuple[Any, ...]]) -> None:
    marks = ", ".join(["%s"] * len(rows[0]))
    execute(f"INSERT INTO {table} VALUES ({marks})", rows)


def create_lookups() -> None:
    for table, columns in LOOKUPS.items():
        execute(f"DROP TABLE IF EXISTS {table}")
        execute(f"CREATE TABLE {table} ({columns})")
    execute("CREATE INDEX bench_hour_first ON bench_hour (dom, first)")
    rng = random.Random(SEED)
    put("bench_k", [(k,) for k in range(8)])
    put("bench_sentence", list(enumerate(w.sentences(rng, SENTENCES))))
    put("bench_subject", list(enumerate(w.subjects(rng, SUBJECTS))))
    put("bench_first", [(i, n, w.ascii_slug(n)) for i, n in enumerate(w.FIRST_NAMES)])
    put("bench_last", [(i, n, w.ascii_slug(n)) for i, n in enumerate(w.LAST_NAMES)])
    put("bench_maildomain", list(enumerate(w.MAIL_DOMAINS)))
    put("bench_rare", list(enumerate(w.rare_sentences())))
    rare = w.zipf_table(len(w.RARE_WORDS), q.RARE_SLOTS)
    put("bench_rare_pick", list(enumerate(rare)))
    put("bench_motif", list(enumerate(q.MOTIFS)))
    put("bench_opening", list(enumerate(w.OPENINGS)))
    put("bench_closing", list(enumerate(w.CLOSINGS)))
    put("bench_agent_opening", list(enumerate(w.AGENT_OPENINGS)))
    put("bench_agent_closing", list(enumerate(w.AGENT_CLOSINGS)))


def hours(start: datetime, anchor: datetime) -> list[tuple[int, int, int]]:
    """(start, seconds, weight x 1000) of every hour from start to the anchor (the last one
    cut at the anchor): office hours, weekdays over weekends, a seasonal swell, a growing
    business (+30 % over the period)."""
    zone = ZoneInfo("Europe/Paris")
    result, moment, total = [], start, (anchor - start).total_seconds()
    while moment < anchor:
        end = min(moment + timedelta(hours=1), anchor)
        local = moment.astimezone(zone)
        weight = HOUR_WEIGHTS[local.hour] * WEEKDAY_WEIGHTS[local.weekday()]
        weight *= MONTH_WEIGHTS[local.month - 1] * (
            1 + 0.3 * (moment - start).total_seconds() / total
        )
        seconds = int((end - moment).total_seconds())
        result.append((int(moment.timestamp()), seconds, int(weight * 1000 * seconds / 3600)))
        moment = end
    return result


def fill_hours(dom: int, tickets: int, anchor: datetime, first_id: int) -> int:
    """bench_hour: ticket numbers spread over the year's hours by weight; the next free id."""
    slots = hours(anchor - timedelta(days=365), anchor)
    total = sum(weight for _t, _s, weight in slots)
    rows, seen, next_id = [], 0, first_id
    for start, seconds, weight in slots:
        first = round(tickets * seen / total) + 1
        seen += weight
        count = round(tickets * seen / total) + 1 - first
        if count > 0:
            rows.append((next_id, dom, first, start, seconds, count))
            next_id += 1
    put("bench_hour", rows)
    return next_id


def fill_domain_lookups(spec: DomainSpec, made: Made, tickets: int) -> None:
    campaigns = made.campaigns
    weights = w.zipf_weights(len(campaigns), 0.7)
    total, picks, acc = sum(weights), [], 0.0
    bounds = []
    for weight in weights:
        acc += weight / total * q.PICK_SLOTS
        bounds.append(acc)
    for slot in range(q.PICK_SLOTS):
        picks.append(
            (
                spec.dom,
                slot,
                next(i for i, b in enumerate(bounds) if slot < b or i == len(bounds) - 1),
            )
        )
    put("bench_pick_campaign", picks)
    put(
        "bench_campaign",
        [(spec.dom, c["idx"], c["id"], c["max_attempts"], c["agents"], c["script_id"],
          c["sender"], c["address"], c["name"]) for c in campaigns],
    )  # fmt: skip
    put("bench_agent", [(spec.dom, *agent) for agent in made.agents])
    put("bench_outcome", made.outcomes)


def chunked(
    what: str,
    total: int,
    step: Callable[[int, int], int],
    say: Callable[[str], None],
    first: int = 1,
) -> dict[str, Any]:
    """Run step(lo, hi) over first..total by CHUNK, one transaction each; rows, seconds."""
    from django.db import transaction

    started, rows = time.perf_counter(), 0
    for lo in range(first, total + 1, CHUNK):
        hi = min(total, lo + CHUNK - 1)
        with transaction.atomic():
            rows += step(lo, hi)
        spent = time.perf_counter() - started
        say(f"    {what}: tickets {hi:,}/{total:,}, {rows:,} rows, {spent:.0f} s")
    return {"rows": rows, "seconds": round(time.perf_counter() - started, 1)}


def timed(what: str, say: Callable[[str], None], statements: list[str]) -> dict[str, Any]:
    from django.db import transaction

    started, rows = time.perf_counter(), 0
    with transaction.atomic():
        for sql in statements:
            rows += execute(sql)
    spent = time.perf_counter() - started
    say(f"    {what}: {rows:,} rows, {spent:.0f} s")
    return {"rows": rows, "seconds": round(spent, 1)}


def fill_domain(
    spec: DomainSpec, made: Made, d: q.Dialect, anchor: int, window: int, say: Callable[[str], None]
) -> dict[str, Any]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM tickets_contact")
        contact_base = int(cursor.fetchone()[0])
    contacts = max(10, spec.tickets * 2 // 5)
    s = q.Shape(
        dom=spec.dom, domain_id=made.domain_id, tickets=spec.tickets, contacts=contacts,
        contact_base=contact_base, anchor=anchor, window_days=window, sentences=SENTENCES,
        subjects=SUBJECTS, first_names=len(w.FIRST_NAMES), last_names=len(w.LAST_NAMES),
        mail_domains=len(w.MAIL_DOMAINS),
    )  # fmt: skip
    say(f"  domain {spec.slug}: {spec.tickets:,} tickets, {contacts:,} contacts")
    steps = {
        "contacts": chunked(
            "contacts", contacts, lambda lo, hi: execute(q.contacts(d, s, lo, hi)), say
        ),
        "tickets": chunked(
            "tickets", spec.tickets, lambda lo, hi: execute(q.tickets(d, s, lo, hi)), say
        ),
        "messages": chunked(
            "messages", spec.tickets, lambda lo, hi: execute(q.messages(d, s, lo, hi)), say
        ),
        "processings": chunked(
            "processings",
            spec.tickets,
            lambda lo, hi: execute(q.processings(d, s, lo, hi)),
            say,
            first=first_in_window(spec.dom, s.window_start),
        ),
        "message events": chunked(
            "message events",
            spec.tickets,
            lambda lo, hi: execute(events.message_events(d, s, lo, hi)),
            say,
        ),
        "processing events": timed("processing events", say, events.processing_events(d, s)),
    }
    steps["live processings"] = lock_some(made, datetime.fromtimestamp(anchor, UTC), say)
    return steps


def first_in_window(dom: int, window_start: int) -> int:
    """The first ticket number created in the processing window (numbers are in arrival
    order): processings are made from there on, not over the whole year."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT max(first) FROM bench_hour WHERE dom = %s AND t <= %s", [dom, window_start]
        )
        row = cursor.fetchone()
    return int(row[0]) if row and row[0] else 1


def lock_some(
    made: Made, anchor: datetime, say: Callable[[str], None], per_campaign: int = 5
) -> dict[str, Any]:
    """Agents in a processing "now": the first queue tickets of each campaign but play's (its
    agents stay free for bench.play_worker), each locked by an agent of its own, with a live
    processing and its history row. The locks end ten minutes after the anchor: later runs
    find them expired, as play would after an abandoned console."""
    from django.db import transaction

    from comptoir.distribution.models import Processing
    from comptoir.tickets.models import EventKind, Ticket, TicketEvent

    started, busy, count = time.perf_counter(), set(made.play_agents), 0
    by_campaign: dict[int, list[int]] = {}
    for cidx, _k, user_id, _name in made.agents:
        by_campaign.setdefault(cidx, []).append(user_id)
    with transaction.atomic():
        for campaign in made.campaigns[1:]:
            free = [a for a in by_campaign[int(campaign["idx"])] if a not in busy]
            queue = Ticket.objects.filter(
                campaign_id=campaign["id"], status="open", assignee__isnull=True, flagged=False,
                blocked_until__isnull=True, reopen_at__isnull=True,
            ).order_by("-priority", "waiting_since", "id")  # fmt: skip
            queue = queue[: min(per_campaign, len(free))]
            for ticket, agent in zip(list(queue), free, strict=False):
                busy.add(agent)
                since = anchor - timedelta(seconds=30 + 47 * count % 600)
                Processing.objects.create(
                    domain_id=made.domain_id, ticket=ticket, campaign_id=campaign["id"],
                    agent_id=agent, started_at=since, was_unread=ticket.has_unread,
                )  # fmt: skip
                Ticket.objects.filter(pk=ticket.pk).update(
                    locked_by_id=agent,
                    locked_until=anchor + timedelta(minutes=10),
                    has_unread=False,
                )
                TicketEvent.objects.create(
                    domain_id=made.domain_id, ticket=ticket, actor_id=agent,
                    kind=EventKind.PROCESSING_STARTED, created_at=since,
                )  # fmt: skip
                count += 1
    spent = time.perf_counter() - started
    say(f"    live processings: {count}, {spent:.0f} s")
    return {"rows": count, "seconds": round(spent, 1)}


def finish(made: list[Made], say: Callable[[str], None]) -> None:
    """Ticket counters, sequences past the explicit contact ids, lookups dropped, ANALYZE."""
    from django.core.management.color import no_style
    from django.db import connection

    from comptoir.tickets.models import Contact, Ticket, TicketCounter

    for m in made:
        last = (
            Ticket.objects.filter(domain_id=m.domain_id)
            .order_by("-number")
            .values_list("number", flat=True)
            .first()
        )
        TicketCounter.objects.update_or_create(
            domain_id=m.domain_id, defaults={"last_number": last or 0}
        )
    for sql in connection.ops.sequence_reset_sql(no_style(), [Contact]):
        execute(sql)
    for table in LOOKUPS:
        execute(f"DROP TABLE {table}")
    started = time.perf_counter()
    # VACUUM too on PostgreSQL: a live database's visibility map is set (autovacuum), so
    # index-only scans work; right after a bulk load it is not.
    command = "VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE"
    execute(command)
    say(f"  {command}: {time.perf_counter() - started:.0f} s")


def default_anchor(now: datetime) -> datetime:
    """The data set's "now": 15:00 (Europe/Paris) of the last working day up to `now`, so that
    "today" is a busy day's and agents are at work (their states), whenever it is built."""
    zone = ZoneInfo("Europe/Paris")
    moment = now.astimezone(zone).replace(hour=15, minute=0, second=0, microsecond=0)
    if moment > now:
        moment -= timedelta(days=1)
    while moment.weekday() >= 5:
        moment -= timedelta(days=1)
    return moment.astimezone(UTC)


def write_meta(values: dict[str, str]) -> None:
    execute(f"CREATE TABLE IF NOT EXISTS {META} (key TEXT PRIMARY KEY, value TEXT)")
    execute(f"DELETE FROM {META}")
    put(META, sorted(values.items()))


def fill(
    tickets: int,
    *,
    window_days: int = 30,
    anchor: datetime | None = None,
    say: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Build the data set in the (migrated, empty) database Django is configured with;
    `anchor` is its "now" (default_anchor)."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection

    started = time.perf_counter()
    d = q.Dialect(connection.vendor)
    if d.pg:
        execute("SET synchronous_commit TO off")
        execute("SET work_mem TO '64MB'")
    else:
        execute("PRAGMA synchronous = OFF")
        execute("PRAGMA cache_size = -200000")
    write_meta({"version": VERSION, "tickets": str(tickets), "complete": "no"})
    anchor = anchor or default_anchor(datetime.now(UTC))
    password = make_password(BENCH_PASSWORD)
    years = range(anchor.year - 1, anchor.year + 2)
    create_lookups()
    made, next_hour, steps = [], 1, {}
    for spec in specs(tickets):
        from django.db import transaction

        with transaction.atomic():
            domain = make_domain(spec, password, years)
        fill_domain_lookups(spec, domain, spec.tickets)
        next_hour = fill_hours(spec.dom, spec.tickets, anchor, next_hour)
        made.append(domain)
        steps[spec.slug] = fill_domain(spec, domain, d, int(anchor.timestamp()), window_days, say)
    steps["later schemas"] = later_schemas([m.domain_id for m in made], anchor, window_days, say)
    finish(made, say)
    seconds = time.perf_counter() - started
    states = "yes" if has_tables() else "no"
    write_meta({"version": VERSION, "tickets": str(tickets), "complete": "yes",
                "anchor": anchor.isoformat(), "window_days": str(window_days),
                "seconds": f"{seconds:.1f}", "states": states})  # fmt: skip
    return {"seconds": round(seconds, 1), "anchor": anchor.isoformat(), "steps": steps}
