"""The play-mode benchmark: 50 agents asking for the next ticket, on PostgreSQL.

A database of its own (comptoir_bench_play*), migrated, with `comptoir demo --agents 50`; then
N waiting tickets in the demo's support campaign (1,000 and 100,000; --quick: 1,000 and 10,000),
ANALYZEd. Each phase starts from a fresh copy of that database. 50 agents (agent1..agent50),
each a thread with its own database connection, spread over several processes (a process per
core would not do: threads of one process share the GIL, which is what would be measured), call
`claim_next_ticket` → `qualify` (a final outcome) in a loop for a fixed time. A feeder process
inserts as many new tickets as were served, so the queue keeps its size during the run.

Phases, at each size:
  paced      each agent pauses after each qualify (0-2 s, 1 s on average): a very busy
             contact centre; the latency target is judged here
  flat out   no pause: the capacity (claims/s); the latency is then mostly waiting for a core
             (50 agents in a closed loop on 2 cores: latency ≈ 50 / throughput)
Measured: claims/s, and the latency of claim_next_ticket alone (p50/p95/p99, ms). Checked: no
ticket served twice, one processing per serve in the database, none overlapping, every served
ticket closed. Targets (issue): p99 under 20 ms; p99 at 100,000 tickets within 2x of 1,000.
"""

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench.databases import (
    PG_ADMIN_URL,
    SetupError,
    Target,
    base_env,
    pg_drop,
    pg_recreate,
    pg_url,
    postgres_version,
    run_checked,
)
from bench.phases import Checked, PhaseError, judge, read_result, release, start_worker
from bench.report import (
    bench_parser,
    format_table,
    machine_line,
    parse_args,
    run_context,
    save_json,
    say,
)

PG_NAME = "comptoir_bench_play"
PG_TEMPLATE = "comptoir_bench_play_template"
AGENTS = 50
SIZES, QUICK_SIZES = (1_000, 100_000), (1_000, 10_000)
DURATION, QUICK_DURATION = 20.0, 5.0
LAYOUT = "5x10"  # processes x threads; see docs/benchmarks.md for the comparison
PACED_THINK_MS = 1000.0
TARGET_P99_MS = 20.0
TARGET_RATIO = 2.0
WORKER = [sys.executable, "-m", "bench.play_worker"]


@dataclass
class Row(Checked):
    phase: str  # paced | flat out
    database: str
    tickets: int  # the queue's size at the start (kept by the feeder)
    layout: str
    claims: int
    seconds: float
    latencies: list[float] = field(repr=False, default_factory=list)  # ms, sorted

    @property
    def rate(self) -> float:
        return self.claims / self.seconds if self.seconds else 0.0

    def percentile(self, p: int) -> float:
        if len(self.latencies) < 2:
            return self.latencies[0] if self.latencies else 0.0
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[p - 1]

    @property
    def judged(self) -> bool:
        return self.phase == "paced"

    @property
    def verdict(self) -> str:
        met = self.percentile(99) < TARGET_P99_MS if self.judged else None
        return judge(failed=self.failed, met=met)


def layout_of(text: str) -> tuple[int, int]:
    processes, _x, threads = text.partition("x")
    try:
        result = int(processes), int(threads)
    except ValueError:
        raise argparse.ArgumentTypeError(f"layout {text!r}: PROCESSESxTHREADS") from None
    if result[0] < 1 or result[1] < 1:
        raise argparse.ArgumentTypeError(f"layout {text!r}: at least 1x1")
    return result


def prepare_template(workdir: Path) -> None:
    """Migrated, with the demo and its 50 agents: `comptoir demo --agents 50`, as a user would."""
    pg_recreate(PG_TEMPLATE)
    env = base_env(workdir / "template", pg_url(PG_TEMPLATE))
    cli = [sys.executable, "-m", "comptoir.cli"]
    run_checked([*cli, "migrate", "--noinput"], env, "migrate")
    run_checked([*cli, "demo", "--agents", str(AGENTS)], env, f"comptoir demo --agents {AGENTS}")


def sized_name(size: int) -> str:
    return f"{PG_NAME}_{size}"


def prepare_size(workdir: Path, size: int) -> dict[str, Any]:
    """A template per size: the demo template plus `size` waiting tickets, ANALYZEd."""
    pg_recreate(sized_name(size), template=PG_TEMPLATE)
    data_dir = workdir / f"load-{size}"
    data_dir.mkdir()
    target = Target("postgresql", data_dir, base_env(data_dir, pg_url(sized_name(size))))
    return run_step(target, ["load", str(size)], f"loading {size:,} tickets")


def run_step(target: Target, args: list[str], what: str) -> dict[str, Any]:
    log = target.data_dir / f"{args[0]}.log"
    process = start_worker([*WORKER, *args], target, log)
    try:
        return read_result(process, log)
    except PhaseError as exc:
        raise PhaseError(f"{what}: {exc}") from exc


def fresh(workdir: Path, size: int, phase: str) -> Target:
    pg_recreate(PG_NAME, template=sized_name(size))
    data_dir = workdir / f"run-{size}-{phase.replace(' ', '-')}"
    data_dir.mkdir()
    return Target("postgresql", data_dir, base_env(data_dir, pg_url(PG_NAME)))


def run_phase(workdir: Path, size: int, queue: int, phase: str, args: argparse.Namespace) -> Row:
    target = fresh(workdir, size, phase)
    processes, threads = args.layout
    think = PACED_THINK_MS if phase == "paced" else 0.0
    logins = [f"agent{i}" for i in range(1, processes * threads + 1)]
    duration = str(args.duration)
    feeder_log = target.data_dir / "feed.log"
    feeder = start_worker([*WORKER, "feed", "--duration", duration], target, feeder_log)
    started = []
    for p in range(processes):
        chunk = ",".join(logins[p * threads : (p + 1) * threads])
        log = target.data_dir / f"agents-{p}.log"
        command = [*WORKER, "agents", chunk, "--duration", duration, "--think-ms", str(think)]
        started.append((start_worker(command, target, log), log))
    release([(feeder, feeder_log), *started])
    results = [read_result(p, log) for p, log in started]
    fed = read_result(feeder, feeder_log)
    row = combine(phase, queue, args, results, fed)
    verify(row, results)
    plan = run_step(target, ["explain"], "EXPLAIN ANALYZE")["plan"]
    row.detail["explain_after_run"] = plan
    return row


def combine(
    phase: str,
    queue: int,
    args: argparse.Namespace,
    results: list[dict[str, Any]],
    fed: dict[str, Any],
) -> Row:
    agents = [a for r in results for a in r["agents"]]
    ran = [a for a in agents if a["start"]] or agents  # an agent that failed never started
    latencies = sorted(x for a in agents for x in a["claims"])
    qualifies = sorted(x for a in agents for x in a["qualifies"])
    wall = max(a["end"] for a in ran) - min(a["start"] for a in ran)
    serves = sum(len(a["served"]) for a in agents)
    row = Row(phase, "postgresql", queue, f"{args.layout[0]}x{args.layout[1]}", serves, wall)
    row.latencies = latencies
    row.detail = {
        "claim_calls": len(latencies),
        "empty_answers": sum(a["empty"] for a in agents),
        "errors": sum(a["error_count"] for a in agents),
        "first_errors": [e for a in agents for e in a["errors"]][:5],
        "agent_failures": [f"{a['login']}: {a['failed']}" for a in agents if a["failed"]],
        "qualify_ms_p50": round(statistics.median(qualifies), 2) if qualifies else None,
        "serves_per_agent_min_max": [
            min(len(a["served"]) for a in agents),
            max(len(a["served"]) for a in agents),
        ],
        "process_cpu_seconds": [round(r["cpu_seconds"], 2) for r in results],
        "fed_tickets": fed["inserted"],
        "think_ms_mean": PACED_THINK_MS if phase == "paced" else 0,
    }
    return row


DB_CHECKS = {
    "processings": "SELECT count(*) FROM distribution_processing",
    "tickets_processed": "SELECT count(DISTINCT ticket_id) FROM distribution_processing",
    "live_processings": "SELECT count(*) FROM distribution_processing WHERE ended_at IS NULL",
    "overlapping_pairs": (
        "SELECT count(*) FROM distribution_processing a JOIN distribution_processing b"
        " ON a.ticket_id = b.ticket_id AND a.id < b.id"
        " AND a.started_at < COALESCE(b.ended_at, 'infinity')"
        " AND b.started_at < COALESCE(a.ended_at, 'infinity')"
    ),
    "served_not_closed": (
        "SELECT count(*) FROM tickets_ticket t WHERE status <> 'closed' AND EXISTS"
        " (SELECT 1 FROM distribution_processing p WHERE p.ticket_id = t.id)"
    ),
}
PAIRS = (
    "SELECT u.login, p.ticket_id FROM distribution_processing p"
    " JOIN tenancy_user u ON u.id = p.agent_id"
)


def verify(row: Row, results: list[dict[str, Any]]) -> None:
    """No ticket served twice (as the agents saw it, and in the database)."""
    import psycopg

    served = [(a["login"], t) for r in results for a in r["agents"] for t in a["served"]]
    ids = [t for _login, t in served]
    twice = len(ids) - len(set(ids))
    with psycopg.connect(pg_url(PG_NAME)) as conn:
        facts = {}
        for name, query in DB_CHECKS.items():
            found = conn.execute(query).fetchone()
            facts[name] = int(found[0]) if found else -1
        pairs = sorted(conn.execute(PAIRS).fetchall())
    problems = []
    if twice:
        problems.append(f"{twice} ticket(s) served twice")
    if facts["processings"] != len(ids) or facts["tickets_processed"] != len(set(ids)):
        problems.append(f"{facts['processings']} processings in the database, {len(ids)} serves")
    if pairs != sorted(served):
        problems.append("the database's processings are not the agents' serves")
    for name in ("live_processings", "overlapping_pairs", "served_not_closed"):
        if facts[name]:
            problems.append(f"{name.replace('_', ' ')}: {facts[name]}")
    if row.detail["errors"] or row.detail["agent_failures"]:
        problems.append(f"{row.detail['errors']} error(s) {row.detail['agent_failures']}")
    if row.detail["empty_answers"]:
        problems.append(f"{row.detail['empty_answers']} 'no ticket' answers: the queue ran dry")
    row.detail["double_serves"] = twice
    row.detail["database"] = facts
    row.failed = bool(problems)
    row.check = "; ".join(problems) or (
        f"ok: {len(ids):,} serves, each ticket once, one processing each, none overlapping"
    )


def ratios(rows: list[Row], sizes: tuple[int, ...]) -> dict[str, float]:
    """p99 (and claims/s) at the largest size over the smallest, per phase."""
    result = {}
    for phase in ("paced", "flat out"):
        small = next((r for r in rows if r.phase == phase and r.detail["size"] == sizes[0]), None)
        big = next((r for r in rows if r.phase == phase and r.detail["size"] == sizes[-1]), None)
        if small and big and small.percentile(99) and small.rate:
            name = f"{phase}: p99 at {sizes[-1]:,} / p99 at {sizes[0]:,}"
            result[name] = big.percentile(99) / small.percentile(99)
            result[f"{phase}: p50 at {sizes[-1]:,} / p50 at {sizes[0]:,}"] = big.percentile(
                50
            ) / max(small.percentile(50), 1e-9)
            result[f"{phase}: claims/s at {sizes[-1]:,} / at {sizes[0]:,}"] = big.rate / small.rate
    return result


COLUMNS = (
    "phase", "database", "tickets", "agents", "claims", "seconds", "claims/s",
    "p50 ms", "p95 ms", "p99 ms", "target", "", "double", "load",
)  # fmt: skip


def table(rows: list[Row]) -> str:
    body: list[tuple[str, ...]] = [
        (
            r.phase,
            r.database,
            f"{r.tickets:,}",
            r.layout,
            f"{r.claims:,}",
            f"{r.seconds:.1f}",
            f"{r.rate:,.0f}",
            f"{r.percentile(50):.1f}",
            f"{r.percentile(95):.1f}",
            f"{r.percentile(99):.1f}",
            f"p99 < {TARGET_P99_MS:.0f}" if r.judged else "",
            r.verdict,
            str(r.detail.get("double_serves", "")),
            f"{r.load:.1f}",
        )
        for r in rows
    ]
    return format_table(COLUMNS, body, numeric={2, 4, 5, 6, 7, 8, 9, 12, 13})


def print_report(rows: list[Row], context: dict[str, Any]) -> None:
    print()
    print(table(rows))
    print()
    for name, value in context["ratios"].items():
        verdict = ""
        if "p99" in name:
            verdict = "  PASS (<= 2x)" if value <= TARGET_RATIO else "  BELOW (> 2x)"
        print(f"  {name}: {value:.2f}{verdict}")
    print()
    for r in rows:
        print(f"  check {r.phase} {r.tickets:,}: {r.check}")
    processes, threads = context["layout"]
    print(
        f"\n  agents: {processes * threads} = {processes} processes x {threads} threads, one"
        f" database connection each; paced = a pause of 0-{2 * PACED_THINK_MS / 1000:.0f} s after"
        " each qualify; latency = claim_next_ticket alone."
    )
    print(machine_line(context))


def write_json(rows: list[Row], context: dict[str, Any], name: str) -> Path:
    results = []
    for r in rows:
        data = asdict(r)
        del data["latencies"]
        data.update(
            claims_per_second=round(r.rate, 1),
            latency_ms={f"p{p}": round(r.percentile(p), 2) for p in (50, 95, 99)},
            latency_ms_max=round(max(r.latencies), 2) if r.latencies else None,
            verdict=r.verdict,
        )
        results.append(data)
    data = {**context, "results": results}
    data["ratios"] = {k: round(v, 3) for k, v in context["ratios"].items()}
    return save_json(name, data)


def build_parser() -> argparse.ArgumentParser:
    parser = bench_parser("play", __doc__, quick="1,000 and 10,000 tickets, 5 s")
    parser.add_argument(
        "--layout",
        type=layout_of,
        default=layout_of(LAYOUT),
        help=f"PROCESSESxTHREADS for the {AGENTS} agents (default {LAYOUT})",
    )
    parser.add_argument("--duration", type=float, help="seconds per phase (20; quick: 5)")
    parser.add_argument(
        "--sizes", help="comma-separated queue sizes (1000,100000; quick: 1000,10000)"
    )
    parser.add_argument(
        "--phases", default="paced,flat out", help="which of 'paced' and 'flat out' (both)"
    )
    return parser


def main(argv: list[str], known_only: bool = False) -> int:
    """known_only: ignore the options of other benchmarks (`python -m bench` runs them all)."""
    parser = build_parser()
    args = parse_args(parser, argv, known_only)
    sizes: tuple[int, ...] = QUICK_SIZES if args.quick else SIZES
    if args.sizes:
        sizes = tuple(int(s) for s in args.sizes.split(","))
    args.duration = args.duration or (QUICK_DURATION if args.quick else DURATION)
    phases = [p.strip() for p in args.phases.split(",")]
    if args.layout[0] * args.layout[1] > AGENTS:
        parser.error(f"at most {AGENTS} agents")
    pg = postgres_version()
    if pg is None:
        say(f"PostgreSQL unreachable at {PG_ADMIN_URL}: the play benchmark needs it; skipped.")
        return 0
    context = run_context(
        pg, args.quick, layout=list(args.layout), duration_seconds=args.duration, sizes=list(sizes)
    )
    workdir = Path(tempfile.mkdtemp(prefix="comptoir-bench-play-"))
    rows: list[Row] = []
    try:
        say(f"migrating {PG_TEMPLATE}, comptoir demo --agents {AGENTS}…")
        prepare_template(workdir)
        for size in sizes:
            loaded = prepare_size(workdir, size)
            queue = loaded["queue"]
            say(f"  {size:,} tickets loaded in {loaded['seconds']:.1f} s (queue {queue:,})")
            for phase in phases:
                row = run_phase(workdir, size, queue, phase, args)
                row.detail["size"] = size
                rows.append(row)
                say(
                    f"  {phase:<8} {size:>7,} tickets: {row.claims:,} claims in {row.seconds:.1f} s"
                    f" = {row.rate:,.0f}/s, p50 {row.percentile(50):.1f} ms,"
                    f" p99 {row.percentile(99):.1f} ms (load {row.load}) {row.check}"
                )
    except (SetupError, PhaseError, subprocess.SubprocessError) as exc:
        say(f"bench failed: {exc}")
        return 1
    finally:
        if args.keep:
            say(f"kept {workdir} and the {PG_NAME}* databases")
        else:
            for name in [PG_NAME, PG_TEMPLATE, *(sized_name(s) for s in sizes)]:
                pg_drop(name)
            shutil.rmtree(workdir, ignore_errors=True)
    context["ratios"] = ratios(rows, sizes)
    print_report(rows, context)
    path = write_json(rows, context, "play-quick.json" if args.quick else "play.json")
    say(f"\n  results written to {path}")
    return 1 if any(r.failed for r in rows) else 0
