"""One measured process: `python -m bench.worker {setup|parse|ingest} [CORPUS] [options]`.

Started by bench.ingest with COMPTOIR_DATA_DIR and DATABASE_URL set, so that settings are
those of a real deployment and two ingest processes really run side by side. Django is set up
before the clock starts; with --wait the worker says "ready" and waits for "go" on stdin, so
that several workers start their loops together. The result is one line on stdout:
`RESULT {json}` with wall-clock start and end (time.time(), comparable across processes).
"""

import argparse
import cProfile
import json
import os
import re
import sys
import time
from collections import Counter, defaultdict
from contextlib import nullcontext
from pathlib import Path
from typing import Any

from bench.corpus import read_corpus

RESULT = "RESULT "
SAVEPOINT_NAME = re.compile(r'"s\d+_x\d+"')


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "comptoir.settings")
    import django

    django.setup()
    # What-if knob (`python -m bench --pg-options JSON`): extra database OPTIONS, applied
    # before the first connection, to measure a settings change without making it.
    extra = os.environ.get("BENCH_DB_OPTIONS")
    if extra:
        from django.db import connections

        connections["default"].settings_dict["OPTIONS"].update(json.loads(extra))


def wait_for_go() -> None:
    print("ready", flush=True)
    if sys.stdin.readline().strip() != "go":
        sys.exit("bench worker: expected 'go' on stdin")


def ingest_loop(messages: list[bytes]) -> Counter[str]:
    from comptoir.campaigns.models import Campaign
    from comptoir.mail.ingest import ingest_email

    campaign = Campaign.objects.select_related("domain").get(domain__slug="demo", slug="support")
    outcomes: Counter[str] = Counter()
    for raw in messages:
        outcomes[ingest_email(raw, campaign=campaign, source="bench").outcome] += 1
    return outcomes


def bulk_loop(messages: list[bytes]) -> Counter[str]:
    """The bulk path of `comptoir ingest` (mail.batch.ingest_many): same outcomes, batched.
    An archive import: no automatic reply (bench.paths measures `comptoir ingest` with them)."""
    from comptoir.campaigns.models import Campaign
    from comptoir.mail.batch import ingest_many

    campaign = Campaign.objects.select_related("domain").get(domain__slug="demo", slug="support")
    outcomes: Counter[str] = Counter()
    items = (("bench", raw) for raw in messages)
    for _label, result in ingest_many(items, campaign=campaign, auto_reply=False):
        outcomes[result.outcome] += 1
    return outcomes


def deliver_loop(messages: list[bytes]) -> Counter[str]:
    """What the SMTP listener's threads do for each message, without the protocol: RCPT's
    routing, then deliver() (routing, ingest, the acknowledgement). For profiling."""
    from comptoir.mail.ingest import route_address
    from comptoir.mail.server import deliver

    outcomes: Counter[str] = Counter()
    recipient = "support@demo.localhost"
    for raw in messages:
        route_address(recipient)
        status = deliver(
            raw, mail_from="bench@client.example", recipients=[recipient], source="smtp"
        )
        outcomes[status[0][:3]] += 1
    return outcomes


def parse_loop(messages: list[bytes]) -> Counter[str]:
    from comptoir.mail.parse import parse_email

    outcomes: Counter[str] = Counter()
    for raw in messages:
        parsed = parse_email(raw)
        outcomes["with defects" if parsed.defects else "clean"] += 1
    return outcomes


def census() -> dict[str, int]:
    """What the database holds after a real path ran: the checks of bench.paths."""
    from django.db.models import Count

    from comptoir.tickets.models import Direction, Message, RawMessage, Ticket, TicketEvent

    inbound = Message.objects.filter(direction=Direction.INBOUND)
    received = RawMessage.objects.exclude(source="outbound")
    events = dict(
        TicketEvent.objects.filter(kind__startswith="auto_reply")
        .values_list("kind")
        .annotate(n=Count("id"))
    )
    repeated = inbound.values("domain_id", "message_id").annotate(n=Count("id")).filter(n__gt=1)
    return {
        "tickets": Ticket.objects.count(),
        "inbound": inbound.count(),
        "raw": received.count(),
        "raw_not_filed": received.exclude(state="stored").count(),
        "repeated_message_ids": repeated.count(),
        "acknowledgements": Message.objects.filter(
            direction=Direction.OUTBOUND, is_automatic=True
        ).count(),
        **{k: int(v) for k, v in events.items()},
    }


def unlimited_acknowledgements() -> None:
    """Production-like load: every new ticket is acknowledged (the campaign's hourly cap, 1,000
    by default, would turn the tickets past it into a cheap "capped" line in the history)."""
    from comptoir.campaigns.models import Campaign

    limit = int(os.environ.get("BENCH_HOURLY_LIMIT", "1000000"))
    Campaign.objects.filter(domain__slug="demo", slug="support").update(
        auto_reply_hourly_limit=limit
    )


def query_counter() -> tuple[Any, Counter[str], dict[str, float]]:
    """A connection wrapper counting statements and their time by shape (first words)."""
    counts: Counter[str] = Counter()
    seconds: dict[str, float] = defaultdict(float)

    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        shape = SAVEPOINT_NAME.sub('"sN"', " ".join(sql.split()[:6])[:90])
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            counts[shape] += 1
            seconds[shape] += time.perf_counter() - started

    return wrapper, counts, seconds


def measure(mode: str, messages: list[bytes], args: argparse.Namespace) -> dict[str, Any]:
    loops = {"ingest": ingest_loop, "bulk": bulk_loop, "deliver": deliver_loop}
    loop = loops.get(mode, parse_loop)
    from django.db import connection

    wrapper, counts, seconds = query_counter()
    profiler = cProfile.Profile() if args.profile else None
    if args.wait:
        wait_for_go()
    with connection.execute_wrapper(wrapper) if args.queries else nullcontext():
        started, clock, cpu = time.time(), time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        outcomes = loop(messages)
        if profiler:
            profiler.disable()
        elapsed, ended = time.perf_counter() - clock, time.time()
        cpu = time.process_time() - cpu
    if profiler:
        profiler.dump_stats(args.profile)
    result: dict[str, Any] = {
        "messages": len(messages),
        "start": started,
        "end": ended,
        "seconds": elapsed,
        "cpu_seconds": cpu,  # this Python process only, not the database server
        "outcomes": dict(outcomes),
    }
    if args.queries:
        result["queries"] = {
            shape: {"count": counts[shape], "seconds": round(seconds[shape], 4)}
            for shape, _n in counts.most_common()
        }
    return result


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.worker")
    parser.add_argument(
        "mode", choices=["setup", "parse", "ingest", "bulk", "deliver", "census", "unlimited-acks"]
    )
    parser.add_argument("corpus", nargs="?", type=Path)
    parser.add_argument("--wait", action="store_true", help="say ready, start on 'go'")
    parser.add_argument("--profile", help="write cProfile stats of the loop to this file")
    parser.add_argument("--queries", action="store_true", help="count SQL statements")
    args = parser.parse_args()
    setup_django()
    if args.mode == "setup":
        from comptoir.demo.people import ensure_people

        ensure_people(agents=4)
        return
    if args.mode == "census":
        print(RESULT + json.dumps(census()), flush=True)
        return
    if args.mode == "unlimited-acks":
        unlimited_acknowledgements()
        return
    messages = read_corpus(args.corpus)
    result = measure(args.mode, messages, args)
    print(RESULT + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
